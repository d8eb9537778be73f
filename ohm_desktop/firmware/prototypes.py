"""Function prototypes for .ino files, as the Arduino builder generates them.

The Arduino builder (arduino-cli ``legacy/builder/ctags``) runs ctags on the sketch and
declares every top-level function before the first definition, so code may call a function
defined further down. This module does the same without ctags, including what a naive scan
gets wrong:

- default arguments (``void beep(int ms = 100)``): C++ allows the default in one declaration
  only, so the prototype keeps it and :func:`strip_default_arguments` blanks it in the
  definition (same columns, same lines);
- templates: the ``template <…>`` header comes with the prototype, even on its own line;
- references, pointers, ``static`` and signatures spread over several lines;
- functions inside ``#if``/``#ifdef`` blocks: the prototype is wrapped in the same
  conditions, so a branch the preprocessor drops loses its prototype too;
- functions the sketch already declares itself get no second prototype.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DEFINITION = re.compile(
    r"(?:^|\n)[ \t]*(?P<sig>(?:[A-Za-z_][\w:<>,\*&\[\] \t]*?[\s\*&]+)?(?P<name>[A-Za-z_]\w*)[ \t]*\((?P<params>[^;{}()]*)\))"
    r"[\s]*(?:const[\s]*)?\{"
)
_DECLARATION = re.compile(r"(?:^|\n)[ \t]*[A-Za-z_][\w:<>,\*&\[\] \t]*?[\s\*&]+(?P<name>[A-Za-z_]\w*)[ \t]*\([^;{}()]*\)\s*;")
_NOT_FUNCTIONS = {"if", "for", "while", "switch", "return", "else", "do", "sizeof", "catch"}
_NOT_HEADS = {"return", "else", "new", "delete", "class", "struct", "enum", "namespace", "typedef", "using"}
_TEMPLATE_LINE = re.compile(r"\btemplate\s*<[^;{}]*>\s*$")
_OPENS = re.compile(r"^\s*#\s*(if|ifdef|ifndef)\b")
_BRANCHES = re.compile(r"^\s*#\s*(elif|else)\b")
_CLOSES = re.compile(r"^\s*#\s*endif\b")

Conditions = tuple[tuple[str, ...], ...]  # per open #if level: its directive lines so far


@dataclass(frozen=True, slots=True)
class Prototype:
    declaration: str  # "void beep(int ms = 100)", "template <typename T> T twice(T v)"
    conditions: Conditions  # () when the function is outside any #if
    line: int  # 0-based line of the definition (of its template header when it has one)
    opening_line: int  # the line of its outermost #if, or ``line`` when unconditional


def mask(code: str) -> str:
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


def _conditions_by_line(code: str, masked: str) -> list[tuple[Conditions, int | None]]:
    """For every line: the open ``#if`` levels and the line of the outermost one."""
    stack: list[list[str]] = []
    opened: list[int] = []
    result: list[tuple[Conditions, int | None]] = []
    lines, masked_lines = code.split("\n"), masked.split("\n")
    number = 0
    while number < len(lines):
        line = lines[number]
        directive = line.strip().startswith("#") and not masked_lines[number].strip()
        joined, last = line, number
        while directive and joined.endswith("\\") and last + 1 < len(lines):
            last += 1
            joined = joined[:-1] + " " + lines[last].strip()
        for _ in range(number, last + 1):
            result.append((tuple(tuple(level) for level in stack), opened[0] if opened else None))
        if directive and _OPENS.match(joined):
            stack.append([joined.strip()])
            opened.append(number)
        elif directive and _BRANCHES.match(joined) and stack:
            stack[-1].append(joined.strip())
        elif directive and _CLOSES.match(joined) and stack:
            stack.pop()
            opened.pop()
        number = last + 1
    return result


def _declared_names(masked: str) -> set[str]:
    names = set()
    for match in _DECLARATION.finditer(masked):
        start = match.start("name")
        if masked.count("{", 0, start) == masked.count("}", 0, start):
            names.add(match["name"])
    return names


def prototypes(code: str) -> list[Prototype]:
    """The prototypes the builder would add for the top-level functions ``code`` defines."""
    masked = mask(code)
    conditions = _conditions_by_line(code, masked)
    declared = _declared_names(masked)
    result = []
    for match in _DEFINITION.finditer(masked):
        start = match.start("sig")
        if masked.count("{", 0, start) != masked.count("}", 0, start):
            continue
        name = match["name"]
        sig = " ".join(code[start: match.end("sig")].split())
        head = sig[: sig.rfind(name)].strip()
        if name in _NOT_FUNCTIONS or name in declared or not head or head.endswith("::"):
            continue
        if head.split()[0] in _NOT_HEADS or (head.endswith(">") and not head.startswith("template")):
            continue
        line = masked.count("\n", 0, start)
        if not head.startswith("template"):
            line_start = masked.rfind("\n", 0, start)
            before = masked[:line_start].rstrip() if line_start > 0 else ""
            template = _TEMPLATE_LINE.search(before[before.rfind("\n") + 1:])
            if template:
                sig = f"{' '.join(template[0].split())} {sig}"
                line -= 1
        level, opening = conditions[line] if line < len(conditions) else ((), None)
        result.append(Prototype(sig, level, line, line if opening is None else opening))
    return result


def function_prototypes(code: str) -> list[str]:
    """The prototype declarations (without ``;``) for ``code``, in definition order."""
    return [prototype.declaration for prototype in prototypes(code)]


def first_definition_line(code: str) -> int | None:
    """Where the prototypes go: before the first definition, outside any ``#if`` around it."""
    found = prototypes(code)
    return min(prototype.opening_line for prototype in found) if found else None


def prototype_block(found: list[Prototype]) -> str:
    """The declarations as C++ lines, each conditional one wrapped in its own ``#if`` chain."""
    lines: list[str] = []
    for prototype in {p.declaration + repr(p.conditions): p for p in found}.values():
        for level in prototype.conditions:
            lines += level
        lines.append(prototype.declaration + ";")
        lines += ["#endif"] * len(prototype.conditions)
    return "".join(line + "\n" for line in lines)


def strip_default_arguments(code: str) -> str:
    """``code`` with the ``= default`` of each prototyped definition blanked (the prototype has it)."""
    masked = mask(code)
    declared = _declared_names(masked)
    text = list(code)
    for match in _DEFINITION.finditer(masked):
        start = match.start("sig")
        params = match["params"]
        if "=" not in params or match["name"] in declared:
            continue
        if masked.count("{", 0, start) != masked.count("}", 0, start):
            continue
        offset = match.start("params")
        for part in re.finditer(r"=[^,]*", params):
            for index in range(offset + part.start(), offset + part.end()):
                if text[index] != "\n":
                    text[index] = " "
    return "".join(text)
