"""Small unobtrusive notices in the window's top-right corner that fade on their own."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget


class ToastArea:
    """Stacks toasts over ``host``; each disappears after ``timeout_ms``."""

    def __init__(self, host: QWidget, *, timeout_ms: int = 3500) -> None:
        self._host = host
        self._timeout_ms = timeout_ms
        self.toasts: list[QLabel] = []
        self.history: list[str] = []

    def show(self, text: str, *, kind: str = "info") -> QLabel:
        colours = {"info": ("#ddf4ff", "#0a3069"), "agent": ("#fbefff", "#512a97"), "warn": ("#fff8c5", "#4d2d00")}
        background, foreground = colours.get(kind, colours["info"])
        toast = QLabel(text, self._host)
        toast.setObjectName("toast")
        toast.setWordWrap(True)
        toast.setMaximumWidth(360)
        toast.setStyleSheet(
            f"background:{background};color:{foreground};border:1px solid #d0d7de;border-radius:6px;padding:8px"
        )
        toast.adjustSize()
        self.toasts.append(toast)
        self.history.append(text)
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

    def _place(self) -> None:
        y = 48
        self.toasts = [toast for toast in self.toasts if shiboken6.isValid(toast)]
        for toast in self.toasts:
            toast.move(self._host.width() - toast.width() - 16, y)
            y += toast.height() + 8
