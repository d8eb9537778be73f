"""A small logic-analyser strip: one row per pin, its level over the last few simulated seconds."""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

ROW_HEIGHT = 15
LABEL_WIDTH = 44
WINDOW_MS = 5_000.0
POINTS_PER_PIN = 2_000  # bounded: a pin toggling at kHz keeps only its recent edges


class PinTimeline(QWidget):
    """Rows for ``pins`` (set by :meth:`set_pins`, others appear as they change)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pin-timeline")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._edges: dict[str, deque[tuple[float, int]]] = {}
        self.now_ms = 0.0
        self.setMinimumHeight(ROW_HEIGHT * 2)

    def clear(self) -> None:
        self._edges.clear()
        self.now_ms = 0.0
        self._resize()

    def set_pins(self, pins: list[str]) -> None:
        """Show these pins first, in this order, even before they change."""
        for pin in pins:
            self._edges.setdefault(pin, deque(maxlen=POINTS_PER_PIN))
        self._resize()

    def add(self, t_ms: float, pin: str, level: int) -> None:
        if pin not in self._edges:
            self._edges[pin] = deque(maxlen=POINTS_PER_PIN)
            self._resize()
        self._edges[pin].append((t_ms, level))
        self.advance(t_ms)

    def advance(self, t_ms: float) -> None:
        if t_ms > self.now_ms:
            self.now_ms = t_ms
            self.update()

    @property
    def pins(self) -> list[str]:
        return list(self._edges)

    def level_at_end(self, pin: str) -> int | None:
        edges = self._edges.get(pin)
        return edges[-1][1] if edges else None

    def _resize(self) -> None:
        self.setFixedHeight(max(2, len(self._edges)) * ROW_HEIGHT + 4)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.base())
        width = max(1.0, float(self.width() - LABEL_WIDTH - 4))
        start_ms = max(0.0, self.now_ms - WINDOW_MS)
        span = max(1.0, self.now_ms - start_ms) if self.now_ms < WINDOW_MS else WINDOW_MS

        def x_of(t_ms: float) -> float:
            return LABEL_WIDTH + (min(max(t_ms, start_ms), self.now_ms) - start_ms) / span * width

        trace = QPen(QColor("#1a7f37"), 1.5)
        high_fill = QColor(26, 127, 55, 60)
        grid = QPen(palette.mid().color(), 0.5, Qt.PenStyle.DotLine)
        for row, (pin, edges) in enumerate(self._edges.items()):
            top = 2 + row * ROW_HEIGHT
            high_y, low_y = top + 3, top + ROW_HEIGHT - 4
            painter.setPen(palette.text().color())
            painter.drawText(QRectF(2, top, LABEL_WIDTH - 6, ROW_HEIGHT), Qt.AlignmentFlag.AlignVCenter, pin)
            painter.setPen(grid)
            painter.drawLine(QPointF(LABEL_WIDTH, low_y), QPointF(LABEL_WIDTH + width, low_y))
            if not edges:
                continue
            painter.setPen(trace)
            level = next((lv for t, lv in reversed(edges) if t <= start_ms), edges[0][1])
            x = x_of(start_ms)
            for t_ms, new_level in edges:
                if t_ms < start_ms:
                    continue
                x_edge = x_of(t_ms)
                y = high_y if level else low_y
                if level:
                    painter.fillRect(QRectF(x, high_y, x_edge - x, low_y - high_y), high_fill)
                painter.drawLine(QPointF(x, y), QPointF(x_edge, y))
                painter.drawLine(QPointF(x_edge, high_y if level else low_y),
                                 QPointF(x_edge, high_y if new_level else low_y))
                level, x = new_level, x_edge
            y = high_y if level else low_y
            if level:
                painter.fillRect(QRectF(x, high_y, x_of(self.now_ms) - x, low_y - high_y), high_fill)
            painter.drawLine(QPointF(x, y), QPointF(x_of(self.now_ms), y))
        painter.end()
