"""What a compile check found: the outcome, memory use and diagnostics mapped to sketch files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

CompileStatus = Literal["ok", "errors", "no_toolchain"]


@dataclass(frozen=True, slots=True)
class CompileDiagnostic:
    """One compiler or linker message; ``file`` is relative to the sketch folder when known."""

    message: str
    severity: Literal["error", "warning"] = "error"
    file: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def location(self) -> str:
        if self.file is None:
            return "(link)"
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CompileDiagnostic:
        return cls(
            message=str(raw["message"]),
            severity="warning" if raw.get("severity") == "warning" else "error",
            file=raw.get("file"),
            line=raw.get("line"),
            column=raw.get("column"),
        )


@dataclass(frozen=True, slots=True)
class CompileResult:
    """The outcome of compiling one sketch for one board.

    ``status`` is ``ok`` (it builds), ``errors`` (compiler/linker errors, see ``diagnostics``)
    or ``no_toolchain`` (nothing installed can build for this board; ``hint`` says what to install).
    """

    status: CompileStatus
    board: str
    toolchain: str | None = None
    flash_bytes: int | None = None
    flash_max: int | None = None
    ram_bytes: int | None = None
    ram_max: int | None = None
    diagnostics: tuple[CompileDiagnostic, ...] = ()
    output: str = ""
    duration_ms: int = 0
    hint: str | None = None
    cached_core: bool = field(default=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def errors(self) -> tuple[CompileDiagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def exit_code(self) -> int:
        """``ohm sketch check`` exit code: 0 compiled, 1 compile errors, 3 no toolchain."""
        return {"ok": 0, "errors": 1, "no_toolchain": 3}[self.status]

    def summary(self) -> str:
        """One sentence for a status line or the CLI."""
        if self.status == "no_toolchain":
            return self.hint or f"No toolchain can compile for {self.board}."
        if self.status == "errors":
            count = len(self.errors)
            first = f" First: {self.errors[0]}" if self.errors else ""
            return f"Compiling for {self.board} failed with {count} error{'s' if count != 1 else ''}.{first}"
        return f"Compiled for {self.board} with {self.toolchain}: {self.memory_use()}."

    def memory_use(self) -> str:
        def part(label: str, used: int | None, limit: int | None) -> str:
            if used is None:
                return f"{label} unknown"
            if limit:
                return f"{label} {used}/{limit} bytes ({100 * used // limit}%)"
            return f"{label} {used} bytes"

        return f"{part('flash', self.flash_bytes, self.flash_max)}, {part('RAM', self.ram_bytes, self.ram_max)}"

    def debug_report(self, *, version_number: int | None = None, round_number: int | None = None,
                     max_rounds: int | None = None) -> str:
        """The errors as text for the DEBUG agent: file:line first so it can fix the right place."""
        head = f"The sketch (code version {version_number}) " if version_number is not None else "The sketch "
        lines = [f"{head}does not compile for {self.board} ({self.toolchain or 'unknown toolchain'})."]
        if round_number is not None and max_rounds is not None:
            lines.append(f"Automatic fix round {round_number} of {max_rounds}: write a corrected code version.")
        lines.extend(str(d) for d in self.errors)
        if not self.errors and self.output:
            lines.append(self.output[-2000:])
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "status": self.status,
            "board": self.board,
            "toolchain": self.toolchain,
            "flash_bytes": self.flash_bytes,
            "flash_max": self.flash_max,
            "ram_bytes": self.ram_bytes,
            "ram_max": self.ram_max,
            "errors": [d.to_dict() for d in self.diagnostics],
            "output": self.output,
            "duration_ms": self.duration_ms,
            "hint": self.hint,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CompileResult:
        status = raw.get("status", "ok" if raw.get("ok") else "errors")
        return cls(
            status=status,
            board=str(raw.get("board", "")),
            toolchain=raw.get("toolchain"),
            flash_bytes=raw.get("flash_bytes"),
            flash_max=raw.get("flash_max"),
            ram_bytes=raw.get("ram_bytes"),
            ram_max=raw.get("ram_max"),
            diagnostics=tuple(CompileDiagnostic.from_dict(d) for d in raw.get("errors", [])),
            output=str(raw.get("output", "")),
            duration_ms=int(raw.get("duration_ms", 0)),
            hint=raw.get("hint"),
        )
