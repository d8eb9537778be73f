"""The composer: Enter sends, Shift+Enter adds a line, Esc stops the turn."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget


class _Input(QPlainTextEdit):
    submitted = Signal()
    cancelled = Signal()
    edit_last = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        if event.key() == Qt.Key.Key_Up and not self.toPlainText() and not event.modifiers():
            self.edit_last.emit()  # as in chat apps: Up in an empty box brings the last message back
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    send = Signal(str)
    stop = Signal()
    regenerate = Signal()
    edit_last = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.input = _Input()
        self.input.setObjectName("composer")
        self.input.setPlaceholderText("Ask for a parts list, firmware, wiring, or help debugging…  (Enter sends)")
        self.input.setMaximumHeight(110)
        self.input.submitted.connect(self._submit)
        self.input.cancelled.connect(self.stop)
        self.input.edit_last.connect(self.edit_last)
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("send")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self._on_send_button)
        self.regenerate_button = QPushButton("Regenerate")
        self.regenerate_button.setToolTip("Answer the last message again")
        self.regenerate_button.clicked.connect(self.regenerate)
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.regenerate_button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 6)
        layout.addWidget(self.input, 1)
        layout.addLayout(buttons)
        self.busy = False

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.send_button.setText("Stop" if busy else "Send")
        self.regenerate_button.setEnabled(not busy)

    def set_text(self, text: str) -> None:
        self.input.setPlainText(text)
        self.input.moveCursor(QTextCursor.MoveOperation.End)
        self.input.setFocus()

    def _on_send_button(self) -> None:
        if self.busy:
            self.stop.emit()
        else:
            self._submit()

    def _submit(self) -> None:
        text = self.input.toPlainText().strip()
        if not text or self.busy:
            return
        self.input.clear()
        self.send.emit(text)
