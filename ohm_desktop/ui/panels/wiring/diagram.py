"""The wiring diagram: parts as boxes, wires as coloured lines; hovering a part lights its wires.

Graphviz lays the parts out when ``dot`` is installed (run through QProcess, so the window
never waits on it); otherwise, and until Graphviz answers, parts sit on a circle.
"""

from __future__ import annotations

import math
import shlex
import shutil
from typing import Any

import shiboken6
from PySide6.QtCore import QPointF, QProcess, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsLineItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSceneHoverEvent,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from ohm_desktop.artifacts.export import wiring_dot

_NAMED = {"red": "#d1242f", "black": "#24292f", "yellow": "#d4a72c", "green": "#1a7f37", "blue": "#0969da",
          "white": "#8c959f", "orange": "#e16f24", "brown": "#8a4600", "purple": "#8250df", "grey": "#6e7781",
          "gray": "#6e7781"}
_BOX_W, _BOX_H = 70.0, 30.0


def _part(endpoint: str) -> str:
    return str(endpoint).partition(".")[0]


class _PartItem(QGraphicsRectItem):
    def __init__(self, name: str, diagram: WiringDiagram) -> None:
        super().__init__(-_BOX_W / 2, -_BOX_H / 2, _BOX_W, _BOX_H)
        self.name = name
        self._diagram = diagram
        self.setAcceptHoverEvents(True)
        self.setBrush(QBrush(QColor("#f4f1e8")))
        self.setPen(QPen(QColor("#57606a"), 1.2))
        self.setToolTip(name)
        label = QGraphicsSimpleTextItem(name, self)
        bounds = label.boundingRect()
        label.setPos(-bounds.width() / 2, -bounds.height() / 2)

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._diagram.highlight(self.name)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._diagram.highlight(None)
        super().hoverLeaveEvent(event)


class WiringDiagram(QGraphicsView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(180)
        self.parts: dict[str, _PartItem] = {}
        self.wires: list[tuple[QGraphicsLineItem, str, str, QPen]] = []
        self.highlighted: str | None = None
        self.highlighted_parts: set[str] = set()
        self._content: dict[str, Any] = {}
        self._process: QProcess | None = None
        self.layout_source = "circle"

    def show_wiring(self, content: dict[str, Any] | None) -> None:
        self._content = content or {}
        names: list[str] = []
        for connection in self._content.get("connections", []):
            for end in ("from", "to"):
                name = _part(connection.get(end, ""))
                if name and name not in names:
                    names.append(name)
        radius = max(90.0, 28.0 * len(names))
        positions = {
            name: QPointF(radius * math.cos(2 * math.pi * i / max(1, len(names))),
                          radius * math.sin(2 * math.pi * i / max(1, len(names))))
            for i, name in enumerate(names)
        }
        self.layout_source = "circle"
        self._draw(positions)
        self._layout_with_graphviz()

    def _draw(self, positions: dict[str, QPointF]) -> None:
        scene = self.scene()
        scene.clear()
        self.parts.clear()
        self.wires.clear()
        for connection in self._content.get("connections", []):
            a, b = _part(connection.get("from", "")), _part(connection.get("to", ""))
            if a not in positions or b not in positions:
                continue
            pen = QPen(QColor(_NAMED.get(str(connection.get("color") or "").lower(), "#6e7781")), 2.0)
            line = scene.addLine(positions[a].x(), positions[a].y(), positions[b].x(), positions[b].y(), pen)
            line.setToolTip(f"{connection.get('from')} → {connection.get('to')}  {connection.get('net') or ''}")
            self.wires.append((line, a, b, pen))
        for name, point in positions.items():
            item = _PartItem(name, self)
            item.setPos(point)
            scene.addItem(item)
            self.parts[name] = item
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self.fitInView(scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def highlight(self, name: str | None) -> None:
        """Emphasise the wires of part ``name`` (None: back to normal)."""
        self.highlighted = name
        self._emphasise(None if name is None else {name}, mark_parts=False)

    def highlight_parts(self, names: set[str] | None) -> None:
        """Mark parts ``names`` and emphasise the wires among them (what a design finding concerns)."""
        self.highlighted_parts = set(names or ())
        self._emphasise(names, mark_parts=True)

    def _emphasise(self, names: set[str] | None, *, mark_parts: bool) -> None:
        for name, item in self.parts.items():
            marked = mark_parts and names is not None and name in names
            item.setPen(QPen(QColor("#d1242f" if marked else "#57606a"), 2.4 if marked else 1.2))
        for line, a, b, pen in self.wires:
            if names is None:
                line.setPen(pen)
                line.setOpacity(1.0)
            elif (a in names and b in names) if len(names) > 1 else bool(names & {a, b}):
                wide = QPen(pen)
                wide.setWidthF(4.0)
                line.setPen(wide)
                line.setOpacity(1.0)
            else:
                line.setOpacity(0.15)

    def _layout_with_graphviz(self) -> None:
        dot = shutil.which("dot")
        if dot is None or not self.parts:
            return
        if self._process is not None:
            self._process.kill()
        process = QProcess(self)
        self._process = process
        content = self._content

        def finished() -> None:
            # The view (and with it the QProcess) may be gone by the time `dot` exits: Qt then
            # delivers `finished` while deleting the process, and touching either would raise.
            if not (shiboken6.isValid(self) and shiboken6.isValid(process)):
                return
            if process is not self._process or content is not self._content:
                return
            self._process = None
            positions = _parse_plain(bytes(process.readAllStandardOutput().data()).decode(errors="replace"))
            if positions and set(positions) >= set(self.parts):
                self.layout_source = "graphviz"
                self._draw(positions)

        process.finished.connect(finished)
        process.start(dot, ["-Tplain"])
        process.write(wiring_dot(content).encode())
        process.closeWriteChannel()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.scene().items():
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)


def _parse_plain(text: str) -> dict[str, QPointF]:
    """Part centres from Graphviz ``-Tplain`` output (inches, y up) in scene units.

    Parts are record nodes whose label starts with the designator (``"U1|{<p0> D5|...}"``).
    """
    positions: dict[str, QPointF] = {}
    for line in text.splitlines():
        if not line.startswith("node "):
            continue
        try:
            fields = shlex.split(line)
            x, y, label = float(fields[2]), float(fields[3]), fields[6]
        except (IndexError, ValueError):
            continue
        positions[label.split("|", 1)[0].strip()] = QPointF(x * 80, -y * 110)
    return positions
