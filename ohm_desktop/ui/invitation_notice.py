"""Invitations to shared chats, shown above the transcript: Accept or Decline, never modal.

The window renders what :class:`~ohm_desktop.sync.SyncService` reports (its pending
invitations) and calls it back; nothing is shared with this account until Accept is clicked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ohm_desktop.sync.invitations import Invitation


class InvitationRow(QFrame):
    """One invitation: who invites you to what, and the two answers."""

    def __init__(self, invitation: Invitation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.invitation = invitation
        self.setObjectName("invitation")
        self.setStyleSheet("#invitation{background:#ddf4ff;border:1px solid #54aeff;border-radius:6px}")
        self.text = QLabel(
            f"{invitation.inviter_email} invites you to “{invitation.chat_title}”. "
            "Accept to see it and work in it with them."
        )
        self.text.setWordWrap(True)
        self.accept_button = QPushButton("Accept")
        self.decline_button = QPushButton("Decline")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.text, 1)
        row.addWidget(self.accept_button)
        row.addWidget(self.decline_button)

    def set_busy(self, busy: bool) -> None:
        self.accept_button.setEnabled(not busy)
        self.decline_button.setEnabled(not busy)


class InvitationNotices(QWidget):
    """A row per pending invitation; hidden when there is none."""

    #: One sentence for the window's toasts (what happened, or what went wrong).
    notice = Signal(str)

    def __init__(
        self,
        accept: Callable[[str], Awaitable[object]],
        decline: Callable[[str], Awaitable[object]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._accept = accept
        self._decline = decline
        self.rows: dict[str, InvitationRow] = {}
        self._answering: set[asyncio.Future[object]] = set()  # kept alive until done
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 4)
        self.hide()

    def show_invitations(self, pending: list[Invitation]) -> None:
        """Render ``pending`` (the sync service's list): new rows appear, answered ones go."""
        wanted = {invitation.id: invitation for invitation in pending}
        for invitation_id in [i for i in self.rows if i not in wanted]:
            self.rows.pop(invitation_id).deleteLater()
        for invitation in pending:
            if invitation.id not in self.rows:
                row = InvitationRow(invitation, self)
                row.accept_button.clicked.connect(lambda *_, r=row: self._answer(r, accepted=True))
                row.decline_button.clicked.connect(lambda *_, r=row: self._answer(r, accepted=False))
                self._layout.addWidget(row)
                self.rows[invitation.id] = row
        self.setVisible(bool(self.rows))

    def _answer(self, row: InvitationRow, *, accepted: bool) -> None:
        row.set_busy(True)
        call = self._accept if accepted else self._decline
        task = asyncio.ensure_future(call(row.invitation.id))
        title = row.invitation.chat_title

        def done(finished: asyncio.Future[object]) -> None:
            self._answering.discard(finished)
            error = None if finished.cancelled() else finished.exception()
            if error is not None:
                row.set_busy(False)
                self.notice.emit(str(getattr(error, "message", "")) or f"Answering the invitation failed ({type(error).__name__}).")
                return
            invitation_id = row.invitation.id
            if invitation_id in self.rows:
                self.rows.pop(invitation_id).deleteLater()
            self.setVisible(bool(self.rows))
            self.notice.emit(
                f"Accepted: “{title}” is shared with you and arrives as sync pulls it."
                if accepted
                else f"Declined “{title}”: nothing was shared."
            )

        self._answering.add(task)
        task.add_done_callback(done)
