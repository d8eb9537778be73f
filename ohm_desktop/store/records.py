"""Immutable records read from the local store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ArtifactType = Literal["bom", "code", "wiring"]
ARTIFACT_TYPES: tuple[ArtifactType, ...] = ("bom", "code", "wiring")
MessageRole = Literal["user", "assistant", "system", "tool"]
MessageStatus = Literal["complete", "streaming", "interrupted", "error"]


@dataclass(frozen=True, slots=True)
class Chat:
    id: str
    title: str
    created_at: str
    updated_at: str
    deleted_at: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    chat_id: str
    seq: int
    role: MessageRole
    content: str
    status: MessageStatus
    created_at: str
    agent_intent: str | None = None
    agent_name: str | None = None
    model: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Artifact:
    id: str
    chat_id: str
    type: ArtifactType
    current_version: int
    created_at: str


@dataclass(frozen=True, slots=True)
class ArtifactVersion:
    id: str
    artifact_id: str
    chat_id: str
    type: ArtifactType
    version_number: int
    content: dict[str, Any]
    change_summary: str
    created_by: str
    created_at: str
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoreChange:
    """Told to store listeners after a commit: which row of which table changed."""

    table: Literal["chats", "messages", "artifacts", "artifact_versions"]
    row_id: str
    chat_id: str
    origin: Literal["local", "sync"] = "local"


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A local change waiting to be pushed to Supabase; ``payload`` is the row as the server stores it."""

    seq: int
    table: Literal["chats", "messages", "artifacts", "artifact_versions"]
    row_id: str
    payload: dict[str, Any]
    attempts: int
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class MissingParent:
    """A pulled row that could not be applied yet because its chat or artifact is not here."""

    table: Literal["chats", "artifacts"]
    row_id: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One full-text search result: a message, or the latest matching version of an artifact.

    ``snippet`` is a short excerpt with each match wrapped in the ``mark`` pair given to
    :meth:`LocalStore.search`; ``score`` is FTS5's bm25 (lower is better).
    """

    kind: Literal["message", "artifact"]
    chat_id: str
    chat_title: str
    snippet: str
    score: float
    message_id: str | None = None
    seq: int | None = None
    role: MessageRole | None = None
    artifact_type: ArtifactType | None = None
    version_number: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "chat_id": self.chat_id,
            "chat_title": self.chat_title,
            "snippet": self.snippet,
            "score": self.score,
            "message_id": self.message_id,
            "seq": self.seq,
            "role": self.role,
            "artifact_type": self.artifact_type,
            "version_number": self.version_number,
        }

