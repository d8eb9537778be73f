"""The Simulate dock (offscreen, real compile + real harness): live serial, inputs while running,
the pin timeline, Stop, a watchdog reset shown as such, Ask DEBUG, and Code dock -> Simulate."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from ohm_desktop.firmware.compiler import SketchCompiler
from ohm_desktop.firmware.sketch import Sketch
from ohm_desktop.simulation import HarnessBuilder, Simulator, from_design
from ohm_desktop.simulation.chat_design import ChatDesign
from ohm_desktop.ui.panels.simulation import SimulationPanel
from tests.integration.simulation.conftest import avr_toolchain, compiler, harness, shared_core_cache
from tests.support import line_follower

__all__ = ["avr_toolchain", "compiler", "harness", "shared_core_cache"]

WATCHDOG = """\
#include <avr/wdt.h>
void setup() { Serial.begin(115200); Serial.println("boot"); wdt_enable(WDTO_30MS); }
void loop() {}
"""


def _run_until(loop: asyncio.AbstractEventLoop, predicate: Callable[[], bool], timeout: float = 120.0) -> None:
    async def wait() -> None:
        deadline = loop.time() + timeout
        while not predicate():
            assert loop.time() < deadline, "condition not reached in time"
            await asyncio.sleep(0.02)

    loop.run_until_complete(wait())


def _design(code: dict[str, object]) -> ChatDesign:
    return ChatDesign("chat", 3, Sketch.from_code_content(code), "arduino:avr:uno",
                      from_design(line_follower.BOM, line_follower.WIRING))


def _panel(qtbot: QtBot, compiler: SketchCompiler, harness: HarnessBuilder, design: ChatDesign,
           asked: list[str]) -> SimulationPanel:
    panel = SimulationPanel(simulator=Simulator(compiler, harness), design_for=lambda: design,
                            ask_debug=asked.append)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def test_line_follower_runs_live_with_inputs_changed_while_running(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, compiler: SketchCompiler, harness: HarnessBuilder,
    tmp_path: Path,
) -> None:
    asked: list[str] = []
    panel = _panel(qtbot, compiler, harness, _design(line_follower.CODE), asked)
    panel.run_button.click()
    assert panel.run_button.text() == "Stop"
    _run_until(qt_loop, lambda: "L=511 C=511 R=511 az=16384" in panel.serial_view.toPlainText())
    assert set(panel.sliders) == {"A0", "A1", "A2"}
    assert {"D5", "D6", "D12"} <= set(panel.timeline.pins)  # the design's pins, shown before they change
    assert "A1" not in panel.timeline.pins  # an analog sensor input has no level to show

    panel.sliders["A1"].setValue(400)  # 4.0 V on the centre sensor: the robot drives straight
    _run_until(qt_loop, lambda: "C=818" in panel.serial_view.toPlainText())
    _run_until(qt_loop, lambda: panel.timeline.level_at_end("D5") == 1)
    assert set(panel.distances) == {"U4"}
    panel.distances["U4"].setValue(10)  # an obstacle 10 cm ahead: the firmware stops the motors
    _run_until(qt_loop, lambda: "d=9\n" in panel.serial_view.toPlainText() or "d=10\n" in panel.serial_view.toPlainText())
    panel.pause_box.setChecked(True)
    held = panel.serial_view.toPlainText()
    _run_until(qt_loop, lambda: bool(panel._paused))
    assert panel.serial_view.toPlainText() == held
    panel.pause_box.setChecked(False)

    panel.run_button.click()  # Stop
    _run_until(qt_loop, lambda: not panel.running)
    assert panel.run_button.text() == "Simulate"
    assert panel.last_result is not None and panel.last_result.stopped == "stopped"
    assert "not simulated: U5 DHT11" in panel.status_label.text()
    panel.save_serial(tmp_path / "serial.txt")
    assert "line follower ready" in (tmp_path / "serial.txt").read_text()
    panel.ask_button.click()
    assert len(asked) == 1 and "Serial output:" in asked[0] and "D5: ends " in asked[0]


def test_a_watchdog_reset_is_shown_as_such(qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop,
                                           compiler: SketchCompiler, harness: HarnessBuilder) -> None:
    code = {"board": "arduino:avr:uno", "files": [{"path": "wd.ino", "content": WATCHDOG}]}
    panel = _panel(qtbot, compiler, harness, _design(code), [])
    panel.seconds_box.setValue(0.3)
    task = panel.start()
    assert task is not None
    qt_loop.run_until_complete(task)
    assert not panel.banner.isHidden() and "watchdog resets" in panel.banner.text()
    assert "watchdog resets" in panel.status_label.text()


def test_code_dock_simulate_button_opens_the_dock(window, qt_loop: asyncio.AbstractEventLoop) -> None:  # type: ignore[no-untyped-def]
    from ohm_desktop.ui.panels.simulation.dock import connect_code_dock, simulation_dock_factory

    assert "simulate" not in window.docks  # the bare window has no Simulate dock; app.compose adds it
    dock = simulation_dock_factory(window.runtime, lambda: window)(window)
    window.docks["simulate"] = dock
    connect_code_dock(window)
    dock.hide()
    window.panels["code"].simulate_button.click()  # no chat open: it says so instead of running
    assert dock.isVisible()
    assert "no code version" in dock.widget().status_label.text()


def test_a_line_sent_reaches_the_running_board(qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop,
                                               compiler: SketchCompiler, harness: HarnessBuilder) -> None:
    echo = ('void setup() { Serial.begin(115200); Serial.println("ready"); }\n'
            "void loop() { if (Serial.available()) { Serial.print(\"got \"); "
            "Serial.println(Serial.readStringUntil('\\n')); } }\n")
    panel = _panel(qtbot, compiler, harness, _design({"files": [{"path": "echo.ino", "content": echo}]}), [])
    panel.start()
    _run_until(qt_loop, lambda: "ready" in panel.serial_view.toPlainText())
    panel.send_edit.setText("hello board")
    panel.send_button.click()
    assert panel.send_edit.text() == ""
    _run_until(qt_loop, lambda: "got hello board" in panel.serial_view.toPlainText())
    panel.stop()
    _run_until(qt_loop, lambda: not panel.running)
