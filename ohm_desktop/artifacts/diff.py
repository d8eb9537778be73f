"""What changed between two versions of an artifact, in the artifact's own terms.

A BOM diff is by part (added, removed, quantity/value changed), firmware is a unified diff
per file, wiring is by connection. Rows are structured for the panels; ``text`` renders them
for the CLI and for models.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Literal

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class DiffRow:
    kind: ChangeKind
    key: str
    detail: str
    unified: str = ""  # code only: the unified diff of this file


@dataclass(frozen=True, slots=True)
class ArtifactDiff:
    artifact_type: str
    rows: tuple[DiffRow, ...] = field(default_factory=tuple)

    @property
    def unchanged(self) -> bool:
        return not self.rows

    def text(self) -> str:
        if not self.rows:
            return "No changes."
        marks = {"added": "+", "removed": "-", "changed": "~"}
        lines = []
        for row in self.rows:
            lines.append(f"{marks[row.kind]} {row.key}: {row.detail}")
            if row.unified:
                lines.append(row.unified.rstrip("\n"))
        return "\n".join(lines)


def _part_key(part: dict[str, Any], index: int) -> str:
    designator = str(part.get("designator") or "").strip()
    return designator or str(part.get("mpn") or part.get("name") or f"part {index + 1}")


_PART_FIELDS = ("name", "value", "quantity", "footprint", "manufacturer", "mpn", "supplier_pn", "notes")


def diff_bom(old: dict[str, Any], new: dict[str, Any]) -> list[DiffRow]:
    before = {_part_key(p, i): p for i, p in enumerate(old.get("parts", []))}
    after = {_part_key(p, i): p for i, p in enumerate(new.get("parts", []))}
    rows: list[DiffRow] = []
    for key, part in after.items():
        if key not in before:
            rows.append(
                DiffRow(
                    "added",
                    key,
                    f"{part.get('quantity', '?')} x {part.get('name', '')} {part.get('value') or ''}".strip(),
                )
            )
            continue
        changes = [
            f"{name} {before[key].get(name)!r} → {part.get(name)!r}"
            for name in _PART_FIELDS
            if before[key].get(name) != part.get(name)
        ]
        if changes:
            rows.append(DiffRow("changed", key, "; ".join(changes)))
    rows += [
        DiffRow("removed", key, f"{part.get('quantity', '?')} x {part.get('name', '')}".strip())
        for key, part in before.items()
        if key not in after
    ]
    if old.get("projectName") != new.get("projectName"):
        rows.insert(
            0, DiffRow("changed", "projectName", f"{old.get('projectName')!r} → {new.get('projectName')!r}")
        )
    return rows


def diff_code(old: dict[str, Any], new: dict[str, Any]) -> list[DiffRow]:
    before = {str(f.get("path")): str(f.get("content", "")) for f in old.get("files", [])}
    after = {str(f.get("path")): str(f.get("content", "")) for f in new.get("files", [])}
    rows: list[DiffRow] = []
    for path in sorted(set(before) | set(after)):
        old_text, new_text = before.get(path), after.get(path)
        if old_text == new_text:
            continue
        unified = "".join(
            difflib.unified_diff(
                (old_text or "").splitlines(keepends=True),
                (new_text or "").splitlines(keepends=True),
                fromfile=f"a/{path}",
                tofile=f"b/{path}",
            )
        )
        kind: ChangeKind = "added" if old_text is None else "removed" if new_text is None else "changed"
        changed_lines = sum(
            1 for line in unified.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
        )
        rows.append(DiffRow(kind, path, f"{changed_lines} line(s)", unified))
    if old.get("board") != new.get("board"):
        rows.insert(0, DiffRow("changed", "board", f"{old.get('board')!r} → {new.get('board')!r}"))
    return rows


def _connection_key(connection: dict[str, Any]) -> str:
    ends = sorted((str(connection.get("from", "")), str(connection.get("to", ""))))
    return f"{ends[0]} — {ends[1]}"


def diff_wiring(old: dict[str, Any], new: dict[str, Any]) -> list[DiffRow]:
    before = {_connection_key(c): c for c in old.get("connections", [])}
    after = {_connection_key(c): c for c in new.get("connections", [])}
    rows: list[DiffRow] = []
    for key, connection in after.items():
        if key not in before:
            rows.append(DiffRow("added", key, f"net {connection.get('net') or '-'}"))
        else:
            changes = [
                f"{name} {before[key].get(name)!r} → {connection.get(name)!r}"
                for name in ("net", "color")
                if before[key].get(name) != connection.get(name)
            ]
            if changes:
                rows.append(DiffRow("changed", key, "; ".join(changes)))
    rows += [
        DiffRow("removed", key, f"net {c.get('net') or '-'}") for key, c in before.items() if key not in after
    ]
    return rows


_DIFFERS = {"bom": diff_bom, "code": diff_code, "wiring": diff_wiring}


def diff_versions(artifact_type: str, old: dict[str, Any], new: dict[str, Any]) -> ArtifactDiff:
    """The structured difference from ``old`` to ``new`` content of one artifact type."""
    differ = _DIFFERS.get(artifact_type)
    if differ is None:
        raise ValueError(f"unknown artifact type {artifact_type!r}")
    return ArtifactDiff(artifact_type, tuple(differ(old, new)))
