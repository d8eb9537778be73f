"""Firmware: an Arduino sketch as a set of files for one board."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class SourceFile(BaseModel):
    model_config = ConfigDict(extra="allow")

    path: str = Field(min_length=1)
    content: str

    @field_validator("path")
    @classmethod
    def _relative_path(cls, path: str) -> str:
        # The path becomes a file on export: refuse anything that could escape the sketch folder.
        parts = path.replace("\\", "/").split("/")
        if path.startswith(("/", "~")) or ".." in parts or ":" in parts[0]:
            raise ValueError("must be a relative path inside the sketch folder, e.g. 'sketch.ino'")
        return path


class Code(BaseModel):
    model_config = ConfigDict(extra="allow")

    board: str | None = Field(default=None, description="FQBN, e.g. arduino:avr:uno")
    files: list[SourceFile] = Field(min_length=1)
