"""The Simulate dock: run the shown code version on a simulated board and watch it.

Serial output arrives live (pause, clear, save as in the serial monitor), a pin timeline shows
the pins the design uses, sliders set analog inputs and toggles press buttons while it runs, Stop
ends it. A crash or a watchdog reset is shown as such; "Ask DEBUG about this" attaches the run
(summary, serial output, pins) to the chat. A thin view over :class:`ohm_desktop.simulation.Simulator`
on the qasync loop: nothing here blocks the window.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ohm_desktop.errors import OhmError
from ohm_desktop.simulation import PinInput, SimulationControl, SimulationRequest, SimulationResult, Simulator
from ohm_desktop.simulation.boards import SimBoard, sim_board
from ohm_desktop.simulation.chat_design import ChatDesign
from ohm_desktop.simulation.peripherals import DEFAULT_DISTANCE_CM
from ohm_desktop.simulation.protocol import End, HarnessEvent, PinChange, Progress, Reset, SerialBytes
from ohm_desktop.ui.panels.simulation.timeline import PinTimeline

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 30.0
SERIAL_VIEW_LINES = 5_000
_SLIDER_STEPS = 500  # 10 mV per step on a 5 V board


class SimulationPanel(QWidget):
    """``design_for()`` gives the design to run (the Code dock's shown version); ``ask_debug(context)``
    sends a run to the chat."""

    status_changed = Signal(str)
    finished = Signal(object)  # the SimulationResult

    def __init__(self, *, simulator: Simulator | None, design_for: Callable[[], ChatDesign | None],
                 ask_debug: Callable[[str], None] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._simulator = simulator
        self._design_for = design_for
        self._ask_debug = ask_debug
        self._control: SimulationControl | None = None
        self._task: asyncio.Future[None] | None = None
        self._seconds_total = DEFAULT_SECONDS
        self._paused: list[str] = []
        self._board: SimBoard | None = None
        self.last_result: SimulationResult | None = None
        self.sliders: dict[str, QSlider] = {}
        self.toggles: dict[str, QCheckBox] = {}
        self.distances: dict[str, QSlider] = {}  # ultrasonic sensor designator -> distance in cm

        self.run_button = QPushButton("Simulate")
        self.run_button.setObjectName("simulate")
        self.run_button.setToolTip("Compile the shown code version and run it on a simulated board")
        self.run_button.clicked.connect(self._run_or_stop)
        self.seconds_box = QDoubleSpinBox()
        self.seconds_box.setRange(0.1, 600.0)
        self.seconds_box.setValue(DEFAULT_SECONDS)
        self.seconds_box.setSuffix(" s")
        self.seconds_box.setToolTip("Simulated seconds (the run keeps pace with the clock)")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.status_label = QLabel("Run the shown code version on a simulated Arduino.")
        self.status_label.setWordWrap(True)
        self.banner = QLabel()
        self.banner.setObjectName("simulation-banner")
        self.banner.setStyleSheet("color:#cf222e;font-weight:bold")
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.serial_view = QPlainTextEdit()
        self.serial_view.setObjectName("simulation-serial")
        self.serial_view.setReadOnly(True)
        self.serial_view.setMaximumBlockCount(SERIAL_VIEW_LINES)
        self.serial_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.pause_box = QCheckBox("Pause")
        self.pause_box.toggled.connect(self._on_pause)
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.serial_view.clear)
        self.save_button = QPushButton("Save…")
        self.save_button.clicked.connect(self._save_dialog)
        self.ask_button = QPushButton("Ask DEBUG about this")
        self.ask_button.setEnabled(False)
        self.ask_button.clicked.connect(self._ask)

        self.send_edit = QLineEdit()
        self.send_edit.setPlaceholderText("Send to the board's serial input (Enter)")
        self.send_edit.returnPressed.connect(self._send)
        self.send_button = QPushButton("Send")
        self.send_button.clicked.connect(self._send)

        self.timeline = PinTimeline()
        self.inputs_box = QWidget()
        self.inputs_layout = QFormLayout(self.inputs_box)
        self.inputs_layout.setContentsMargins(0, 0, 0, 0)
        inputs_scroll = QScrollArea()
        inputs_scroll.setWidgetResizable(True)
        inputs_scroll.setWidget(self.inputs_box)
        inputs_scroll.setMaximumHeight(140)
        self._inputs_scroll = inputs_scroll

        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addWidget(self.seconds_box)
        top.addWidget(self.status_label, 1)
        serial_row = QHBoxLayout()
        serial_row.addWidget(QLabel("Serial output"), 1)
        for widget in (self.pause_box, self.clear_button, self.save_button, self.ask_button):
            serial_row.addWidget(widget)
        timeline_scroll = QScrollArea()
        timeline_scroll.setWidgetResizable(True)
        timeline_scroll.setWidget(self.timeline)
        serial_box = QWidget()
        serial_layout = QVBoxLayout(serial_box)
        serial_layout.setContentsMargins(0, 0, 0, 0)
        serial_layout.addLayout(serial_row)
        serial_layout.addWidget(self.serial_view, 1)
        send_row = QHBoxLayout()
        send_row.addWidget(self.send_edit, 1)
        send_row.addWidget(self.send_button)
        serial_layout.addLayout(send_row)
        # Timeline and serial output share the height; the user drags the split.
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(timeline_scroll)
        split.addWidget(serial_box)
        split.setStretchFactor(1, 1)
        split.setSizes([230, 170])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.banner)
        layout.addWidget(inputs_scroll)
        layout.addWidget(split, 1)

    # ------------------------------------------------------------------ running
    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, design: ChatDesign | None = None) -> asyncio.Future[None] | None:
        """Run ``design`` (default: ``design_for()``); returns the task, or None when there is nothing to run."""
        if self.running:
            return self._task
        design = design or self._safe_design()
        if design is None:
            return None
        self._control = SimulationControl()
        self.run_button.setText("Stop")
        self._set_status(f"Compiling v{design.code_version}…")
        self._task = asyncio.ensure_future(self._run(design, self._control))
        return self._task

    def stop(self) -> None:
        """End the run (also while it is still compiling: it then ends as soon as it starts)."""
        if self._control is not None:
            self._control.stop()
            self._set_status("Stopping…")

    async def aclose(self) -> None:
        """Stop a run and wait for it (window close)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def _run_or_stop(self) -> None:
        if self.running:
            self.stop()
        else:
            self.start()

    def _safe_design(self) -> ChatDesign | None:
        try:
            design = self._design_for()
        except OhmError as exc:
            self._set_status(exc.message)
            return None
        if design is None:
            self._set_status("There is no code version to simulate yet.")
        return design

    async def _run(self, design: ChatDesign, control: SimulationControl) -> None:
        try:
            result = await self._simulate(design, control)
        except OhmError as exc:
            self._set_status(exc.message)
            return
        except Exception as exc:  # a window must not die on a simulator fault
            log.exception("simulation failed")
            self._set_status(f"The simulation failed ({type(exc).__name__}); see the log.")
            return
        finally:
            self._control = None
            self.run_button.setText("Simulate")
        self._show_result(result)

    async def _simulate(self, design: ChatDesign, control: SimulationControl) -> SimulationResult:
        if self._simulator is None:
            raise OhmError("The simulator is not available in this build.")
        board = sim_board(design.board)
        self._board = board
        self._reset_views(design)
        self._seconds_total = self.seconds_box.value()
        request = SimulationRequest(design.sketch, board.fqbn, self._seconds_total, self._current_inputs(),
                                    design.peripherals, pace=True)
        self._set_status(f"Compiling v{design.code_version} for {board.name}…")
        return await self._simulator.run(request, on_event=self._on_event, control=control)

    def _reset_views(self, design: ChatDesign) -> None:
        self.serial_view.clear()
        self._paused.clear()
        self.banner.hide()
        self.progress.setValue(0)
        self.timeline.clear()
        # Analog sensor pins carry voltages, not levels: the strip shows the digital ones.
        analog = set(design.peripherals.analog_pins)
        self.timeline.set_pins([p for p in design.peripherals.design_pins if p not in analog])
        self.ask_button.setEnabled(False)
        self._build_inputs(design)

    def _build_inputs(self, design: ChatDesign) -> None:
        while self.inputs_layout.rowCount():
            self.inputs_layout.removeRow(0)
        self.sliders.clear()
        self.toggles.clear()
        analog = design.peripherals.analog_pins or ["A0", "A1", "A2", "A3"]
        for pin in analog:
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(0, _SLIDER_STEPS)
            slider.setValue(_SLIDER_STEPS // 2 if design.peripherals.analog_pins else 0)
            label = QLabel()
            row = QHBoxLayout()
            row.addWidget(slider, 1)
            row.addWidget(label)
            self.inputs_layout.addRow(pin, row)
            slider.valueChanged.connect(lambda _v, p=pin, lb=label: self._on_slider(p, lb))
            self.sliders[pin] = slider
            self._on_slider(pin, label, send=False)
        self.distances.clear()
        for sensor in design.peripherals.ultrasonic:
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(2, 400)
            slider.setValue(round(DEFAULT_DISTANCE_CM))
            label = QLabel(f"{slider.value()} cm")
            row = QHBoxLayout()
            row.addWidget(slider, 1)
            row.addWidget(label)
            self.inputs_layout.addRow(f"{sensor.designator} distance", row)
            slider.valueChanged.connect(lambda value, d=sensor.designator, lb=label: self._on_distance(d, value, lb))
            self.distances[sensor.designator] = slider
        for peripheral in design.peripherals.peripherals:
            if peripheral.kind != "button":
                continue
            for pin in peripheral.pins:
                toggle = QCheckBox(f"{peripheral.designator} pressed (pulls {pin} LOW)")
                toggle.toggled.connect(lambda _on, p=pin: self._on_toggle(p))
                self.inputs_layout.addRow(pin, toggle)
                self.toggles[pin] = toggle
        # Every input row visible up to the cap; past it the area scrolls.
        self._inputs_scroll.setMinimumHeight(min(140, 24 * self.inputs_layout.rowCount() + 6))

    def _volts(self, pin: str) -> float:
        vcc = self._board.vcc_mv / 1000 if self._board is not None else 5.0
        return round(self.sliders[pin].value() * vcc / _SLIDER_STEPS, 3)

    def _current_inputs(self) -> tuple[PinInput, ...]:
        analog = [PinInput(pin, volts=self._volts(pin)) for pin in self.sliders]
        buttons = [PinInput(pin, level=0 if toggle.isChecked() else None) for pin, toggle in self.toggles.items()]
        distances = [PinInput(d, distance_cm=float(slider.value())) for d, slider in self.distances.items()]
        return (*analog, *buttons, *distances)

    def _on_slider(self, pin: str, label: QLabel, *, send: bool = True) -> None:
        label.setText(f"{self._volts(pin):.2f} V")
        if send and self._control is not None:
            self._control.set_input(PinInput(pin, volts=self._volts(pin)))

    def _on_distance(self, designator: str, cm: int, label: QLabel) -> None:
        label.setText(f"{cm} cm")
        if self._control is not None:
            self._control.set_input(PinInput(designator, distance_cm=float(cm)))

    def _on_toggle(self, pin: str) -> None:
        if self._control is not None:
            self._control.set_input(PinInput(pin, level=0 if self.toggles[pin].isChecked() else None))

    # ------------------------------------------------------------------ events
    def _on_event(self, event: HarnessEvent) -> None:
        if isinstance(event, SerialBytes):
            self._append_serial(event.data.decode("latin-1").replace("\r", ""))
        elif isinstance(event, PinChange):
            name = self._board.pin_name(event.port_bit) if self._board is not None else event.port_bit
            self.timeline.add(event.t_us / 1000, name, event.level)
        elif isinstance(event, Progress):
            self.timeline.advance(event.t_us / 1000)
            self.progress.setValue(int(1000 * event.t_us / 1e6 / max(self._seconds_total, 1e-6)))
            self._set_status(f"Running: {event.t_us / 1e6:.1f} of {self._seconds_total:g} simulated s")
        elif isinstance(event, Reset):
            cause = "Watchdog reset" if event.watchdog else "Reset (jump to the reset vector)"
            self._show_banner(f"{cause} at {event.t_us / 1000:.1f} ms")
        elif isinstance(event, End):
            self.timeline.advance(event.t_us / 1000)

    def _append_serial(self, text: str) -> None:
        if self.pause_box.isChecked():
            self._paused.append(text)
            return
        cursor = self.serial_view.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self.serial_view.setTextCursor(cursor)

    def _on_pause(self, paused: bool) -> None:
        if not paused and self._paused:
            held, self._paused = "".join(self._paused), []
            self._append_serial(held)

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def _show_result(self, result: SimulationResult) -> None:
        self.last_result = result
        self.progress.setValue(1000 if result.stopped == "time" else self.progress.value())
        if result.stopped == "not_compiled":
            self._set_status(result.summary())
            return
        if result.crashed:
            self._show_banner(f"Crashed at PC 0x{result.crash_pc or 0:04x} after {result.simulated_s * 1000:.1f} ms")
        elif result.resets:
            causes = {r.cause for r in result.resets}
            kind = "watchdog resets" if causes == {"watchdog"} else "resets"
            self._show_banner(f"{len(result.resets)} {kind}, the first at {result.resets[0].t_ms:.1f} ms")
        notes = " ".join(result.notes)
        self._set_status(result.summary() + (f" {notes}" if notes else ""))
        self.ask_button.setEnabled(self._ask_debug is not None)
        self.finished.emit(result)

    def _send(self) -> None:
        """The line, with a newline, into the running board's serial RX (64-byte RX buffer: kept short)."""
        text = self.send_edit.text()
        if self._control is None or not text:
            return
        self._control.send_serial((text[:62] + "\n").encode("latin-1", errors="replace"))
        self.send_edit.clear()

    # ------------------------------------------------------------------ output
    def debug_context(self) -> str:
        """The last run as text for the DEBUG agent."""
        result = self.last_result
        if result is None:
            return ""
        return "\n".join([result.summary(), *result.notes, "", "Serial output:",
                          result.serial[-3000:] or "(nothing)", "", "Pins:", result.pin_summary()])

    def _ask(self) -> None:
        if self._ask_debug is not None and self.last_result is not None:
            self._ask_debug(self.debug_context())

    def save_serial(self, path: Path) -> None:
        path.write_text(self.serial_view.toPlainText(), encoding="utf-8")

    def _save_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save serial output", "simulation-serial.txt",
                                              "Text files (*.txt)")
        if name:
            try:
                self.save_serial(Path(name))
            except OSError as exc:
                self._set_status(f"Could not save the serial output ({exc.strerror}): choose another folder.")
                return
            self._set_status(f"Saved the serial output to {name}")

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_changed.emit(text)


def create_simulation_dock(parent: QMainWindow, **panel_options: object) -> QDockWidget:
    """The simulation panel as a dock (objectName ``dock-simulate``); options go to SimulationPanel."""
    dock = QDockWidget("Simulate", parent)
    dock.setObjectName("dock-simulate")
    dock.setWidget(SimulationPanel(parent=dock, **panel_options))  # type: ignore[arg-type]
    return dock
