"""Qt-free artifact schemas and their validation.

``validate_content`` is what the tool executor calls before a write: invalid content is
never stored, and its error lines are precise enough for a model to fix its own output.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ohm_desktop.artifacts.bom import Bom
from ohm_desktop.artifacts.code import Code
from ohm_desktop.artifacts.wiring import Wiring

SCHEMAS: dict[str, type[BaseModel]] = {"bom": Bom, "code": Code, "wiring": Wiring}


@dataclass(frozen=True, slots=True)
class ValidationResult:
    ok: bool
    errors: tuple[str, ...] = ()


def validate_content(artifact_type: str, content: Any) -> ValidationResult:
    """Check ``content`` against the schema of ``artifact_type``; errors as ``path: reason`` lines."""
    schema = SCHEMAS.get(artifact_type)
    if schema is None:
        return ValidationResult(False, (f"artifact_type: must be one of {', '.join(SCHEMAS)}, got {artifact_type!r}",))
    if not isinstance(content, dict):
        return ValidationResult(False, (f"content: must be a JSON object, got {type(content).__name__}",))
    try:
        schema.model_validate(content)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            path = ".".join(str(part) for part in error["loc"]) or "content"
            lines.append(f"content.{path}: {error['msg']}{_got(error)}")
        return ValidationResult(False, tuple(lines))
    return ValidationResult(True)


def _got(error: Any) -> str:
    """`` (got 0)``: the offending value, so a model sees what it sent, not just the rule."""
    value = error.get("input")
    if error.get("type") == "missing" or isinstance(value, dict | list):
        return ""
    shown = json.dumps(value, ensure_ascii=False)
    return f" (got {shown if len(shown) <= 60 else shown[:57] + '…'})"


__all__ = ["SCHEMAS", "Bom", "Code", "ValidationResult", "Wiring", "validate_content"]
