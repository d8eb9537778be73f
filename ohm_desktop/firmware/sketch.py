"""A sketch as files, and the Arduino .ino -> C++ preprocessing step.

The Arduino build concatenates the .ino files, adds ``#include <Arduino.h>`` and
prototypes for the functions they define (so ``loop`` may call a function defined below
it), and uses ``#line`` directives so every compiler message still names the .ino file
and line the user wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ohm_desktop.errors import UsageError
from ohm_desktop.firmware.prototypes import (
    Prototype,
    first_definition_line,
    function_prototypes,
    prototype_block,
    prototypes,
    strip_default_arguments,
)

SOURCE_SUFFIXES = (".ino", ".pde", ".c", ".cpp", ".S", ".h", ".hpp")


@dataclass(frozen=True, slots=True)
class SketchFile:
    path: str
    content: str


@dataclass(frozen=True, slots=True)
class Sketch:
    """The files of a sketch, paths relative to the sketch folder, main .ino first."""

    name: str
    files: tuple[SketchFile, ...]

    @property
    def ino_files(self) -> list[SketchFile]:
        return [f for f in self.files if f.path.endswith((".ino", ".pde")) and "/" not in f.path]

    @classmethod
    def from_code_content(cls, content: dict[str, Any]) -> Sketch:
        """The sketch of a CODE artifact version (``{"board"?, "files": [{path, content}]}``)."""
        files = [SketchFile(str(f["path"]).replace("\\", "/"), str(f["content"])) for f in content.get("files", [])]
        return cls._ordered(files, preferred=None)

    @classmethod
    def from_path(cls, path: Path) -> Sketch:
        """A sketch folder, or a single .ino file (its folder's other sources come along)."""
        path = path.expanduser()
        if not path.exists():
            raise UsageError(f"There is no sketch at {path}: give a sketch folder or an .ino file.")
        folder = path if path.is_dir() else path.parent
        preferred = path.name if path.is_file() else f"{folder.name}.ino"
        if path.is_file() and not path.name.endswith((".ino", ".pde")):
            raise UsageError(f"{path} is not an .ino file: give a sketch folder or an .ino file.")
        files = []
        for candidate in sorted(folder.rglob("*")):
            if candidate.is_file() and candidate.suffix in SOURCE_SUFFIXES:
                relative = candidate.relative_to(folder).as_posix()
                if relative.split("/")[0] in {"build", ".git"}:
                    continue
                files.append(SketchFile(relative, candidate.read_text(encoding="utf-8", errors="replace")))
        return cls._ordered(files, preferred=preferred)

    @classmethod
    def _ordered(cls, files: list[SketchFile], preferred: str | None) -> Sketch:
        inos = sorted((f for f in files if f.path.endswith((".ino", ".pde")) and "/" not in f.path), key=lambda f: f.path)
        if not inos:
            raise UsageError("The sketch has no .ino file at its top level: add one (e.g. sketch.ino).")
        main = next((f for f in inos if f.path == preferred), inos[0])
        rest = [f for f in files if f is not main]
        return cls(name=main.path.rsplit(".", 1)[0], files=(main, *rest))

    def write_to(self, folder: Path) -> Path:
        """Write the files into ``folder/<name>/`` (Arduino wants folder name == main .ino name)."""
        root = folder / self.name
        for f in self.files:
            target = root / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f.content, encoding="utf-8")
        return root


def preprocess_ino(sketch: Sketch, source_root: Path) -> str:
    """The C++ translation unit for the sketch's .ino files.

    ``#line`` directives name ``source_root/<file>.ino`` so diagnostics can be mapped back.
    Prototypes are generated as the Arduino builder does (:mod:`ohm_desktop.firmware.prototypes`).
    """
    chunks: list[str] = []
    found: list[Prototype] = []
    for ino in sketch.ino_files:
        found.extend(prototypes(ino.content))
    inserted = False
    for ino in sketch.ino_files:
        label = (source_root / ino.path).as_posix()
        text = strip_default_arguments(ino.content)
        if not inserted:
            at_line = first_definition_line(ino.content)
            lines = text.splitlines(keepends=True)
            if at_line is None:
                at_line = len(lines)
            head, tail = lines[:at_line], lines[at_line:]
            chunks.append(f'#line 1 "{label}"\n' + "".join(head))
            if head and not head[-1].endswith("\n"):
                chunks.append("\n")
            chunks.append(prototype_block(found))
            chunks.append(f'#line {at_line + 1} "{label}"\n' + "".join(tail))
            inserted = True
        else:
            chunks.append(f'#line 1 "{label}"\n{text}')
        if not chunks[-1].endswith("\n"):
            chunks.append("\n")
    return "#include <Arduino.h>\n" + "".join(chunks)


__all__ = ["SOURCE_SUFFIXES", "Sketch", "SketchFile", "function_prototypes", "preprocess_ino"]
