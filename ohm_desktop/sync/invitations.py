"""Invitations to shared chats: nobody is added to a chat without saying yes.

``share_chat`` on the server records a pending invitation for an email address (the same
answer whether an account has it or not); the invitee sees it here, in ``ohm sync
invitations`` and as a notice in the window, and accepts or declines it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Invitation:
    """One pending invitation to the signed-in account."""

    id: str
    chat_id: str
    chat_title: str
    inviter_email: str
    created_at: str

    @classmethod
    def from_server(cls, row: dict[str, Any]) -> Invitation:
        return cls(
            str(row["id"]),
            str(row["chat_id"]),
            str(row.get("chat_title") or "(untitled)"),
            str(row.get("inviter_email") or "(unknown)"),
            str(row.get("created_at") or ""),
        )

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.id, "chat_id": self.chat_id, "chat_title": self.chat_title,
            "from": self.inviter_email, "created_at": self.created_at,
        }


InvitationsListener = Callable[[list[Invitation]], None]


def invited_sentence(email: str, title: str) -> str:
    """What the inviter is told, the same whether an account has that email or not."""
    return (
        f"Invited {email} to “{title}”: they get access once they accept "
        "(`ohm sync invitations` or the notice in their window)."
    )


def find_invitation(invitations: list[Invitation], prefix: str) -> Invitation | None:
    """The one invitation whose id starts with ``prefix`` (None if none or several)."""
    matches = [i for i in invitations if i.id.startswith(prefix.strip().lower())]
    return matches[0] if len(matches) == 1 else None
