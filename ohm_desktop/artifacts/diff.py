"""What changed between two versions of an artifact, in the terms a person reviews.

A BOM is compared part by part (matched by designator, else by name), firmware file by
file as unified diffs, wiring connection by connection (a wire is its two endpoints, in
either direction). The result is structured rows for the window's diff view and for
``--json``, plus :meth:`ArtifactDiff.text` for the terminal.

    diff = diff_versions("bom", old_content, new_content)
    for row in diff.rows:            # DiffRow(change, key, field, old, new)
        ...
    print(diff.text())
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

Change = Literal["added", "removed", "changed"]

_BOM_FIELD_ORDER = ("name", "quantity", "value", "footprint", "manufacturer", "mpn", "supplier_pn", "notes")


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One difference.

    ``key`` names the thing that changed: a BOM part (its designator, else its name), a
    code file path, a wiring connection (``"U1.D9 — R1.1"``), or a top-level field such as
    ``projectName``/``board``/``notes``. ``field`` is set for a changed attribute of a part
    or connection (``quantity``, ``value``, ``net``...); ``old``/``new`` hold the values
    (the whole part/connection for added/removed rows, ``None`` for file rows).
    """

    change: Change
    key: str
    field: str | None = None
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"change": self.change, "key": self.key, "field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class ArtifactDiff:
    """The differences between two versions of one artifact type.

    ``file_diffs`` maps a code file path to its unified diff (code artifacts only).
    """

    artifact_type: str
    rows: tuple[DiffRow, ...]
    file_diffs: dict[str, str] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        return not self.rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "artifact_type": self.artifact_type,
            "rows": [row.to_dict() for row in self.rows],
            "file_diffs": dict(self.file_diffs),
        }

    def text(self) -> str:
        """A terminal rendering: ``+``/``-``/``~`` lines, and unified diffs for code files."""
        if self.unchanged:
            return "no changes"
        lines: list[str] = []
        for row in self.rows:
            if self.artifact_type == "code" and row.field is None and row.key in self.file_diffs:
                lines.append(f"{_MARK[row.change]} {row.key}")
                lines.append(self.file_diffs[row.key].rstrip("\n"))
            elif row.change == "changed":
                label = f"{row.key}.{row.field}" if row.field else row.key
                lines.append(f"~ {label}: {_show(row.old)} → {_show(row.new)}")
            else:
                value = row.new if row.change == "added" else row.old
                lines.append(f"{_MARK[row.change]} {row.key}{_describe(value)}")
        return "\n".join(lines)


_MARK: dict[Change, str] = {"added": "+", "removed": "-", "changed": "~"}


def diff_versions(artifact_type: str, old: dict[str, Any], new: dict[str, Any]) -> ArtifactDiff:
    """The differences from ``old`` to ``new`` content of ``artifact_type`` (bom, code, wiring).

    Content is the stored JSON (already validated); unknown types raise ``ValueError``.
    """
    if artifact_type == "bom":
        return ArtifactDiff("bom", tuple(_diff_bom(old, new)))
    if artifact_type == "code":
        rows, file_diffs = _diff_code(old, new)
        return ArtifactDiff("code", tuple(rows), file_diffs)
    if artifact_type == "wiring":
        return ArtifactDiff("wiring", tuple(_diff_wiring(old, new)))
    raise ValueError(f"unknown artifact type {artifact_type!r}: use bom, code or wiring")


# -------------------------------------------------------------------------- bom
def _part_key(part: dict[str, Any]) -> str:
    designator = str(part.get("designator") or "").strip()
    return designator or str(part.get("name") or "?").strip()


def _keyed(items: list[dict[str, Any]], key_of: Any) -> dict[str, dict[str, Any]]:
    """Items by key; repeated keys get ``#2``, ``#3`` so nothing is silently merged."""
    keyed: dict[str, dict[str, Any]] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        key = base = key_of(item)
        count = 1
        while key in keyed:
            count += 1
            key = f"{base} #{count}"
        keyed[key] = item
    return keyed


def _diff_fields(key: str, old: dict[str, Any], new: dict[str, Any], skip: tuple[str, ...] = ()) -> list[DiffRow]:
    names = [name for name in _BOM_FIELD_ORDER if name in old or name in new]
    names += sorted((set(old) | set(new)) - set(names) - set(skip))
    return [
        DiffRow("changed", key, name, old.get(name), new.get(name))
        for name in names
        if name not in skip and old.get(name) != new.get(name)
    ]


