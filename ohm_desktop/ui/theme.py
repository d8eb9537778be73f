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
        # Without these the dark palette kept Qt's light-theme defaults: placeholders near-black
        # on dark, disabled buttons drawn like enabled ones, links dark blue.
        palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8b949e"))
        palette.setColor(QPalette.ColorRole.Link, QColor("#6cb6ff"))
        palette.setColor(QPalette.ColorRole.LinkVisited, QColor("#d2a8ff"))
        disabled = QPalette.ColorGroup.Disabled
        for role, colour in (
            (QPalette.ColorRole.ButtonText, "#636e7b"), (QPalette.ColorRole.Text, "#636e7b"),
            (QPalette.ColorRole.WindowText, "#636e7b"), (QPalette.ColorRole.Button, "#22272e"),
            (QPalette.ColorRole.Base, "#22272e"),
        ):
            palette.setColor(disabled, role, QColor(colour))
    app.setPalette(palette)
    # Keyboard focus must be visible on every widget, in either theme.
    app.setStyleSheet(FOCUS_RINGS)


# Fusion already rings focused line edits, combo and spin boxes; these had no visible focus.
FOCUS_RINGS = (
    "QPlainTextEdit:focus, QTextEdit:focus, QListView:focus, QTreeView:focus, QTableView:focus"
    " { border: 2px solid palette(highlight); }"
)
