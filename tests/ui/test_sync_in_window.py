"""Sync as a user meets it in the window: sign in from Settings → Sync, see another bench's work arrive."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from ohm_desktop.config import load_settings
from tests.support.secret_service import require_secret_service
from tests.support.supabase_standin import StandinProcess
from tests.ui.conftest import other_workstation, scenario, synced_window, until

pytestmark = [pytest.mark.postgres, pytest.mark.keyring, pytest.mark.timeout(120)]

PASSWORD = "window test password"
BOM = {"projectName": "Bench 2 board", "parts": [{"name": "ESP32-C3", "quantity": 1}]}


def test_sign_in_from_settings_then_another_benchs_work_appears_live(  # type: ignore[no-untyped-def]
    window, qtbot, qt_loop, standin: StandinProcess, tmp_path: Path
) -> None:
    require_secret_service()
    from ohm_desktop.ui.dialogs.settings import SettingsDialog

    email = f"window-{tmp_path.name[-8:]}@example.test"
    assert "off" in window.status.sync.text()

    async def steps() -> None:
        dialog = SettingsDialog(window.runtime, window.settings_service, window)
        qtbot.addWidget(dialog)
        dialog.open()
        dialog.show_tab("Sync")
        dialog.supabase_url.setText(standin.url)
        dialog.supabase_anon_key.setText(standin.anon_key)
        dialog.sync_email.setText(email)
        dialog.sync_password.setText("short")
        dialog.sync_signup.setChecked(True)
        dialog.supabase_url.setText("ftp://nope")
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        assert "must start with https://" in dialog.sync_result.text()
        dialog.supabase_url.setText(standin.url)
        dialog.sync_password.setText(PASSWORD)
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        await until(lambda: "● sync: live" in window.status.sync.text(), 30)
        assert f"Signed in as {email}" in dialog.sync_result.text()
        assert dialog.sync_password.text() == ""  # the password is not kept in the form
        saved = load_settings(window.runtime.paths)
        assert (saved.supabase_url, saved.supabase_anon_key) == (standin.url, standin.anon_key)
        assert email in window.status.sync.toolTip()

        # Bench 2 (another workstation of the same account) writes a chat, a message and a BOM.
        other_store, other = other_workstation(tmp_path / "bench2", (standin.url, standin.anon_key))
        try:
            await other.login(email, PASSWORD)
            chat = other_store.create_chat("From the other bench")
            other_store.add_message(chat.id, "user", "hello from bench 2")
            version = other_store.write_version(chat.id, "bom", BOM, change_summary="first BOM", created_by="BOM Specialist")
            await other.run_once()

            # This window had no chat open: the first one to arrive opens, with its history and BOM.
            await until(lambda: window.chat_id == chat.id, 20)
            await until(lambda: any(r.content == "hello from bench 2" for r in window.transcript.model.rows), 20)
            bom = window.panels["bom"]
            await until(lambda: bool(bom.versions) and bom.versions[-1].id == version.id, 20)
            assert "first BOM" in bom.meta.text()
            assert window.chat_list.items.count() == 1

            # And back: what is written here reaches bench 2.
            window.store.add_message(chat.id, "user", "reply from bench 1")
            await until(lambda: window.runtime.sync.status().queued == 0, 20)
            await other.run_once()
            assert [m.content for m in other_store.list_messages(chat.id)] == ["hello from bench 2", "reply from bench 1"]
        finally:
            other_store.close()

        # The status bar's menu can sync right away; signing out turns sync off and says so.
        window.status.sync_now_action.trigger()
        qtbot.mouseClick(dialog.sign_out_button, Qt.MouseButton.LeftButton)
        await until(lambda: "○ sync: off" in window.status.sync.text(), 20)
        await until(lambda: "Signed out" in dialog.sync_result.text(), 10)  # once the keyring has forgotten it
        assert await window.runtime.sync.service.signed_in_email() is None
        dialog.close()

    scenario(qt_loop, steps())


def test_sync_state_changes_are_shown_and_announced_once(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Offline and back, and a sync that stopped by itself, each get one notice; repeats stay quiet."""
    from ohm_desktop.sync import SyncStatus

    shown: list[str] = []
    window.notify = lambda text, kind="info": shown.append(text)  # type: ignore[method-assign]
    window._on_sync_status(SyncStatus("live", detail="Live with example.supabase.co as me@example.test."))
    window._on_sync_status(SyncStatus("offline", queued=3, detail="Offline: the server cannot be reached. 3 change(s) wait."))
    window._on_sync_status(SyncStatus("offline", queued=4, detail="Offline: the server cannot be reached. 4 change(s) wait."))
    assert window.status.sync.text() == "⚠ sync: offline (4 queued)"
    assert "4 change(s) wait" in window.status.sync.toolTip()
    window._on_sync_status(SyncStatus("live", detail="Live."))
    refused = "Only the owner of a shared chat can rename it or move it to the trash: it keeps the owner's title."
    window._on_sync_status(SyncStatus("live", last_error=refused, detail="Live."))
    window._on_sync_status(SyncStatus("live", last_error=refused, detail="Live."))
    ended = "Your Supabase session has ended: sign in again."
    window._on_sync_status(SyncStatus("off", last_error=ended, detail=ended))
    assert shown == [
        "Sync offline: the server cannot be reached. 3 change(s) wait.",
        "Sync is back online.",
        refused,
        ended,
    ]
    assert not window.status.sync_now_action.isEnabled()


