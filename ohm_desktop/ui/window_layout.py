"""How the window is laid out before the user arranges it, and what keeps it usable when small.

- Dock contents sit in a scroll area: a panel's toolbar no longer sets the window's minimum
  width (the serial monitor's alone forced ~726 px), and text that grows mid-turn (a pending
  banner) cannot widen its dock.
- First run (no saved layout): the artifact docks take about a third of the width and the serial
  monitor a short strip at the bottom, so the transcript keeps most of the window, also at 800×600.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea, QSizePolicy, QWidget

MINIMUM_WINDOW = (640, 480)
SERIAL_HEIGHT = 150
RIGHT_DOCK_SHARE = 0.32


def scrollable(panel: QWidget) -> QScrollArea:
    """``panel`` inside a frameless scroll area that scrolls only when the dock is smaller than it."""
    area = QScrollArea()
    area.setObjectName(f"{panel.objectName() or 'panel'}-scroll")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(panel)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    # The dock's width is the user's choice, not the content's: never grow with a longer label.
    area.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    area.setMinimumSize(160, 80)
    return area


def first_run_layout(window: QMainWindow, right_docks: list[QDockWidget], bottom_docks: list[QDockWidget]) -> None:
    """Sizes for a window with no saved layout (called once it has its size)."""
    width = window.width()
    if right_docks:
        window.resizeDocks(right_docks, [int(width * RIGHT_DOCK_SHARE)] * len(right_docks), Qt.Orientation.Horizontal)
    if bottom_docks:
        window.resizeDocks(bottom_docks, [SERIAL_HEIGHT] * len(bottom_docks), Qt.Orientation.Vertical)


def keep_transcript_room(window: QMainWindow, right_docks: list[QDockWidget]) -> None:
    """When the window is made smaller, shrink the artifact docks with it, not only the transcript.

    Qt gives all of a shrink to the central widget: at 800×600 the transcript was ~190 px wide.
    """
    central = window.centralWidget()
    shown = [dock for dock in right_docks if dock.isVisible() and not dock.isFloating()]
    if central is None or not shown or central.width() >= window.width() * 0.5:
        return
    window.resizeDocks(shown, [int(window.width() * RIGHT_DOCK_SHARE)] * len(shown), Qt.Orientation.Horizontal)
