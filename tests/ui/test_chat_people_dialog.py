"""People with access, from the chat list: invite and remove as the owner, leave as a teammate."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.support.supabase_standin import StandinProcess
from tests.ui.conftest import other_workstation, scenario, synced_window, until

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

PASSWORD = "people dialog password"


def _answer(dialog, button: QMessageBox.StandardButton) -> None:  # type: ignore[no-untyped-def]
    [box] = [b for b in dialog.findChildren(QMessageBox) if b.isVisible()]
    box.button(button).click()


def _rows(dialog) -> list[str]:  # type: ignore[no-untyped-def]
    return [dialog.people.item(row).text() for row in range(dialog.people.count())]


def test_the_owner_invites_and_removes_a_teammate_from_the_dialog(  # type: ignore[no-untyped-def]
    runtime, qtbot, qt_loop, standin: StandinProcess, tmp_path: Path
) -> None:
    window = synced_window(runtime, qtbot, (standin.url, standin.anon_key))
    owner, mate = f"owner-{tmp_path.name[-8:]}@example.test", f"mate-{tmp_path.name[-8:]}@example.test"
    mate_store, mate_sync = other_workstation(tmp_path / "mate", (standin.url, standin.anon_key))

    async def steps() -> None:
        await runtime.sync.login(owner, PASSWORD, signup=True)
        await mate_sync.login(mate, PASSWORD, signup=True)
        chat_id = window.session.new_chat()
        window.store.add_message(chat_id, "user", "Does this buck converter need a snubber?")

        dialog = window.open_chat_people(chat_id)
        await until(lambda: _rows(dialog) == [f"{owner} — owner (you)"], 20)
        assert "Only you have access" in dialog.status.text()
        assert dialog.invite_button.isEnabled() and not dialog.leave_button.isEnabled()
        dialog.invite_email.setText("not an email")
        qtbot.mouseClick(dialog.invite_button, Qt.MouseButton.LeftButton)
        assert dialog.status.text() == "That is not an email address: nobody was invited."
        dialog.invite_email.setText(mate)
        qtbot.keyClick(dialog.invite_email, Qt.Key.Key_Return)
        await until(lambda: dialog.status.text() == f"Invited {mate}: they get access once they accept.", 20)
        assert _rows(dialog) == [f"{owner} — owner (you)", f"{mate} — invited (has not accepted yet)"]
        assert dialog.invite_email.text() == ""
        # Taking an invitation back, then inviting again.
        dialog.people.setCurrentRow(1)
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
        _answer(dialog, QMessageBox.StandardButton.Yes)
        await until(lambda: dialog.status.text() == f"Took back the invitation to {mate}.", 20)
        assert _rows(dialog) == [f"{owner} — owner (you)"]
        assert await mate_sync.invitations() == []
        dialog.invite_email.setText(mate)
        qtbot.keyClick(dialog.invite_email, Qt.Key.Key_Return)
        await until(lambda: len(_rows(dialog)) == 2, 20)
        await mate_sync.run_once()
        assert mate_store.list_chats() == []  # nothing is shared before they say yes
        [invitation] = await mate_sync.invitations()
        await mate_sync.accept_invitation(invitation.id)
        await mate_sync.run_once()
        dialog.load()
        await until(lambda: _rows(dialog) == [f"{owner} — owner (you)", f"{mate} — member"], 20)
        assert [m.content for m in mate_store.list_messages(chat_id)] == ["Does this buck converter need a snubber?"]

        dialog.people.setCurrentRow(0)
        assert not dialog.remove_button.isEnabled()  # nobody removes the owner
        dialog.people.setCurrentRow(1)
        assert dialog.remove_button.isEnabled()
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
        _answer(dialog, QMessageBox.StandardButton.Cancel)
        assert len(_rows(dialog)) == 2
        qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
        _answer(dialog, QMessageBox.StandardButton.Yes)
        await until(lambda: _rows(dialog) == [f"{owner} — owner (you)"], 20)
        assert dialog.status.text().startswith(f"Removed {mate}")
        await mate_sync.run_once()
        assert chat_id in mate_store.detached_chats()

    try:
        scenario(qt_loop, steps())
    finally:
        window.close()
        mate_store.close()


def test_a_teammate_leaves_and_the_chat_stays_marked_as_kept_here(  # type: ignore[no-untyped-def]
    runtime, qtbot, qt_loop, standin: StandinProcess, tmp_path: Path
) -> None:
    window = synced_window(runtime, qtbot, (standin.url, standin.anon_key))
    owner, mate = f"owner-{tmp_path.name[-8:]}@example.test", f"mate-{tmp_path.name[-8:]}@example.test"
    owner_store, owner_sync = other_workstation(tmp_path / "owner", (standin.url, standin.anon_key))

    async def steps() -> None:
        await owner_sync.login(owner, PASSWORD, signup=True)
        await runtime.sync.login(mate, PASSWORD, signup=True)
        chat = owner_store.create_chat("Owner's motor driver")
        owner_store.add_message(chat.id, "user", "an L298N or a DRV8833?")
        await owner_sync.share_chat(chat.id, mate)
        # The invitation reaches the window live as a notice; nothing is shared before Accept.
        await until(lambda: len(window.invitations.rows) == 1 and window.invitations.isVisible(), 30)
        [row] = window.invitations.rows.values()
        assert row.text.text() == f"{owner} invites you to “Owner's motor driver”. Accept to see it and work in it with them."
        assert window.store.list_chats() == []
        qtbot.mouseClick(row.accept_button, Qt.MouseButton.LeftButton)
        await until(lambda: window.chat_id == chat.id, 30)  # arrives live and opens
        await until(lambda: not window.invitations.isVisible(), 10)
        assert any(t.startswith("Accepted: “Owner's motor driver”") for t in window.toasts.history)

        dialog = window.open_chat_people(chat.id)
        await until(lambda: len(_rows(dialog)) == 2, 20)
        assert _rows(dialog) == [f"{owner} — owner", f"{mate} — member (you)"]
        assert dialog.leave_button.isEnabled()
        assert not dialog.invite_button.isEnabled() and not dialog.remove_button.isEnabled()
        qtbot.mouseClick(dialog.leave_button, Qt.MouseButton.LeftButton)
        _answer(dialog, QMessageBox.StandardButton.Yes)
        await until(lambda: "You left this chat" in dialog.status.text(), 20)
        await until(lambda: window.toasts.history[-1].startswith("You left “Owner's motor driver”"), 10)
        await until(lambda: "on this workstation only" in window.chat_list.items.item(0).text(), 10)
        assert "You left this chat" in window.chat_list.items.item(0).toolTip()
        dialog.close()

        again = window.open_chat_people(chat.id)  # no server round trip: it says why at once
        assert "You left this chat" in again.status.text() and not again.leave_button.isEnabled()
        window.store.add_message(chat.id, "user", "a note for myself")
        assert window.runtime.sync.status().queued == 0
        again.close()

    try:
        scenario(qt_loop, steps())
    finally:
        window.close()
        owner_store.close()


def test_declining_an_invitation_in_the_window_shares_nothing(  # type: ignore[no-untyped-def]
    runtime, qtbot, qt_loop, standin: StandinProcess, tmp_path: Path
) -> None:
    window = synced_window(runtime, qtbot, (standin.url, standin.anon_key))
    owner, mate = f"owner-{tmp_path.name[-8:]}@example.test", f"mate-{tmp_path.name[-8:]}@example.test"
    owner_store, owner_sync = other_workstation(tmp_path / "owner", (standin.url, standin.anon_key))

    async def steps() -> None:
        await owner_sync.login(owner, PASSWORD, signup=True)
        await runtime.sync.login(mate, PASSWORD, signup=True)
        chat = owner_store.create_chat("Not for you")
        await owner_sync.share_chat(chat.id, mate)
        await until(lambda: len(window.invitations.rows) == 1, 30)
        [row] = window.invitations.rows.values()
        qtbot.mouseClick(row.decline_button, Qt.MouseButton.LeftButton)
        await until(lambda: not window.invitations.isVisible(), 20)
        assert "Declined “Not for you”: nothing was shared." in window.toasts.history
        assert await runtime.sync.service.invitations() == []
        assert [p.email for p in await owner_sync.chat_people(chat.id)] == [owner]
        assert window.store.list_chats() == []

    try:
        scenario(qt_loop, steps())
    finally:
        window.close()
        owner_store.close()
