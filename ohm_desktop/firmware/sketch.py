"""A sketch as files, and the Arduino .ino -> C++ preprocessing step.

The Arduino build concatenates the .ino files, adds ``#include <Arduino.h>`` and
prototypes for the functions they define (so ``loop`` may call a function defined below
it), and uses ``#line`` directives so every compiler message still names the .ino file
and line the user wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ohm_desktop.errors import UsageError

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
    """
    chunks: list[str] = []
    prototypes: list[str] = []
    for ino in sketch.ino_files:
        prototypes.extend(function_prototypes(ino.content))
    inserted = False
    for ino in sketch.ino_files:
        label = (source_root / ino.path).as_posix()
        text = ino.content
        if not inserted:
            at_line = _first_definition_line(text)
            lines = text.splitlines(keepends=True)
            if at_line is None:
                at_line = len(lines)
            head, tail = lines[:at_line], lines[at_line:]
            chunks.append(f'#line 1 "{label}"\n' + "".join(head))
            if head and not head[-1].endswith("\n"):
                chunks.append("\n")
            chunks.append("".join(p + ";\n" for p in dict.fromkeys(prototypes)))
            chunks.append(f'#line {at_line + 1} "{label}"\n' + "".join(tail))
            inserted = True
        else:
            chunks.append(f'#line 1 "{label}"\n{text}')
        if not chunks[-1].endswith("\n"):
            chunks.append("\n")
    return "#include <Arduino.h>\n" + "".join(chunks)


_DEFINITION = re.compile(
    r"(?:^|\n)[ \t]*(?P<sig>(?:[A-Za-z_][\w:<>,\*&\[\] \t]*?[\s\*&]+)?(?P<name>[A-Za-z_]\w*)[ \t]*\((?P<params>[^;{}()]*)\))"
    r"[\s]*(?:const[\s]*)?\{"
)
_NOT_FUNCTIONS = {"if", "for", "while", "switch", "return", "else", "do", "sizeof", "catch"}


def function_prototypes(code: str) -> list[str]:
    """Prototypes of the top-level functions defined in ``code`` (what ctags does for Arduino)."""
    masked = _mask(code)
    result = []
    for match, depth in _definitions(masked):
        if depth != 0:
            continue
        sig = " ".join(code[match.start("sig"): match.end("sig")].split())
        name = match["name"]
        head = sig[: sig.rfind(name)].strip()
        if name in _NOT_FUNCTIONS or not head or "=" in match["params"] or head.endswith(("::", ">")):
            continue
        if head.split()[0] in {"return", "else", "new", "delete", "class", "struct", "enum", "namespace"}:
            continue
        if head.startswith("template") or _preceded_by_template(masked, match.start("sig")):
            continue
        result.append(sig)
    return result


def _first_definition_line(code: str) -> int | None:
    masked = _mask(code)
    for match, depth in _definitions(masked):
        if depth == 0 and match["name"] not in _NOT_FUNCTIONS:
            return masked.count("\n", 0, match.start("sig"))
    return None


def _definitions(masked: str) -> list[tuple[re.Match[str], int]]:
    found = []
    for match in _DEFINITION.finditer(masked):
        start = match.start("sig")
        depth = masked.count("{", 0, start) - masked.count("}", 0, start)
        found.append((match, depth))
    return found


def _preceded_by_template(masked: str, start: int) -> bool:
    before = masked[:start].rstrip()
    return before.endswith(">") and "template" in before[before.rfind("\n", 0, len(before) - 1):]


def _mask(code: str) -> str:
    """``code`` with comments, strings, char literals and preprocessor lines blanked (newlines kept)."""
    out = []
    i, n = 0, len(code)
    at_line_start = True
    while i < n:
        c = code[i]
        if at_line_start and c == "#":
            end = i
            while end < n and not (code[end] == "\n" and code[end - 1] != "\\"):
                end += 1
            out.append(re.sub(r"[^\n]", " ", code[i:end]))
            i = end
            continue
        if c == "/" and code.startswith("//", i):
            end = code.find("\n", i)
            end = n if end == -1 else end
            out.append(" " * (end - i))
            i = end
            continue
        if c == "/" and code.startswith("/*", i):
            end = code.find("*/", i + 2)
            end = n if end == -1 else end + 2
            out.append(re.sub(r"[^\n]", " ", code[i:end]))
            i = end
            continue
        if c in "\"'":
            j = i + 1
            while j < n and code[j] != c and code[j] != "\n":
                j += 2 if code[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * (j - i - 2) + c if j - i >= 2 else c)
            i = j
            continue
        out.append(c)
        if c == "\n":
            at_line_start = True
        elif not c.isspace():
            at_line_start = False
        i += 1
    return "".join(out)
