"""The first hour with the window: real key events on real widgets; focus, scroll and rows asserted.

Each test here failed before its fix (issue #17).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.support.fake_gateway import KeyBehaviour, Reply, ToolCallSpec
from tests.ui.conftest import KEY, scenario, until

SKETCH = {"board": "arduino:avr:uno", "files": [{"path": "sketch.ino", "content": "void setup() {}\nvoid loop() {}\n"}]}


def _activate(qtbot: Any, window: Any) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def _settled(qtbot: Any, window: Any) -> None:
    """Let the batched layout finish: the scroll range stops changing."""
    bar = window.transcript.list.verticalScrollBar()
    window.renderer.drain()
    seen: list[int] = []

    def stable() -> bool:
        QApplication.processEvents()
        seen.append(bar.maximum())
        return len(seen) > 5 and len(set(seen[-5:])) == 1

    qtbot.waitUntil(stable)


def _at_end(window: Any) -> bool:
    bar = window.transcript.list.verticalScrollBar()
    return bar.maximum() > 0 and bar.value() == bar.maximum()


def _long_chat(store: Any, title: str, count: int = 600) -> str:
    chat = store.create_chat(title)
    with store.transaction(durable=False):
        for index in range(count):
            role = "user" if index % 2 == 0 else "assistant"
            store.add_message(chat.id, role, f"message {index}\n\n" + "a line of the answer\n" * (index % 5))
    return chat.id


def test_a_long_chat_opens_at_its_end_on_start_and_when_selected_again(runtime, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ohm_desktop.ui.main_window import MainWindow

    long_id = _long_chat(runtime.store, "long")
    window = MainWindow(runtime)
    qtbot.addWidget(window)
    window.show()
    _settled(qtbot, window)
    assert window.chat_id == long_id and _at_end(window)
    other = runtime.store.create_chat("other")
    window.open_chat(other.id)
    _settled(qtbot, window)
    items = window.chat_list.items
    row = next(r for r in range(items.count()) if items.item(r).data(Qt.ItemDataRole.UserRole) == long_id)
    qtbot.mouseClick(items.viewport(), Qt.MouseButton.LeftButton, pos=items.visualItemRect(items.item(row)).center())
    _settled(qtbot, window)
    assert window.chat_id == long_id and _at_end(window)
    window.close()


def test_after_a_code_turn_the_answer_is_on_screen(window, gateway, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    store = window.store
    chat_id = _long_chat(store, "robot", 60)
    window.open_chat(chat_id)
    for dock in window.docks.values():
        dock.hide()  # the dock opening mid-turn takes width: rows get taller, the end moves

    def respond(request):  # type: ignore[no-untyped-def]
        if any(m.get("role") == "tool" for m in request.messages):
            return Reply(text="The sketch is saved.\n\n" + "It drives both motors.\n" * 30)
        return Reply(text="Here is the firmware.", tool_calls=[ToolCallSpec("write", {"artifact_type": "code", "content": SKETCH, "change_summary": "first"})])

    gateway.set_responder(respond)

    async def steps() -> None:
        window.composer.input.setPlainText("write the firmware")
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
        await until(lambda: not window.session.running)

    scenario(qt_loop, steps())
    assert window.docks["code"].isVisible()
    _settled(qtbot, window)
    assert window.transcript.model.rows[-1].content.startswith("Here is the firmware")
    assert _at_end(window)


def test_ctrl_n_puts_the_keyboard_in_the_composer_so_typing_makes_one_chat(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    _activate(qtbot, window)
    before = len(window.store.list_chats())
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    window.renderer.drain()
    assert QApplication.focusWidget() is window.composer.input
    qtbot.keyClicks(QApplication.focusWidget(), "wire the motor")
    assert window.composer.input.toPlainText() == "wire the motor"
    assert len(window.store.list_chats()) == before + 1


def test_ctrl_l_focuses_the_composer_and_up_brings_back_the_last_message(window, gateway, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    gateway.set_responder(lambda r: Reply(text="CHAT") if not r.stream else Reply(text="ok"))
    _activate(qtbot, window)

    async def steps() -> None:
        window.composer.input.setPlainText("wire the motor to D9")
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
        await until(lambda: not window.session.running)

    scenario(qt_loop, steps())
    window.chat_list.search.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.composer.input
    qtbot.keyClick(window.composer.input, Qt.Key.Key_Up)
    assert window.composer.input.toPlainText() == "wire the motor to D9"
    qtbot.keyClick(window.composer.input, Qt.Key.Key_Up)  # not empty now: Up moves the cursor as usual
    assert window.composer.input.toPlainText() == "wire the motor to D9"


def test_enter_on_the_welcome_page_goes_on_and_does_not_skip(window, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    from ohm_desktop.config import load_settings
    from ohm_desktop.ui.dialogs.onboarding import OnboardingDialog

    dialog = OnboardingDialog(window.runtime, window.settings_service, window)
    qtbot.addWidget(dialog)

    async def steps() -> None:
        dialog.show()
        dialog.activateWindow()
        await until(dialog.isActiveWindow)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        assert dialog.isVisible() and dialog.pages.currentIndex() == 1
        await dialog.keys_editor.ready
        await until(lambda: QApplication.focusWidget() is dialog.keys_editor.entry)  # ready to paste a key
        qtbot.keyClick(dialog.keys_editor.entry, Qt.Key.Key_Return)  # nothing pasted: the page stays
        assert dialog.pages.currentIndex() == 1 and "Paste a key first" in dialog.keys_editor.result.text()

    scenario(qt_loop, steps())
    assert not load_settings(window.runtime.paths).onboarding_done


def test_onboarding_says_where_to_get_a_key_and_that_local_servers_work() -> None:
    from ohm_desktop.ui.dialogs.onboarding import KEYS

    assert "https://bytez.com/api" in KEYS and "llama.cpp" in KEYS and "Ollama" in KEYS


def test_gateway_down_is_one_inline_failure_without_a_toast_stack(window, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    window.runtime.gateway.base_url = f"http://127.0.0.1:{port}/v1"

    async def steps() -> None:
        window.composer.input.setPlainText("hello")
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
        await until(lambda: not window.session.running, timeout=60)
        await until(window.failure.isVisible)

    scenario(qt_loop, steps())
    history = window.toasts.history
    assert not any("Specialist joined" in text for text in history)
    assert not any(text.count("key 1") > 1 for text in history)  # never "key 1 … switched to key 1"
    assert len([text for text in history if "key" in text.lower()]) <= 2
    assert "cannot reach the model gateway" in window.failure.text.text()
    assert set(window.failure.buttons) >= {"retry", "open_gateway", "use_local_profile"}
    assert [r.role for r in window.transcript.model.rows] == ["user"]  # no empty "Assistant · failed"
    assert "is answering" not in window.transcript.live.toPlainText()


def test_switch_to_the_local_profile_button_applies_it_at_once(window, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    from ohm_desktop.config import load_settings

    window.runtime.gateway._clients.clear()
    window.runtime.gateway.base_url = "http://127.0.0.1:9/v1"  # the discard port: nothing answers

    async def steps() -> None:
        window.composer.input.setPlainText("hello")
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
        await until(lambda: "use_local_profile" in window.failure.buttons, timeout=60)
        qtbot.mouseClick(window.failure.buttons["use_local_profile"], Qt.MouseButton.LeftButton)

    scenario(qt_loop, steps())
    assert load_settings(window.runtime.paths).active_profile == "llama-cpp"
    assert window.runtime.registry.require("CHAT").model == "local"
    assert any("llama.cpp" in text for text in window.toasts.history)


def test_ask_debug_about_the_serial_log_shows_the_question_once(window, gateway, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    gateway.set_responder(lambda r: Reply(text="It browns out when the motor starts."))
    window.session.new_chat()

    async def steps() -> None:
        window.ask_with_context("Here is the serial output from my board: what is going on?", "boot\nbrownout\n")
        await until(lambda: not window.session.running)
        window.renderer.drain()

    scenario(qt_loop, steps())
    rows = window.transcript.model.rows
    assert [r.role for r in rows] == ["user", "assistant"]
    assert not any(r.temporary for r in rows) and "Attached:" in rows[0].content


def test_an_invalid_key_failure_offers_keys_not_retry_and_no_cli_command(window, gateway, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    gateway.behave(KEY, KeyBehaviour(status=401))

    async def steps() -> None:
        window.composer.input.setPlainText("hello")
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
        await until(window.failure.isVisible, timeout=60)

    scenario(qt_loop, steps())
    assert set(window.failure.buttons) == {"open_keys", "use_local_profile"}
    assert "`ohm" not in window.failure.text.text()
    assert not any("`ohm" in text for text in window.toasts.history)


def test_after_adding_a_key_the_keyboard_stays_in_the_key_entry(window, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    from tests.support.secret_service import require_secret_service

    require_secret_service()
    from ohm_desktop.ui.dialogs.keys_editor import KeysEditor

    editor = KeysEditor(window.runtime)
    qtbot.addWidget(editor)

    async def steps() -> None:
        editor.show()
        editor.activateWindow()
        await until(editor.isActiveWindow)
        await editor.ready
        editor.focus_entry()
        qtbot.keyClicks(editor.entry, "sk-bytez-added-by-keyboard-88bb")
        qtbot.keyClick(editor.entry, Qt.Key.Key_Return)
        await until(lambda: "Stored" in editor.result.text())
        await until(editor.entry.isEnabled)

    scenario(qt_loop, steps())
    assert QApplication.focusWidget() is editor.entry  # not "Test keys"
