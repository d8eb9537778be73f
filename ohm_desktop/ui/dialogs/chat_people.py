"""People with access to a chat: who sees it, invite a teammate, remove one, or leave.

Non-modal (the window keeps streaming behind it); every action is a coroutine of the sync
service run as a task, and the list is read again after each one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ohm_desktop.errors import OhmError
from ohm_desktop.sync.chat_people import ChatPerson

_PERSON = Qt.ItemDataRole.UserRole


@dataclass(frozen=True, slots=True)
class ChatPeopleActions:
    """What the dialog can ask of sync for one chat (the window binds the chat id)."""

    load: Callable[[], Awaitable[list[ChatPerson]]]
    invite: Callable[[str], Awaitable[None]]
    remove: Callable[[ChatPerson], Awaitable[None]]
    leave: Callable[[], Awaitable[None]]


class ChatPeopleDialog(QDialog):
    def __init__(
        self, title: str, actions: ChatPeopleActions, *, detached_reason: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"People with access — {title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(460)
        self._actions = actions
        self._tasks: set[asyncio.Task[None]] = set()
        self._people: list[ChatPerson] = []
        self.status = QLabel()
        self.status.setObjectName("chat-people-status")
        self.status.setWordWrap(True)
        self.people = QListWidget()
        self.people.setObjectName("chat-people")
        self.people.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.invite_email = QLineEdit()
        self.invite_email.setPlaceholderText("teammate@example.com (their Supabase account)")
        self.invite_button = QPushButton("Invite")
        self.invite_button.clicked.connect(self._invite)
        self.remove_button = QPushButton("Remove from chat")
        self.remove_button.clicked.connect(self._remove)
        self.leave_button = QPushButton("Leave chat")
        self.leave_button.clicked.connect(self._leave)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        for button in (self.invite_button, self.remove_button, self.leave_button, close):
            button.setAutoDefault(False)
        # Return means "Invite" (clicked only while enabled), never "close the dialog"; Esc closes.
        self.invite_button.setDefault(True)
        invite_row = QHBoxLayout()
        invite_row.addWidget(self.invite_email, 1)
        invite_row.addWidget(self.invite_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.leave_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.people, 1)
        layout.addLayout(invite_row)
        layout.addLayout(buttons)
        self._busy = False
        if detached_reason:
            self.status.setText(detached_reason)
        self._update_buttons()

    # ------------------------------------------------------------------ state
    @property
    def _you_own_it(self) -> bool:
        return any(person.is_you and person.role == "owner" for person in self._people)

    def _selected(self) -> ChatPerson | None:
        item = self.people.currentItem()
        if item is None:
            return None
        person: ChatPerson = item.data(_PERSON)
        return person

    def _update_buttons(self) -> None:
        known = bool(self._people) and not self._busy
        selected = self._selected()
        self.invite_button.setEnabled(known and self._you_own_it)
        self.invite_email.setEnabled(known and self._you_own_it)
        self.remove_button.setEnabled(known and self._you_own_it and selected is not None and selected.role != "owner")
        self.leave_button.setEnabled(known and not self._you_own_it)
        # Once the roles are known, show only what this account can do (the owner cannot leave).
        self.leave_button.setVisible(not (self._people and self._you_own_it))
        self.remove_button.setVisible(not self._people or self._you_own_it)

    def _show_people(self, people: list[ChatPerson]) -> None:
        self._people = people
        self.people.clear()
        for person in people:
            role = "invited (has not accepted yet)" if person.role == "invited" else person.role
            label = f"{person.email} — {role}{' (you)' if person.is_you else ''}"
            item = QListWidgetItem(label)
            item.setData(_PERSON, person)
            self.people.addItem(item)
        others = sum(1 for person in people if person.role == "member" or (person.role == "owner" and not person.is_you))
        pending = sum(1 for person in people if person.role == "invited")
        waiting = f" {pending} invitation(s) not answered yet." if pending else ""
        self.status.setText(
            f"Shared with {others} other {'person' if others == 1 else 'people'}.{waiting}"
            if others
            else f"Only you have access.{waiting}"
            if pending
            else "Only you have access. Invite a teammate by the email of their Supabase account."
            if self._you_own_it
            else "Only you have access."
        )
        self._update_buttons()

    # ---------------------------------------------------------------- actions
    def load(self) -> asyncio.Task[None]:
        """Read who has access (again); the list shows it when the server answers."""
        return self._run("Reading who has access…", self._load())

    async def _load(self) -> None:
        people = await self._actions.load()
        if self._alive():
            self._show_people(people)

    def _invite(self) -> None:
        email = self.invite_email.text().strip()
        if "@" not in email:
            self.status.setText("That is not an email address: nobody was invited.")
            return
        self._run(f"Inviting {email}…", self._then_reload(
            self._actions.invite(email), f"Invited {email}: they get access once they accept."
        ))

    def _remove(self) -> QMessageBox | None:
        person = self._selected()
        if person is None or person.role == "owner":
            return None
        if person.role == "invited":
            return self._confirm(
                f"Take back the invitation to {person.email}? Nothing of this chat was shared with them.",
                lambda: self._run(
                    f"Taking back the invitation to {person.email}…",
                    self._then_reload(self._actions.remove(person), f"Took back the invitation to {person.email}."),
                ),
            )
        done = f"Removed {person.email}; their copy stays on their workstations and no longer syncs."
        return self._confirm(
            f"Remove {person.email} from this chat? They keep what they have, but no longer see new messages "
            "or versions, and what they write stays on their workstation.",
            lambda: self._run(f"Removing {person.email}…", self._then_reload(self._actions.remove(person), done)),
        )

    def _leave(self) -> QMessageBox:
        return self._confirm(
            "Leave this chat? Your copy stays on this workstation but no longer syncs; "
            "only its owner can invite you again.",
            lambda: self._run("Leaving the chat…", self._left()),
        )

    def _confirm(self, question: str, then: Callable[[], object]) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, self.windowTitle(), question, parent=self)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        yes = box.button(QMessageBox.StandardButton.Yes)
        box.finished.connect(lambda _result: then() if box.clickedButton() is yes else None)
        box.open()  # not exec(): the event loop (and any streaming answer) keeps running
        return box

    async def _left(self) -> None:
        await self._actions.leave()
        if self._alive():
            self._people = []
            self.people.clear()
            self.status.setText("You left this chat: your copy stays on this workstation and no longer syncs.")

    async def _then_reload(self, action: Awaitable[None], done: str) -> None:
        await action
        people = await self._actions.load()
        if self._alive():
            self.invite_email.clear()
            self._show_people(people)
            self.status.setText(done)

    def _alive(self) -> bool:
        return shiboken6.isValid(self)

    def _run(self, busy: str, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        self._busy = True
        self.status.setText(busy)
        self._update_buttons()
        task = asyncio.ensure_future(self._guarded(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _guarded(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except OhmError as exc:
            if self._alive():
                self.status.setText(exc.message)
        finally:
            if self._alive():  # the dialog may have been closed (and deleted) meanwhile
                self._busy = False
                self._update_buttons()
