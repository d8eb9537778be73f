"""What every exporter shares: the result type, the design it may consult, and file writing.

An exporter is ``write(content, path, design) -> ExportResult``. ``design`` holds the chat's
other current artifacts (a wiring export looks up part names and footprints in the BOM, an
Arduino folder records the board), so exports of one chat agree with each other.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ohm_desktop.errors import UsageError


class ExportError(UsageError):
    """An export could not be written (bad format, unwritable path, missing tool)."""


@dataclass(frozen=True, slots=True)
class Design:
    """The chat's current artifact contents (validated JSON), any of them missing."""

    bom: dict[str, Any] | None = None
    code: dict[str, Any] | None = None
    wiring: dict[str, Any] | None = None


@dataclass(slots=True)
class ExportResult:
    """The files written, and one sentence for each thing the export dropped or changed."""

    files: list[Path] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


Writer = Callable[[dict[str, Any], Path, Design], ExportResult]


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parts_of(bom: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [part for part in (bom or {}).get("parts") or [] if isinstance(part, dict)]


def write_text(path: Path, body: str) -> list[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return [path]


def write_csv(path: Path, header: tuple[str, ...], rows: list[list[str]], *, excel_bom: bool = True) -> list[Path]:
    """CRLF lines as RFC 4180 says; ``excel_bom`` adds a UTF-8 BOM so spreadsheets read µ and Ω."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig" if excel_bom else "utf-8", newline="")
    return [path]
