"""What a row pulled from the server must satisfy before the store files it.

The server's policies are the first line (supabase/migrations/20261202000000_ohm_security.sql);
these checks are the second, for a project whose migrations are old or were changed: a row
claiming a chat other than its parent's, or a number no workstation would write, is refused,
recorded (``sync_refused_rows``) and never applied (issue #12: a forged version with number
2^31-1 became an artifact's current version and froze its numbering for good).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The largest version number or message sequence number accepted (the server's bound too).
MAX_NUMBER = 1_000_000
#: An author is "you" or a specialist's name: one short line.
MAX_AUTHOR_CHARS = 80


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why one pulled row is not applied (one sentence, shown by ``ohm sync status``)."""

    reason: str


@dataclass(frozen=True, slots=True)
class RefusedRow:
    """A pulled row that was refused: what it was and why."""

    table: str
    row_id: str
    chat_id: str | None
    reason: str
    refused_at: str


def number_refusal(value: Any, what: str) -> Refusal | None:
    """A refusal when ``value`` is not a whole number in 1…MAX_NUMBER."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_NUMBER:
        return Refusal(f"its {what} {value!r} is outside 1…{MAX_NUMBER}")
    return None


def author_refusal(value: Any) -> Refusal | None:
    """A refusal when ``created_by`` is not one short printable line."""
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_AUTHOR_CHARS or not value.isprintable():
        return Refusal(f"its author {str(value)[:40]!r} is not a name of at most {MAX_AUTHOR_CHARS} printable characters")
    return None


def chat_refusal(claimed: Any, parent_chat: str, parent: str) -> Refusal | None:
    """A refusal when a row names a chat (``claimed``) other than its parent's."""
    if claimed is not None and claimed != parent_chat:
        return Refusal(f"it names chat {claimed} but its {parent} belongs to chat {parent_chat}")
    return None
