"""The serial monitor dock: port and baud pickers, a live timestamped log, send, pause, save,
"Ask DEBUG about this", and an explicit upload button that names the port it will write to.

A thin view over :class:`ohm_desktop.serial_monitor.SerialSession`; it needs an asyncio loop
running on the Qt thread (qasync), as the rest of the window does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ohm_desktop.errors import OhmError
from ohm_desktop.serial_monitor import (
    COMMON_BAUD_RATES,
    PortInfo,
    SerialLine,
    SerialSession,
    UploadResult,
    list_ports,
)

log = logging.getLogger(__name__)

SessionFactory = Callable[[str, int], SerialSession]
UploadAction = Callable[[str, Callable[[str], None]], Awaitable[UploadResult]]
"""``async def upload(port, on_output) -> UploadResult``: compile the chat's sketch and upload it."""


class SerialMonitorPanel(QWidget):
    """The serial monitor. ``ask_debug(context)`` gets the last N lines as text for the chat."""

    status_changed = Signal(str)

    def __init__(
        self,
        *,
        ask_debug: Callable[[str], None] | None = None,
        upload: UploadAction | None = None,
        session_factory: SessionFactory = SerialSession,
        port_lister: Callable[[], list[PortInfo]] = list_ports,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ask_debug = ask_debug
        self._upload = upload
        self._session_factory = session_factory
        self._port_lister = port_lister
        self.session: SerialSession | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._tasks: set[asyncio.Future[None]] = set()

        self.port_box = QComboBox(editable=True)
        self.port_box.setMinimumContentsLength(14)
        port_edit = self.port_box.lineEdit()
        if port_edit is not None:
            port_edit.setPlaceholderText("/dev/ttyACM0 or COM3")
        self.refresh_button = QPushButton("Refresh")
        self.baud_box = QComboBox()
        for rate in COMMON_BAUD_RATES:
            self.baud_box.addItem(str(rate), rate)
        self.baud_box.setCurrentText("9600")
        self.connect_button = QPushButton("Connect")
        self.pause_box = QCheckBox("Pause")
        self.clear_button = QPushButton("Clear")
        self.save_button = QPushButton("Save…")

        self.log_view = QPlainTextEdit(readOnly=True)
        self.log_view.setMaximumBlockCount(5000)
        self.log_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log_view.setPlaceholderText("Pick the board's port and baud rate, then Connect.")

        self.send_edit = QLineEdit(placeholderText="Line to send to the board")
        self.send_button = QPushButton("Send")
        self.ask_lines = QSpinBox(minimum=5, maximum=1000, value=50, suffix=" lines")
        self.ask_button = QPushButton("Ask DEBUG about this")
        self.upload_button = QPushButton()
        self.status_label = QLabel("Not connected")

        top = QHBoxLayout()
        for widget in (QLabel("Port"), self.port_box, self.refresh_button, QLabel("Baud"), self.baud_box,
                       self.connect_button, self.pause_box, self.clear_button, self.save_button):
            top.addWidget(widget)
        top.addStretch(1)
        send = QHBoxLayout()
        send.addWidget(self.send_edit, 1)
        send.addWidget(self.send_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.ask_lines)
        bottom.addWidget(self.ask_button)
        bottom.addWidget(self.upload_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.log_view, 1)
        layout.addLayout(send)
        layout.addLayout(bottom)

        self.refresh_button.clicked.connect(self.refresh_ports)
        self.connect_button.clicked.connect(self._toggle_connection)
        self.pause_box.toggled.connect(self._set_paused)
        self.clear_button.clicked.connect(self._clear)
        self.save_button.clicked.connect(self._save_dialog)
        self.send_button.clicked.connect(self._send)
        self.send_edit.returnPressed.connect(self._send)
        self.ask_button.clicked.connect(self._ask)
        self.upload_button.clicked.connect(self._upload_clicked)
        self.port_box.currentTextChanged.connect(self._update_controls)
        self.refresh_ports()
        self._update_controls()

    # ------------------------------------------------------------ state
    @property
    def port(self) -> str:
        return self.port_box.currentText().strip()

    @property
    def baudrate(self) -> int:
        return int(self.baud_box.currentData())

    def refresh_ports(self) -> None:
        current = self.port
        self.port_box.clear()
        try:
            ports = self._port_lister()
        except Exception:
            log.exception("listing serial ports failed")
            ports = []
        for info in ports:
            self.port_box.addItem(f"{info.device}", info.device)
            self.port_box.setItemData(self.port_box.count() - 1, info.description, Qt.ItemDataRole.ToolTipRole)
        if current:
            self.port_box.setCurrentText(current)

    def _update_controls(self) -> None:
        connected = self.session is not None and self.session.is_open
        self.connect_button.setText("Disconnect" if connected else "Connect")
        self.port_box.setEnabled(not connected)
        self.baud_box.setEnabled(not connected)
        self.send_edit.setEnabled(connected)
        self.send_button.setEnabled(connected)
        self.ask_button.setEnabled(self._ask_debug is not None and self.session is not None)
        port = self.port
        self.upload_button.setText(f"Upload to {port}…" if port else "Upload…")
        self.upload_button.setEnabled(self._upload is not None and bool(port))

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_changed.emit(text)

    # ------------------------------------------------------------ actions
    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _toggle_connection(self) -> None:
        if self.session is not None and self.session.is_open:
            self._spawn(self.disconnect_port())
        else:
            self._spawn(self.connect_port())

    async def connect_port(self) -> None:
        """Open the chosen port; a failure is shown in the status line, never raised."""
        if not self.port:
            self._set_status("Choose a port first.")
            return
        await self.disconnect_port()
        session = self._session_factory(self.port, self.baudrate)
        self._unsubscribe = session.subscribe(self._append)
        try:
            await session.open()
        except OhmError as exc:
            self._unsubscribe()
            self._unsubscribe = None
            self._set_status(exc.message)
            return
        self.session = session
        if self.pause_box.isChecked():
            session.pause()
        self._set_status(f"Connected to {session.port} at {session.baudrate} baud")
        self._update_controls()

    async def disconnect_port(self) -> None:
        if self.session is not None:
            await self.session.close()
            self._set_status(f"Disconnected from {self.session.port}")
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._update_controls()

    def _append(self, line: SerialLine) -> None:
        self.log_view.appendPlainText(line.format())
        if line.direction == "info" and self.session is not None and not self.session.is_open:
            self._update_controls()

    def _set_paused(self, paused: bool) -> None:
        if self.session is None:
            return
        if paused:
            self.session.pause()
        else:
            self.session.resume()

    def _clear(self) -> None:
        self.log_view.clear()
        if self.session is not None:
            self.session.clear()

    def _send(self) -> None:
        text = self.send_edit.text()
        if self.session is None or not self.session.is_open:
            return
        self.send_edit.clear()
        self._spawn(self._send_line(self.session, text))

    async def _send_line(self, session: SerialSession, text: str) -> None:
        try:
            await session.send_line(text)
        except OhmError as exc:
            self._set_status(exc.message)

    def save_log(self, path: Path) -> int:
        """Save the buffered log (full timestamps) to ``path``; returns the line count."""
        if self.session is None:
            path.write_text(self.log_view.toPlainText() + "\n", encoding="utf-8")
            return self.log_view.blockCount()
        return self.session.save(path)

    def _save_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save serial log", "serial-log.txt", "Text files (*.txt)")
        if name:
            try:
                count = self.save_log(Path(name))
            except OSError as exc:
                self._set_status(f"Could not save the log ({exc.strerror}): choose another folder.")
                return
            self._set_status(f"Saved {count} lines to {name}")

    def debug_context(self) -> str:
        """The last N lines (the spin box) as text for the DEBUG agent."""
        if self.session is None:
            return ""
        return self.session.context_for_debug(self.ask_lines.value())

    def _ask(self) -> None:
        context = self.debug_context()
        if self._ask_debug is not None and context:
            self._ask_debug(context)

    # ------------------------------------------------------------ upload
    def confirm_upload(self, port: str) -> bool:
        """Uploading replaces the program on the board: ask, naming the port."""
        answer = QMessageBox.question(
            self, "Upload to board",
            f"Compile the current sketch and upload it to the board on {port}?\n"
            "This replaces the program on that board.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def _upload_clicked(self) -> None:
        port = self.port
        if self._upload is not None and port and self.confirm_upload(port):
            self._spawn(self.upload_to(port))

    async def upload_to(self, port: str) -> None:
        """Upload through the port (closing the monitor on it first, reopening after)."""
        assert self._upload is not None
        reopen = self.session is not None and self.session.is_open and self.session.port == port
        if reopen:
            await self.disconnect_port()
        self._set_status(f"Uploading to {port}…")
        self.upload_button.setEnabled(False)
        try:
            result = await self._upload(port, lambda text: self.log_view.appendPlainText(f"# {text}"))
            self._set_status(result.summary())
        except OhmError as exc:
            self._set_status(exc.message)
        finally:
            self._update_controls()
        if reopen:
            await self.connect_port()

    async def aclose(self) -> None:
        """Close the port and stop background work (window shutdown)."""
        for task in list(self._tasks):
            task.cancel()
        await self.disconnect_port()


def create_serial_dock(parent: QMainWindow, **panel_options: object) -> QDockWidget:
    """The serial monitor as a dock (objectName ``dock-serial``); options go to SerialMonitorPanel."""
    dock = QDockWidget("Serial monitor", parent)
    dock.setObjectName("dock-serial")
    dock.setWidget(SerialMonitorPanel(parent=dock, **panel_options))  # type: ignore[arg-type]
    return dock
