"""Who has access to a shared chat, as the window's "People with access" dialog shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

#: "invited": asked, not answered yet (only the inviter sees it; ``user_id`` is the invitation's id).
ChatRole = Literal["owner", "member", "invited"]


@dataclass(frozen=True, slots=True)
class ChatPerson:
    user_id: str
    email: str
    role: ChatRole
    #: This row is the signed-in account.
    is_you: bool = False

    @classmethod
    def from_server(cls, row: dict[str, Any], you: str | None) -> ChatPerson:
        role: ChatRole = "owner" if row.get("role") == "owner" else "member"
        return cls(str(row["user_id"]), str(row.get("email") or "(no email)"), role, str(row["user_id"]) == you)

    @classmethod
    def invited(cls, row: dict[str, Any]) -> ChatPerson:
        """A pending invitation (a ``chat_invitations`` row) as a person who has not said yes yet."""
        return cls(str(row["id"]), str(row["invitee_email"]), "invited")


def removal_reason(title: str) -> str:
    """What the window and ``ohm sync status`` say when a shared chat is no longer shared with us."""
    return (
        f"“{title}” is no longer shared with you (its owner removed you, or you left it on another "
        "workstation): your copy stays on this workstation and no longer syncs."
    )


LEFT_REASON = "You left this chat: your copy stays on this workstation and no longer syncs."
