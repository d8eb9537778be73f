"""How rows look on the wire: the outbox payload shape is what the server stores.

Server rows carry two more columns, ``owner`` and ``server_seq``, and timestamps in
PostgreSQL's JSON form (``2026-01-02T03:04:05.123456+00:00``); :func:`to_local` turns them
back into the local store's shape and timestamp format, so a row that went up and came back
compares equal to the local one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

SyncTable = Literal["chats", "chat_members", "messages", "artifacts", "artifact_versions"]

#: Push order within a batch: parents before children (foreign keys on the server).
PUSH_ORDER: tuple[SyncTable, ...] = ("chats", "artifacts", "artifact_versions", "messages")
#: Pull order for catch-up: memberships (which chats are shared with us) first, then parents.
PULL_ORDER: tuple[SyncTable, ...] = ("chat_members", "chats", "artifacts", "artifact_versions", "messages")
#: What the Realtime subscription listens to. Not chat_members: Realtime sends every DELETE
#: to every subscriber unfiltered, so membership changes come as per-account
#: ``membership_changes`` rows (RLS: only the account they are about) — see the migration
#: 20261202000000_ohm_security.sql.
REALTIME_TABLES: tuple[str, ...] = (
    "chats", "artifacts", "artifact_versions", "messages", "membership_changes", "chat_invitations",
)
#: Tables whose rows may change after insert (everything else is insert-only on the server).
MUTABLE_TABLES: frozenset[str] = frozenset({"chats"})

_COLUMNS: dict[str, tuple[str, ...]] = {
    "chats": ("id", "title", "created_at", "updated_at", "deleted_at"),
    "messages": (
        "id", "chat_id", "seq", "role", "content", "status", "agent_intent", "agent_name", "model",
        "metadata", "created_at",
    ),
    "artifacts": ("id", "chat_id", "type", "created_at"),
    "artifact_versions": (
        "id", "artifact_id", "chat_id", "version_number", "content", "change_summary", "created_by",
        "message_id", "created_at",
    ),
}
_TIMESTAMPS = ("created_at", "updated_at", "deleted_at")


def local_timestamp(value: str | None) -> str | None:
    """Any ISO-8601 instant as the store's format: UTC, microseconds, ``Z``."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def to_local(table: str, record: dict[str, Any]) -> dict[str, Any]:
    """A server row (REST or Realtime) in the local store's shape."""
    columns = _COLUMNS.get(table)
    if columns is None:
        return dict(record)
    row = {name: record.get(name) for name in columns}
    for name in _TIMESTAMPS:
        if name in row:
            row[name] = local_timestamp(row[name])
    return row


#: How a person (not a specialist) signs a version on their own workstation.
PERSON_AUTHORS = frozenset({"you", "user"})
TEAMMATE = "a teammate"


def attributed(record: dict[str, Any], you: str | None) -> dict[str, Any]:
    """A pulled version as this account sees it: "you" written by another account is "a teammate".

    ``created_by`` is what the writer's workstation said; the server's ``owner`` is who pushed it.
    """
    owner = record.get("owner")
    if owner is not None and you is not None and str(owner) != you and record.get("created_by") in PERSON_AUTHORS:
        return {**record, "created_by": TEAMMATE}
    return record


def server_seq(record: dict[str, Any]) -> int:
    return int(record.get("server_seq") or 0)
