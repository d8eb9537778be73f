"""Light, dark or system theme (Fusion style with a palette)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")


def apply_theme(name: str) -> None:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if name == "system":
        return
    app.setStyle("Fusion")
    palette = QPalette()
    if name == "dark":
        for role, colour in (
            (QPalette.ColorRole.Window, "#22272e"), (QPalette.ColorRole.WindowText, "#e6edf3"),
            (QPalette.ColorRole.Base, "#1c2128"), (QPalette.ColorRole.AlternateBase, "#2d333b"),
            (QPalette.ColorRole.Text, "#e6edf3"), (QPalette.ColorRole.Button, "#2d333b"),
            (QPalette.ColorRole.ButtonText, "#e6edf3"), (QPalette.ColorRole.Highlight, "#316dca"),
            (QPalette.ColorRole.HighlightedText, "#ffffff"), (QPalette.ColorRole.ToolTipBase, "#2d333b"),
            (QPalette.ColorRole.ToolTipText, "#e6edf3"),
        ):
            palette.setColor(role, QColor(colour))
    app.setPalette(palette)
