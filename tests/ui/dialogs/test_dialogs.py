"""Onboarding and Settings dialogs on a real runtime."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ohm_desktop.config import load_settings
from tests.support.secret_service import require_secret_service


def test_onboarding_can_be_skipped_and_is_not_shown_again(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ohm_desktop.ui.dialogs.onboarding import OnboardingDialog

    dialog = OnboardingDialog(window.runtime, window.settings_service, window)
    qtbot.addWidget(dialog)
    dialog.open()
    assert dialog.pages.currentIndex() == 0
    qtbot.mouseClick(dialog.next, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 1 and dialog.keys_editor.keys.count() >= 1
    qtbot.mouseClick(dialog.skip, Qt.MouseButton.LeftButton)
    assert load_settings(window.runtime.paths).onboarding_done


def test_missing_keyring_is_explained_and_adding_is_disabled(window, qtbot, qt_loop, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ohm_desktop.ui.dialogs.keys_editor import KeysEditor
    from tests.ui.conftest import scenario

    monkeypatch.setattr(window.runtime.key_store, "keyring_available", lambda: False)
    editor = KeysEditor(window.runtime)
    qtbot.addWidget(editor)
    assert editor.keyring_note.text() == "Checking the OS keyring…" and not editor.add_button.isEnabled()
    scenario(qt_loop, editor.ready)
    assert "No OS keyring is available" in editor.keyring_note.text() and "plain text" in editor.keyring_note.text()
    assert not editor.add_button.isEnabled()
    assert "…aaaa" in editor.keys.item(0).text()  # the env key, masked


def test_adding_a_key_stores_it_in_the_keyring_and_the_pool_uses_it(window, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    require_secret_service()
    import threading

    from ohm_desktop.ui.dialogs.keys_editor import KeysEditor
    from tests.ui.conftest import scenario

    editor = KeysEditor(window.runtime)
    qtbot.addWidget(editor)
    keyring_threads: list[int] = []
    add = window.runtime.key_store.add
    window.runtime.key_store.add = lambda secret: keyring_threads.append(threading.get_ident()) or add(secret)  # type: ignore[method-assign]

    async def steps() -> None:
        await editor.ready
        assert editor.add_button.isEnabled()
        editor.entry.setText("sk-bytez-added-in-the-window-77aa")
        adding = editor.add_key()
        assert not editor.add_button.isEnabled()  # one keyring change at a time
        await adding
        assert editor.add_button.isEnabled()

    scenario(qt_loop, steps())
    assert keyring_threads and keyring_threads[0] != threading.get_ident()  # never the GUI thread
    assert "Stored" in editor.result.text() and editor.entry.text() == ""
    assert any(k.secret.endswith("77aa") for k in window.runtime.key_pool.keys)
    assert any("…77aa" in editor.keys.item(i).text() for i in range(editor.keys.count()))


def test_settings_save_agent_model_theme_and_profile(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ohm_desktop.ui.dialogs.settings import SettingsDialog

    dialog = SettingsDialog(window.runtime, window.settings_service, window)
    qtbot.addWidget(dialog)
    dialog.agents.item(0, 1).setText("anthropic/claude-sonnet-4-5")
    dialog.theme.setCurrentText("dark")
    dialog.profile.setCurrentIndex(dialog.profile.findData("ollama"))
    dialog.save()
    saved = load_settings(window.runtime.paths)
    assert saved.theme == "dark" and saved.active_profile == "ollama"
    assert saved.agent_overrides["BOM"].model == "anthropic/claude-sonnet-4-5"
    dialog.agents.item(1, 2).setText("lots")
    dialog.save()
    assert "whole number" in dialog.note.text()


def test_key_test_shows_progress_and_reports_the_keys_that_answered(window, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    from ohm_desktop.ui.dialogs.keys_editor import KeysEditor
    from tests.ui.conftest import scenario, until

    editor = KeysEditor(window.runtime)
    qtbot.addWidget(editor)

    async def steps() -> None:
        qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
        assert editor.test_button.text() == "Cancel test"
        await until(lambda: "answered" in editor.result.text())
        assert editor.result.text() == "1 of 1 key(s) answered."
        assert editor.test_button.text() == "Test keys"

    scenario(qt_loop, steps())


def test_a_running_key_test_can_be_cancelled(window, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    from ohm_desktop.ui.dialogs.keys_editor import KeysEditor
    from tests.ui.conftest import scenario, until

    editor = KeysEditor(window.runtime)
    qtbot.addWidget(editor)

    async def steps() -> None:
        qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
        await until(lambda: editor.test_button.text() == "Test keys")
        assert editor.result.text() == "Key test cancelled."

    scenario(qt_loop, steps())


def test_a_closed_settings_dialog_is_deleted_and_its_running_key_test_ends_with_it(  # type: ignore[no-untyped-def]
    window, qtbot, qt_loop, gateway
) -> None:
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent

    from ohm_desktop.ui.dialogs.settings import SettingsDialog
    from tests.support.fake_gateway import KeyBehaviour
    from tests.ui.conftest import KEY, scenario, until

    gateway.behave(KEY, KeyBehaviour(first_byte_delay_s=2.0))  # still waiting when the dialog closes
    errors: list[dict[str, object]] = []
    qt_loop.set_exception_handler(lambda _loop, context: errors.append(context))

    async def steps() -> None:
        window.open_settings("Keys")
        [dialog] = [d for d in window.findChildren(SettingsDialog) if d.isVisible()]
        editor = dialog.keys_editor
        qtbot.mouseClick(editor.test_button, Qt.MouseButton.LeftButton)
        task = editor._test_task
        dialog.close()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert not shiboken6.isValid(dialog)
        await until(lambda: task is not None and task.done(), 10)
        assert task is not None and task.cancelled()

    scenario(qt_loop, steps())
    assert errors == []


def test_a_keyring_that_fails_mid_change_is_one_sentence_and_the_editor_stays_usable(  # type: ignore[no-untyped-def]
    window, qtbot, qt_loop, monkeypatch
) -> None:
    import asyncio

    from ohm_desktop.ui.dialogs.keys_editor import KeysEditor
    from tests.ui.conftest import scenario

    class LockedError(Exception):
        """What a Secret Service backend raises for a locked collection (its own type, not ours)."""

    def refuse(_secret: str) -> str:
        raise LockedError("collection is locked")

    monkeypatch.setattr(window.runtime.key_store, "keyring_available", lambda: True)
    monkeypatch.setattr(window.runtime.key_store, "add", refuse)
    editor = KeysEditor(window.runtime)
    qtbot.addWidget(editor)
    errors: list[dict[str, object]] = []
    qt_loop.set_exception_handler(lambda _loop, context: errors.append(context))

    async def steps() -> None:
        await editor.ready
        editor.entry.setText("sk-bytez-never-stored-0000bbbb")
        adding = editor.add_key()
        await asyncio.wait([adding])
        await asyncio.sleep(0)  # the done callback

    scenario(qt_loop, steps())
    assert editor.result.text() == (
        "The OS keyring did not do that (LockedError): unlock it and try again; nothing was lost."
    )
    assert editor.add_button.isEnabled() and errors == []