def test_another_benchs_answer_arriving_mid_stream_does_not_end_this_answer(  # type: ignore[no-untyped-def]
    window, gateway, qtbot, qt_loop
) -> None:
    """Only this turn's own stored record replaces "thinking…"; a synced record is just added."""
    import uuid

    from tests.support.fake_gateway import Reply

    gateway.set_responder(lambda r: Reply(text="CHAT") if not r.stream else Reply(text="word " * 3000, chunk_chars=3))

    async def steps() -> None:
        window.composer.input.setPlainText("a long story please")
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
        await until(lambda: window.transcript.live.flushes > 2)
        assert window.chat_id is not None
        remote = {
            "id": str(uuid.uuid4()), "chat_id": window.chat_id, "seq": 40, "role": "assistant",
            "content": "Answer written on bench 2", "status": "complete", "agent_intent": "CHAT",
            "agent_name": "Bench Buddy", "model": "m", "metadata": {}, "created_at": "2026-01-01T00:00:00.000000Z",
        }
        assert window.store.apply_remote("messages", [remote]) == []
        await until(lambda: any(r.content == "Answer written on bench 2" for r in window.transcript.model.rows))
        assert window.session.running and window.transcript.live.isVisible()
        await until(lambda: not window.session.running, timeout=60)

    scenario(qt_loop, steps())
    assert not window.transcript.live.isVisible()
    contents = [r.content for r in window.transcript.model.rows]
    assert contents[0] == "a long story please" and "Answer written on bench 2" in contents
    assert any(c.startswith("word word") for c in contents)  # this turn's own answer, stored


def test_sharing_a_chat_from_the_chat_list_reaches_the_teammate(  # type: ignore[no-untyped-def]
    runtime, qtbot, qt_loop, standin: StandinProcess, tmp_path: Path
) -> None:
    window = synced_window(runtime, qtbot, (standin.url, standin.anon_key))
    owner, mate = f"owner-{tmp_path.name[-8:]}@example.test", f"mate-{tmp_path.name[-8:]}@example.test"
    mate_store, mate_sync = other_workstation(tmp_path / "mate", (standin.url, standin.anon_key))

    async def steps() -> None:
        await runtime.sync.login(owner, PASSWORD, signup=True)
        await mate_sync.login(mate, PASSWORD, signup=True)
        chat_id = window.session.new_chat()
        window.store.add_message(chat_id, "user", "Can you check my level shifter?")

        dialog = window.chat_list.ask_share(chat_id)
        dialog.setTextValue("not an email")
        dialog.accept()
        assert window.toasts.history[-1] == "That is not an email address: the chat was not shared."
        dialog = window.chat_list.ask_share(chat_id)
        dialog.setTextValue("nobody@example.test")
        dialog.accept()
        # No account enumeration: an email nobody uses gets the answer a teammate's gets.
        await until(lambda: window.toasts.history[-1].startswith("Invited nobody@example.test"), 20)
        unknown = window.toasts.history[-1]
        dialog = window.chat_list.ask_share(chat_id)
        dialog.setTextValue(mate)
        dialog.accept()
        await until(lambda: window.toasts.history[-1].startswith(f"Invited {mate}"), 20)
        assert window.toasts.history[-1] == unknown.replace("nobody@example.test", mate)

        await mate_sync.run_once()
        assert mate_store.list_chats() == []  # not before the teammate says yes
        [invitation] = await mate_sync.invitations()
        await mate_sync.accept_invitation(invitation.id)
        await mate_sync.run_once()
        assert [m.content for m in mate_store.list_messages(chat_id)] == ["Can you check my level shifter?"]

    try:
        scenario(qt_loop, steps())
    finally:
        window.close()
        mate_store.close()
