"""Small unobtrusive notices in the window's top-right corner that fade on their own."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

#: More at once is a stack nobody reads; the oldest goes first.
MAX_SHOWN = 3


class ToastArea:
    """Stacks toasts over ``host``; each disappears after ``timeout_ms``."""

    def __init__(self, host: QWidget, *, timeout_ms: int = 3500) -> None:
        self._host = host
        self._timeout_ms = timeout_ms
        self.toasts: list[QLabel] = []
        self.history: list[str] = []

    def show(self, text: str, *, kind: str = "info") -> QLabel:
        self.history.append(text)
        for shown in self.toasts:
            if shiboken6.isValid(shown) and shown.text() == text:
                return shown  # the same notice again is not a second toast
        while len(self.toasts) >= MAX_SHOWN:
            self._dismiss(self.toasts[0])
        colours = {"info": ("#ddf4ff", "#0a3069"), "agent": ("#fbefff", "#512a97"), "warn": ("#fff8c5", "#4d2d00")}
        background, foreground = colours.get(kind, colours["info"])
        toast = QLabel(text, self._host)
        toast.setObjectName("toast")
        # A notice never swallows the click meant for what is under it (a dock's toolbar).
        toast.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        toast.setWordWrap(True)
        toast.setMaximumWidth(360)
        toast.setStyleSheet(
            f"background:{background};color:{foreground};border:1px solid #d0d7de;border-radius:6px;padding:8px"
        )
        toast.adjustSize()
        self.toasts.append(toast)
        self._place()
        toast.show()
        toast.raise_()
        # The timer belongs to the toast: when the window (and so the toast) goes first, so does it.
        timer = QTimer(toast)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self._dismiss(toast))
        timer.start(self._timeout_ms)
        return toast

    def _dismiss(self, toast: QLabel) -> None:
        if toast in self.toasts:
            self.toasts.remove(toast)
            toast.deleteLater()
            self._place()

    def _area(self) -> tuple[int, int]:
        """The top-right corner to stack from: over the transcript, not over the docks' toolbars."""
        central = self._host.centralWidget() if isinstance(self._host, QMainWindow) else None
        if central is None:
            return self._host.width() - 16, 48
        top_right = central.mapTo(self._host, central.rect().topRight())
        return top_right.x() - 12, top_right.y() + 12

    def _place(self) -> None:
        right, y = self._area()
        self.toasts = [toast for toast in self.toasts if shiboken6.isValid(toast)]
        for toast in self.toasts:
            toast.move(right - toast.width(), y)
            y += toast.height() + 8
