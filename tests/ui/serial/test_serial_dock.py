from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from ohm_desktop.firmware import CompileResult
from ohm_desktop.serial_monitor import PortInfo, UploadResult
from ohm_desktop.serial_monitor.upload import UploadPlan
from ohm_desktop.ui.panels.serial import SerialMonitorPanel, create_serial_dock
from tests.support.pty_pair import FakeBoardEnd


def _run_until(loop: asyncio.AbstractEventLoop, predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    async def wait() -> None:
        deadline = loop.time() + timeout
        while not predicate():
            assert loop.time() < deadline, "condition not reached in time"
            await asyncio.sleep(0.01)

    loop.run_until_complete(wait())


def _panel(qtbot: QtBot, board: FakeBoardEnd, **options: object) -> SerialMonitorPanel:
    panel = SerialMonitorPanel(port_lister=lambda: [PortInfo(board.port, "pty test board")], **options)  # type: ignore[arg-type]
    qtbot.addWidget(panel)
    panel.port_box.setCurrentText(board.port)
    panel.baud_box.setCurrentText("115200")
    return panel


def test_connect_shows_live_lines_and_send_reaches_the_board(qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop,
                                                             pty_board: FakeBoardEnd) -> None:
    panel = _panel(qtbot, pty_board)
    assert panel.port_box.itemText(0) == pty_board.port
    panel.connect_button.click()
    _run_until(qt_loop, lambda: panel.connect_button.text() == "Disconnect")
    assert "115200 baud" in panel.status_label.text()

    pty_board.write(b"sensor=512\r\n")
    _run_until(qt_loop, lambda: "< sensor=512" in panel.log_view.toPlainText())

    panel.send_edit.setText("READ")
    panel.send_button.click()
    received = qt_loop.run_until_complete(pty_board.read_until(b"\n"))
    assert received == b"READ\n"
    _run_until(qt_loop, lambda: "> READ" in panel.log_view.toPlainText())

    panel.connect_button.click()
    _run_until(qt_loop, lambda: panel.connect_button.text() == "Connect")
    assert not panel.send_button.isEnabled()


def test_pause_holds_the_view_and_resume_catches_up(qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop,
                                                    pty_board: FakeBoardEnd) -> None:
    panel = _panel(qtbot, pty_board)
    qt_loop.run_until_complete(panel.connect_port())
    panel.pause_box.setChecked(True)
    pty_board.write(b"while paused\n")
    _run_until(qt_loop, lambda: panel.session is not None and any(
        line.text == "while paused" for line in panel.session.lines()))
    assert "while paused" not in panel.log_view.toPlainText()
    panel.pause_box.setChecked(False)
    assert "< while paused" in panel.log_view.toPlainText()
    qt_loop.run_until_complete(panel.aclose())


def test_ask_debug_attaches_the_last_n_lines_and_save_writes_the_log(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, pty_board: FakeBoardEnd, tmp_path: Path
) -> None:
    asked: list[str] = []
    panel = _panel(qtbot, pty_board, ask_debug=asked.append)
    qt_loop.run_until_complete(panel.connect_port())
    pty_board.write(b"".join(f"v={i}\n".encode() for i in range(30)))
    _run_until(qt_loop, lambda: "< v=29" in panel.log_view.toPlainText())
    panel.ask_lines.setValue(5)
    panel.ask_button.click()
    assert len(asked) == 1
    lines = asked[0].splitlines()
    assert lines[0].startswith(f"Serial monitor log from {pty_board.port} at 115200 baud (last 5 lines)")
    assert lines[-1].endswith("< v=29") and len(lines) == 6
    assert panel.save_log(tmp_path / "log.txt") >= 30
    assert (tmp_path / "log.txt").read_text().splitlines()[-1].endswith("RX   v=29")
    qt_loop.run_until_complete(panel.aclose())


def test_a_port_that_cannot_open_is_reported_in_the_status_line(qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop,
                                                                 tmp_path: Path) -> None:
    panel = SerialMonitorPanel(port_lister=lambda: [])
    qtbot.addWidget(panel)
    panel.port_box.setCurrentText(str(tmp_path / "ttyUSB7"))
    qt_loop.run_until_complete(panel.connect_port())
    assert "Cannot open the serial port" in panel.status_label.text()
    assert panel.connect_button.text() == "Connect"


def test_upload_button_names_the_port_closes_the_monitor_and_reopens_it(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, pty_board: FakeBoardEnd
) -> None:
    calls: list[tuple[str, bool]] = []
    panel: SerialMonitorPanel

    async def upload(port: str, on_output: Callable[[str], None]) -> UploadResult:
        calls.append((port, panel.session is not None and panel.session.is_open))
        on_output("avrdude: 924 bytes of flash verified")
        plan = UploadPlan("avrdude", ("avrdude",), port, "arduino:avr:uno")
        return UploadResult(True, plan, CompileResult("ok", "arduino:avr:uno"))

    panel = _panel(qtbot, pty_board, upload=upload)
    assert panel.upload_button.text() == f"Upload to {pty_board.port}…"
    qt_loop.run_until_complete(panel.connect_port())
    panel.confirm_upload = lambda port: port == pty_board.port  # type: ignore[method-assign]
    panel.upload_button.click()
    _run_until(qt_loop, lambda: bool(calls) and panel.connect_button.text() == "Disconnect")
    assert calls == [(pty_board.port, False)]  # the monitor let go of the port during the upload
    assert "# avrdude: 924 bytes of flash verified" in panel.log_view.toPlainText()
    qt_loop.run_until_complete(panel.aclose())


def test_dock_factory_builds_a_named_dock(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    dock = create_serial_dock(window, port_lister=lambda: [])
    assert dock.objectName() == "dock-serial" and isinstance(dock.widget(), SerialMonitorPanel)
