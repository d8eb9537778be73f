"""Turn gcc/ld output into diagnostics that point at the user's sketch files."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from ohm_desktop.firmware.result import CompileDiagnostic

# path:line:col: error: message   (column optional; "fatal error" counts as error)
_GCC_LINE = re.compile(
    r"^(?P<path>[^:\n]+?):(?P<line>\d+)(?::(?P<col>\d+))?:\s*(?P<sev>fatal error|error|warning):\s*(?P<msg>.*)$"
)
_LINKER_LINE = re.compile(r"(?P<msg>(?:undefined reference to|multiple definition of|region `\S+' overflowed).*)$")


def parse_gcc_output(output: str, roots: Iterable[Path], *, include_warnings: bool = False) -> list[CompileDiagnostic]:
    """Diagnostics from compiler/linker output.

    Paths under one of ``roots`` (the sketch folder and its build copy) become relative
    names such as ``sketch.ino``; paths elsewhere (the Arduino core, libraries) are kept as
    given so the user can still see where a message comes from.
    """
    root_list = [str(r.resolve()) for r in roots] + [str(r) for r in roots]
    seen: set[tuple[str | None, int | None, str]] = set()
    found: list[CompileDiagnostic] = []
    for raw_line in output.splitlines():
        line = raw_line.rstrip()
        match = _GCC_LINE.match(line)
        if match:
            severity: Literal["error", "warning"] = "warning" if match["sev"] == "warning" else "error"
            if severity == "warning" and not include_warnings:
                continue
            diagnostic = CompileDiagnostic(
                message=match["msg"].strip(),
                severity=severity,
                file=_relative(match["path"], root_list),
                line=int(match["line"]),
                column=int(match["col"]) if match["col"] else None,
            )
        else:
            linker = _LINKER_LINE.search(line)
            if not linker:
                continue
            diagnostic = CompileDiagnostic(message=linker["msg"].strip())
        key = (diagnostic.file, diagnostic.line, diagnostic.message)
        if key not in seen:
            seen.add(key)
            found.append(diagnostic)
    return found


def _relative(path: str, roots: list[str]) -> str:
    for root in roots:
        prefix = root.rstrip("/") + "/"
        if path.startswith(prefix):
            return path[len(prefix):]
    return path
