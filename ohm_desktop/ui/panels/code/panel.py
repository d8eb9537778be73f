"""The Code dock: sketch files as tabs in a read-only highlighted view, copy, export, compile status."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ohm_desktop.store import LocalStore
from ohm_desktop.ui.panels.artifact_panel import ArtifactPanel
from ohm_desktop.ui.panels.code.highlighter import CppHighlighter


class CodePanel(ArtifactPanel):
    artifact_type = "code"
    simulate_requested = Signal()  # the Simulate button: run the shown version (ui/panels/simulation)

    def __init__(self, store: LocalStore, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("code-tabs")
        self.board = QLabel()
        self.compile_status = QLabel()
        self.compile_status.setObjectName("compile-status")
        self.compile_status.setWordWrap(True)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the shown file to the clipboard")
        self.copy_button.clicked.connect(self.copy_current)
        self.export_sketch_button = QPushButton("Export sketch…")
        self.export_sketch_button.clicked.connect(lambda: self.export_shown("arduino"))
        self.simulate_button = QPushButton("Simulate")
        self.simulate_button.setObjectName("code-simulate")
        self.simulate_button.setToolTip("Run the shown version on a simulated board (Simulate dock)")
        self.simulate_button.clicked.connect(self.simulate_requested.emit)
        row = QHBoxLayout()
        row.addWidget(self.board, 1)
        row.addWidget(self.copy_button)
        row.addWidget(self.export_sketch_button)
        row.addWidget(self.simulate_button)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.compile_status)
        self._highlighters: list[CppHighlighter] = []

    def show_content(self, content: dict[str, Any] | None) -> None:
        self.tabs.clear()
        self._highlighters.clear()
        if not content:
            self.board.setText("")
            return
        self.board.setText(f"Board: {content.get('board') or 'not set'}")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        for file in content.get("files", []):
            view = QPlainTextEdit()
            view.setReadOnly(True)
            view.setFont(mono)
            view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            view.setPlainText(str(file.get("content", "")))
            self._highlighters.append(CppHighlighter(view.document()))
            self.tabs.addTab(view, str(file.get("path", "sketch.ino")))

    def render_text(self, content: dict[str, Any]) -> str:
        return "\n".join(f"// ==== {f.get('path')} ====\n{f.get('content', '')}" for f in content.get("files", []))

    def copy_current(self) -> None:
        view = self.tabs.currentWidget()
        if isinstance(view, QPlainTextEdit):
            QGuiApplication.clipboard().setText(view.toPlainText())
            self.message.emit(f"Copied {self.tabs.tabText(self.tabs.currentIndex())}.")

    def show_compile(self, text: str, ok: bool | None) -> None:
        """The compile check of the shown version: ok with sizes, errors, or in progress."""
        colour = {True: "#1a7f37", False: "#cf222e", None: "#666"}[ok]
        self.compile_status.setStyleSheet(f"color:{colour}")
        self.compile_status.setText(text)
