"""The tools agents can call, and the small executor that runs them (no framework).

``write`` stores a new immutable artifact version after validating its content; invalid
content is not stored and the validation errors go back to the model as the tool result so
it can correct itself. ``read`` returns the chat's current artifacts and the cross-artifact
consistency report, so firmware is written for the parts and wiring that actually exist.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from ohm_desktop.artifacts import validate_content
from ohm_desktop.errors import StoreError
from ohm_desktop.store import ARTIFACT_TYPES, ArtifactType, LocalStore

WRITE_SCHEMA: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "write",
        "description": (
            "Save a design artifact of this chat as a new immutable version. content must match the artifact "
            "type: bom {projectName, parts:[{designator?, name, quantity>0, value?, footprint?, manufacturer?, mpn?, "
            "supplier_pn?, notes?}]}; code {board? (FQBN), files:[{path, content}]}; wiring {connections:[{from: "
            "'U1.D9', to: 'R1.1', net?, color?}], notes?}. Invalid content is rejected with the errors to fix."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "artifact_type": {"type": "string", "enum": list(ARTIFACT_TYPES)},
                "content": {"type": "object", "description": "The complete artifact (not a patch)."},
                "change_summary": {"type": "string", "description": "One line: what changed and why."},
            },
            "required": ["artifact_type", "content", "change_summary"],
        },
    },
}

READ_SCHEMA: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "read",
        "description": (
            "Read the current version of this chat's artifacts (all, or one type) together with the "
            "consistency report between BOM, wiring and code."
        ),
        "parameters": {
            "type": "object",
            "properties": {"artifact_type": {"type": "string", "enum": [*ARTIFACT_TYPES, "all"]}},
            "required": [],
        },
    },
}

TOOL_SCHEMAS: dict[str, dict[str, Any]] = {"write": WRITE_SCHEMA, "read": READ_SCHEMA}


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """What a tool call did: ``model_text`` goes back to the model, the rest to events."""

    ok: bool
    model_text: str
    artifact_id: str | None = None
    version: int | None = None
    error: str | None = None


def parse_arguments(raw: str | dict[str, Any]) -> dict[str, Any]:
    """Tool arguments as a dict; raises ValueError with a sentence a model can act on."""
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"arguments are not valid JSON ({exc.msg} at char {exc.pos}); send one JSON object"
        ) from exc
    if not isinstance(value, dict):
        raise ValueError("arguments must be a JSON object")
    return value


class ToolExecutor:
    """Runs tool calls for one turn of one chat, writing through the local store."""

    def __init__(self, store: LocalStore, chat_id: str, *, author: str, message_id: str | None) -> None:
        self._store = store
        self._chat_id = chat_id
        self._author = author
        self._message_id = message_id

    def execute(self, name: str, raw_arguments: str | dict[str, Any]) -> ToolOutcome:
        try:
            arguments = parse_arguments(raw_arguments)
        except ValueError as exc:
            return _failure(str(exc))
        if name == "write":
            return self._write(arguments)
        if name == "read":
            return self._read(arguments)
        return _failure(f"unknown tool {name!r}; available tools: {', '.join(TOOL_SCHEMAS)}")

    def _write(self, arguments: dict[str, Any]) -> ToolOutcome:
        artifact_type = arguments.get("artifact_type")
        content = arguments.get("content")
        if isinstance(content, str):
            # Some models double-encode the object; accept it when it parses.
            with contextlib.suppress(json.JSONDecodeError):
                content = json.loads(content)
        summary = arguments.get("change_summary")
        if not isinstance(summary, str) or not summary.strip():
            summary = "Updated by the assistant"
        result = validate_content(str(artifact_type), content)
        if not result.ok:
            errors = "; ".join(result.errors)
            return _failure(f"not saved, fix these and call write again: {errors}")
        assert isinstance(content, dict) and artifact_type in ARTIFACT_TYPES
        kind: ArtifactType = artifact_type
        try:
            version = self._store.write_version(
                self._chat_id,
                kind,
                content,
                change_summary=summary.strip()[:500],
                created_by=self._author,
                message_id=self._message_id,
            )
        except StoreError as exc:
            return _failure(f"not saved: {exc.message}")
        return ToolOutcome(
            ok=True,
            model_text=json.dumps({"ok": True, "artifact_type": kind, "version": version.version_number}),
            artifact_id=version.artifact_id,
            version=version.version_number,
        )

    def _read(self, arguments: dict[str, Any]) -> ToolOutcome:
        wanted = str(arguments.get("artifact_type") or "all")
        if wanted != "all" and wanted not in ARTIFACT_TYPES:
            return _failure(f"artifact_type must be one of {', '.join((*ARTIFACT_TYPES, 'all'))}")
        current = {kind: self._store.get_version(self._chat_id, kind) for kind in ARTIFACT_TYPES}
        body: dict[str, Any] = {}
        for kind, version in current.items():
            if wanted in ("all", kind):
                body[kind] = (
                    None
                    if version is None
                    else {"version": version.version_number, "content": version.content}
                )
        body["consistency"] = consistency_report(
            *(None if current[kind] is None else current[kind].content for kind in ARTIFACT_TYPES)  # type: ignore[union-attr]
        )
        return ToolOutcome(ok=True, model_text=json.dumps(body, ensure_ascii=False))


def consistency_report(
    bom: dict[str, Any] | None, code: dict[str, Any] | None, wiring: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The cross-artifact findings as plain dicts (what the read tool and DEBUG agent see)."""
    from ohm_desktop.artifacts.consistency import check_consistency

    return [finding.to_dict() for finding in check_consistency(bom, code, wiring)]


def artifact_summary(store: LocalStore, chat_id: str) -> str:
    """One line per existing artifact, for the system prompt of every specialist."""
    lines = []
    for kind in ARTIFACT_TYPES:
        version = store.get_version(chat_id, kind)
        if version is None:
            continue
        content = version.content
        if kind == "bom":
            detail = f"{len(content.get('parts', []))} parts, project {content.get('projectName', '?')!r}"
        elif kind == "code":
            detail = "files " + ", ".join(str(f.get("path")) for f in content.get("files", []))
        else:
            detail = f"{len(content.get('connections', []))} connections"
        lines.append(f"- {kind} v{version.version_number}: {detail} (by {version.created_by})")
    if not lines:
        return "This chat has no artifacts yet."
    return "Current artifacts of this chat (use the read tool for their content):\n" + "\n".join(lines)


def _failure(message: str) -> ToolOutcome:
    return ToolOutcome(ok=False, model_text=json.dumps({"ok": False, "error": message}), error=message)
