"""Under the transcript when a turn failed: what happened, and a button for each fix offered."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ohm_desktop.core.session_events import TurnFailed


class FailureBar(QFrame):
    """Shows one :class:`TurnFailed`; ``action`` carries the id of the button pressed."""

    action = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("failure-bar")
        self.text = QLabel()
        self.text.setObjectName("inline-error")
        self.text.setWordWrap(True)
        # The sentence gets the full width; the fixes sit under it.
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 4)
        outer.addWidget(self.text)
        self._layout = QHBoxLayout()
        self._layout.addStretch(1)
        outer.addLayout(self._layout)
        self.buttons: dict[str, QPushButton] = {}
        self.hide()

    def show_failure(self, failure: TurnFailed) -> None:
        for button in self.buttons.values():
            button.deleteLater()
        self.buttons = {}
        self.text.setText(failure.message)
        for offered in failure.actions:
            button = QPushButton(offered.label)
            button.setObjectName(f"action-{offered.id}")
            button.setAutoDefault(False)
            button.clicked.connect(lambda *_, action_id=offered.id: self._pressed(action_id))
            self._layout.addWidget(button)
            self.buttons[offered.id] = button
        self.show()

    def _pressed(self, action_id: str) -> None:
        self.hide()
        self.action.emit(action_id)
