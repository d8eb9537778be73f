"""Typed turn events: what one orchestrator turn tells its listeners.

The CLI prints them as JSON lines (``ohm ask --json``) and the window renders them. The
field names and the ``type`` strings are a contract (shared/DESIGN.md, "Turn events").
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Literal

RotationReason = Literal["rate_limited", "out_of_credits", "invalid", "server_error"]


@dataclass(frozen=True, slots=True)
class AgentSelected:
    intent: str
    agent: str
    name: str
    model: str
    by: Literal["router", "override"]
    type: Literal["agent_selected"] = "agent_selected"


@dataclass(frozen=True, slots=True)
class TextDelta:
    delta: str
    type: Literal["text"] = "text"


@dataclass(frozen=True, slots=True)
class ToolCallStarted:
    id: str
    name: str
    artifact_type: str | None
    status: Literal["started"] = "started"
    type: Literal["tool_call"] = "tool_call"


@dataclass(frozen=True, slots=True)
class ToolResult:
    id: str
    ok: bool
    artifact_id: str | None = None
    version: int | None = None
    error: str | None = None
    type: Literal["tool_result"] = "tool_result"


@dataclass(frozen=True, slots=True)
class KeyRotation:
    """A switch between pool keys. ``from``/``to`` are masked labels, never keys."""

    from_key: str | None
    to_key: str | None
    reason: RotationReason
    wait_s: float = 0.0
    type: Literal["key_rotation"] = "key_rotation"

    def notice(self) -> str:
        """The one-line notice the CLI and the window show for this switch."""
        reason = self.reason.replace("_", " ")
        if self.to_key is None:
            return f"All keys busy ({reason}): waiting {max(1, round(self.wait_s))} s for a key."
        return f"Key {self.from_key} {reason}, switched to {self.to_key}."

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "from": self.from_key,
            "to": self.to_key,
            "reason": self.reason,
            "wait_s": round(self.wait_s, 3),
        }


@dataclass(frozen=True, slots=True)
class Metadata:
    message_id: str
    chat_id: str
    model: str
    usage: dict[str, int] = field(default_factory=dict)
    latency_ms: int = 0
    type: Literal["metadata"] = "metadata"


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    kind: str
    message: str
    retryable: bool
    type: Literal["error"] = "error"


@dataclass(frozen=True, slots=True)
class Done:
    type: Literal["done"] = "done"


TurnEvent = AgentSelected | TextDelta | ToolCallStarted | ToolResult | KeyRotation | Metadata | ErrorEvent | Done


def event_to_dict(event: TurnEvent) -> dict[str, Any]:
    """The JSON form of an event, with ``type`` first as DESIGN.md requires."""
    if isinstance(event, KeyRotation):
        return event.to_json_dict()
    body = dataclasses.asdict(event)
    kind = body.pop("type")
    return {"type": kind, **body}


def event_to_json(event: TurnEvent) -> str:
    return json.dumps(event_to_dict(event), ensure_ascii=False, separators=(",", ":"))
