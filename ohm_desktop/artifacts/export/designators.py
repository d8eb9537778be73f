"""Reference designators: ``"R1-R3, R7"`` → ``["R1", "R2", "R3", "R7"]``, and which BOM part a reference is.

    expand_designators("IR1-IR3")      == ["IR1", "IR2", "IR3"]
    expand_designators("C1, C2 C5–C6") == ["C1", "C2", "C5", "C6"]
    part_for_reference(bom, "R2")      -> the BOM part whose designators include R2
"""

from __future__ import annotations

import re
from typing import Any

from ohm_desktop.artifacts.export.base import parts_of, text

# "R1-R3", "R1–R3" (en dash), "R1..R3" and the short "R1-3".
_RANGE = re.compile(r"^([A-Za-z_]+)(\d+)\s*(?:-|–|\.\.)\s*(?:\1)?(\d+)$")
_MAX_RANGE = 1000  # a typo such as R1-R10000 must not produce ten thousand parts


def expand_designators(field: str) -> list[str]:
    """Every designator a BOM field names, ranges expanded, order kept, duplicates dropped."""
    result: list[str] = []
    normalised = re.sub(r"\s*(-|–|\.\.)\s*", r"\1", field)
    for token in re.split(r"[,;\s]+", normalised):
        if not token:
            continue
        match = _RANGE.match(token)
        if match and int(match[3]) >= int(match[2]) and int(match[3]) - int(match[2]) < _MAX_RANGE:
            width = len(match[2]) if match[2].startswith("0") else 0
            result.extend(f"{match[1]}{n:0{width}d}" for n in range(int(match[2]), int(match[3]) + 1))
        else:
            result.append(token)
    return list(dict.fromkeys(result))


def designators_of(part: dict[str, Any]) -> list[str]:
    return expand_designators(text(part.get("designator")))


def part_for_reference(bom: dict[str, Any] | None, reference: str) -> dict[str, Any] | None:
    """The BOM part that ``reference`` (a wiring part such as ``U1``) belongs to, if any."""
    for part in parts_of(bom):
        if reference in designators_of(part):
            return part
    return None