def _diff_bom(old: dict[str, Any], new: dict[str, Any]) -> list[DiffRow]:
    rows: list[DiffRow] = []
    if old.get("projectName") != new.get("projectName"):
        rows.append(DiffRow("changed", "projectName", None, old.get("projectName"), new.get("projectName")))
    before = _keyed(list(old.get("parts") or []), _part_key)
    after = _keyed(list(new.get("parts") or []), _part_key)
    for key, part in after.items():
        if key not in before:
            rows.append(DiffRow("added", key, None, None, part))
    for key, part in before.items():
        if key not in after:
            rows.append(DiffRow("removed", key, None, part, None))
    for key, part in after.items():
        if key in before:
            rows.extend(_diff_fields(key, before[key], part, skip=("designator",)))
    rows.extend(_diff_top_level(old, new, handled=("projectName", "parts")))
    return rows


# ------------------------------------------------------------------------- code
def _diff_code(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[DiffRow], dict[str, str]]:
    rows: list[DiffRow] = []
    file_diffs: dict[str, str] = {}
    if old.get("board") != new.get("board"):
        rows.append(DiffRow("changed", "board", None, old.get("board"), new.get("board")))
    before = {str(f.get("path")): str(f.get("content", "")) for f in old.get("files") or [] if isinstance(f, dict)}
    after = {str(f.get("path")): str(f.get("content", "")) for f in new.get("files") or [] if isinstance(f, dict)}
    for path in [*after, *(p for p in before if p not in after)]:
        old_text, new_text = before.get(path), after.get(path)
        if old_text == new_text:
            continue
        change: Change = "added" if old_text is None else "removed" if new_text is None else "changed"
        rows.append(DiffRow(change, path))
        file_diffs[path] = "".join(
            difflib.unified_diff(
                (old_text or "").splitlines(keepends=True),
                (new_text or "").splitlines(keepends=True),
                fromfile="/dev/null" if old_text is None else f"a/{path}",
                tofile="/dev/null" if new_text is None else f"b/{path}",
            )
        )
        if not file_diffs[path].endswith("\n"):
            file_diffs[path] += "\n"
    rows.extend(_diff_top_level(old, new, handled=("board", "files")))
    return rows, file_diffs


# ----------------------------------------------------------------------- wiring
def connection_key(connection: dict[str, Any]) -> str:
    """A wire by its endpoints, direction-free: ``{from: R1.1, to: U1.D9}`` → ``"R1.1 — U1.D9"``."""
    ends = sorted(str(connection.get(end, "")).strip() for end in ("from", "to"))
    return f"{ends[0]} — {ends[1]}"


def _diff_wiring(old: dict[str, Any], new: dict[str, Any]) -> list[DiffRow]:
    rows: list[DiffRow] = []
    before = _keyed(list(old.get("connections") or []), connection_key)
    after = _keyed(list(new.get("connections") or []), connection_key)
    for key, connection in after.items():
        if key not in before:
            rows.append(DiffRow("added", key, None, None, connection))
    for key, connection in before.items():
        if key not in after:
            rows.append(DiffRow("removed", key, None, connection, None))
    for key, connection in after.items():
        if key in before:
            rows.extend(_diff_fields(key, before[key], connection, skip=("from", "to")))
    if old.get("notes") != new.get("notes"):
        rows.append(DiffRow("changed", "notes", None, old.get("notes"), new.get("notes")))
    rows.extend(_diff_top_level(old, new, handled=("connections", "notes")))
    return rows


def _diff_top_level(old: dict[str, Any], new: dict[str, Any], *, handled: tuple[str, ...]) -> list[DiffRow]:
    """Extra top-level fields (schemas allow them) compared as whole values."""
    rows = []
    for name in sorted((set(old) | set(new)) - set(handled)):
        if name not in new:
            rows.append(DiffRow("removed", name, None, old[name], None))
        elif name not in old:
            rows.append(DiffRow("added", name, None, None, new[name]))
        elif old[name] != new[name]:
            rows.append(DiffRow("changed", name, None, old[name], new[name]))
    return rows


def _show(value: Any) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _describe(value: Any) -> str:
    if not isinstance(value, dict):
        return "" if value is None else f": {_show(value)}"
    details = [f"{name}={_show(value[name])}" for name in _BOM_FIELD_ORDER if value.get(name) is not None]
    details += [f"{name}={_show(value[name])}" for name in ("net", "color") if value.get(name) is not None]
    return f" ({', '.join(details)})" if details else ""
