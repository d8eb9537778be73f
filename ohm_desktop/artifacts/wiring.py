"""Wiring netlist: point-to-point connections between part pins."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Connection(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    from_: str = Field(alias="from", min_length=1, description="PART.PIN, e.g. U1.D9")
    to: str = Field(min_length=1, description="PART.PIN, e.g. R1.1")
    net: str | None = None
    color: str | None = None


class Wiring(BaseModel):
    model_config = ConfigDict(extra="allow")

    connections: list[Connection] = Field(min_length=1)
    notes: str | list[str] | None = None
