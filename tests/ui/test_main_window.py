"""The window's behaviours against the real orchestrator, store and the fake gateway (offscreen Qt).

Each test's steps run inside the qasync loop, the way user input reaches the running app.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from ohm_desktop.core.session_events import ToolFinished, ToolStarted
from tests.support.fake_gateway import KeyBehaviour, Reply, demo_responder
from tests.ui.conftest import KEY, scenario, until


def _free_port() -> int:
    import socket

    with socket.socket() as probe:  # nothing listens on it once closed
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _send(qtbot, window, text: str) -> None:  # type: ignore[no-untyped-def]
    window.composer.input.setPlainText(text)
    qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)


def test_full_turn_toast_dock_opens_early_and_thinking_is_replaced(window, gateway, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    gateway.set_responder(demo_responder)
    window.docks["bom"].hide()
    seen: list[tuple[str, bool, bool]] = []
    original = window.renderer.render

    def spy(event):  # type: ignore[no-untyped-def]
        original(event)
        if isinstance(event, ToolStarted | ToolFinished):
            seen.append((type(event).__name__, window.docks["bom"].isVisible(), window.panels["bom"].pending.isVisible()))

    window.renderer.render = spy

    async def steps() -> None:
        _send(qtbot, window, "I need a parts list for a line-following robot")
        await until(lambda: bool(window.transcript.model.rows))  # drawn on the next loop turn
        assert window.transcript.model.rows[-1].role == "user"
        await until(lambda: not window.session.running, timeout=60)

    scenario(qt_loop, steps())
    drawn = [type(event).__name__ for event in window.renderer.rendered]
    # The optimistic row and the "thinking…" view came first, before any network; then the stored row.
    assert drawn.index("UserMessagePending") < drawn.index("UserMessageStored") < drawn.index("AnswerStarted")
    assert "Specialist joined: Parts Planner" in window.toasts.history
    assert seen[0] == ("ToolStarted", True, True)  # the dock opened with a pending state before the write
    assert seen[1][0] == "ToolFinished"
    rows = window.transcript.model.rows
    assert [(r.role, r.temporary) for r in rows] == [("user", False), ("assistant", False)]
    assert "parts list" in rows[1].content and rows[1].agent_name == "Parts Planner"
    assert not window.transcript.live.isVisible()
    assert window.panels["bom"].model.rowCount() == 6
    assert window.panels["bom"].version_box.count() == 1
    assert "healthy" in window.status.keys.text() and "Parts Planner" in window.status.agent.text()
    assert "tokens" in window.status.usage.text()


def test_event_loop_stays_responsive_during_a_turn(window, gateway, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    # What keeps the loop responsive, checked without a clock (the lateness itself is measured by
    # tests/benchmarks/bench_ui.py): a streamed chunk costs only a buffer append while the frame
    # timer runs (the document is written once per frame), and the loop runs other tasks between
    # the stream's chunks instead of being held by the turn until the answer is complete.
    answer = "word " * 3000
    gateway.set_responder(lambda r: Reply(text="CHAT") if not r.stream else Reply(text=answer, chunk_chars=3))
    live = window.transcript.live
    buffer_append = live.append_text
    chunks = 0
    chunks_writing_the_document = 0
    chunks_without_a_frame_timer = 0

    def counted_append(delta: str) -> None:
        nonlocal chunks, chunks_writing_the_document, chunks_without_a_frame_timer
        revision = live.document().revision()
        buffer_append(delta)
        chunks += 1
        chunks_writing_the_document += live.document().revision() != revision
        # Once the stored answer has replaced the live view, the last queued chunks need no frame.
        chunks_without_a_frame_timer += live.isVisible() and not live._timer.isActive()

    live.append_text = counted_append  # type: ignore[method-assign]
    chunk_counts_seen_by_another_task: set[int] = set()

    async def other_task() -> None:
        while True:
            chunk_counts_seen_by_another_task.add(chunks)
            await asyncio.sleep(0)  # one turn of the loop

    async def steps() -> None:
        other = asyncio.ensure_future(other_task())
        _send(qtbot, window, "tell me about resistors")
        await until(lambda: not window.session.running, timeout=60)
        other.cancel()

    scenario(qt_loop, steps())
    assert window.store.list_messages(window.chat_id)[-1].content.strip() == answer.strip()
    assert chunks >= len(answer) // 3
    # Only the first chunk is drawn at once (the first words show without waiting for a frame).
    assert chunks_writing_the_document == 1 and chunks_without_a_frame_timer == 0
    mid_stream = {count for count in chunk_counts_seen_by_another_task if 0 < count < chunks}
    assert len(mid_stream) >= 3, f"the loop ran other tasks at only {sorted(mid_stream)} of {chunks} chunks"


def test_escape_stops_the_turn_and_keeps_the_partial_answer(window, gateway, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    gateway.set_responder(lambda r: Reply(text="CHAT") if not r.stream else Reply(text="slow " * 20000, chunk_chars=2))

    async def steps() -> None:
        _send(qtbot, window, "a long story please")
        await until(lambda: window.transcript.live.flushes > 2)
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Escape)
        await until(lambda: not window.session.running)

    scenario(qt_loop, steps())
    messages = window.store.list_messages(window.chat_id)
    assert messages[-1].status == "interrupted" and messages[-1].content.startswith("slow")
    assert window.composer.send_button.text() == "Send"
    assert any("Stopped" in text for text in window.toasts.history)


def test_error_shows_inline_with_retry_that_answers_again(window, gateway, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    gateway.behave(KEY, KeyBehaviour(status=401))

    async def steps() -> None:
        _send(qtbot, window, "hello")
        await until(lambda: not window.session.running, timeout=60)
        await until(window.failure.isVisible)
        assert "invalid" in window.failure.text.text()
        assert "action-retry" not in [b.objectName() for b in window.failure.buttons.values()]  # retrying cannot help
        assert "ohm " not in window.failure.text.text()  # no CLI commands in the window
        # The gateway goes down: now Retry can help, and is offered.
        gateway.behave(KEY, KeyBehaviour())
        window.runtime.key_pool.reset_health()
        live = window.runtime.gateway.base_url
        window.runtime.gateway._clients.clear()
        window.runtime.gateway.base_url = f"http://127.0.0.1:{_free_port()}/v1"
        _send(qtbot, window, "hello again")
        await until(lambda: not window.session.running, timeout=60)
        await until(lambda: "retry" in window.failure.buttons)
        assert "cannot reach the model gateway" in window.failure.text.text()
        window.runtime.gateway._clients.clear()
        window.runtime.gateway.base_url = live
        gateway.set_responder(lambda r: Reply(text="CHAT") if not r.stream else Reply(text="Hi again"))
        window.runtime.key_pool.reset_health()  # the network failures cooled the key; it is fine now
        qtbot.mouseClick(window.failure.buttons["retry"], Qt.MouseButton.LeftButton)
        await until(lambda: not window.session.running, timeout=60)

    scenario(qt_loop, steps())
    assert window.transcript.model.rows[-1].content == "Hi again"
    assert not window.failure.isVisible()
    # A failed answer with no text leaves no empty "Assistant · failed" row.
    assert [r.role for r in window.transcript.model.rows] == ["user", "user", "assistant"]


def test_key_rotation_is_a_notice(window, gateway, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    from ohm_desktop.core.keys import ApiKey

    pool = window.runtime.key_pool
    pool.replace_keys([*pool.keys, ApiKey("sk-bytez-ui-test-key-1111bbbb", "k2", "env", "key 2 …bbbb")])
    gateway.behave(KEY, KeyBehaviour(status=429))
    gateway.set_responder(lambda r: Reply(text="CHAT") if not r.stream else Reply(text="ok"))

    async def steps() -> None:
        _send(qtbot, window, "hi")
        await until(lambda: not window.session.running)

    scenario(qt_loop, steps())
    assert any("rate limited, switched to key 2 …bbbb" in text for text in window.toasts.history)
    assert "cooling" in window.status.keys.text()


def test_manual_override_skips_routing(window, gateway, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    gateway.set_responder(lambda r: Reply(text="ok"))
    window.status.override.setCurrentIndex(window.status.override.findData("WIRING"))

    async def steps() -> None:
        _send(qtbot, window, "hi")
        await until(lambda: not window.session.running)

    scenario(qt_loop, steps())
    assert all(r.stream for r in gateway.requests)  # no router call
    assert "Wiring Designer" in window.status.agent.text()


def test_chat_list_new_search_and_trash(window, qtbot, qt_loop) -> None:  # type: ignore[no-untyped-def]
    store = window.store
    first = store.create_chat("ESP32 weather station")
    store.add_message(first.id, "user", "my esp32 reads the BME280")
    store.create_chat("Line follower")

    async def steps() -> None:
        window.chat_list.refresh()
        assert window.chat_list.items.count() == 2
        window.chat_list.search.setText("bme280")
        await until(lambda: window.chat_list.items.count() == 1, timeout=3)
        window.chat_list.search.clear()
        await until(lambda: window.chat_list.items.count() == 2, timeout=3)
        window.chat_list.trash(first.id)
        assert window.chat_list.items.count() == 1 and store.list_trash()[0].id == first.id
        window.new_chat()
        assert window.chat_id not in (None, first.id) and store.get_chat(window.chat_id).title == "New chat"

    scenario(qt_loop, steps())


def test_long_chat_opens_with_a_page_and_loads_earlier(window) -> None:  # type: ignore[no-untyped-def]
    store = window.store
    chat = store.create_chat("long")
    with store.transaction(durable=False):
        for index in range(1200):
            store.add_message(chat.id, "user" if index % 2 == 0 else "assistant", f"message {index}")
    window.open_chat(chat.id)
    window.renderer.drain()
    assert window.transcript.model.rowCount() == 200 and window.transcript.earlier.isVisible()
    window.session.load_earlier()
    window.renderer.drain()
    assert window.transcript.model.rowCount() == 400
    assert window.transcript.model.rows[0].content == "message 800"


def test_layout_is_saved_and_restored(runtime, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ohm_desktop.ui.main_window import MainWindow

    first = MainWindow(runtime)
    qtbot.addWidget(first)
    first.show()
    first.docks["code"].setFloating(True)
    first.close()
    assert Path(runtime.paths.config / "window.ini").exists()
    second = MainWindow(runtime)
    qtbot.addWidget(second)
    second.show()
    assert second.docks["code"].isFloating()
    second.close()


def test_smoke_test_command_prints_the_contract_line(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", OHM_DATA_DIR=str(tmp_path / "d"), OHM_CONFIG_DIR=str(tmp_path / "c"))
    done = subprocess.run([sys.executable, "-m", "ohm_desktop", "--smoke-test"], env=env, capture_output=True,
                          text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout.strip().splitlines()[-1])
    assert line["ok"] is True and line["docks"] == ["bom", "code", "wiring"] and line["startup_ms"] > 0
