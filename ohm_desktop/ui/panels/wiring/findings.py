"""The design check's findings, listed in the Wiring dock; hovering one lights its parts and wires."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ohm_desktop.artifacts.consistency import Finding

_MARK = {"error": ("✖", "#d1242f"), "warning": ("▲", "#9a6700"), "info": ("ℹ", "#57606a")}


class FindingsList(QListWidget):
    """One row per finding (severity, message); ``on_hover(finding | None)`` follows the mouse."""

    def __init__(self, on_hover: Callable[[Finding | None], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wiring-findings")
        self.setMouseTracking(True)
        self.setWordWrap(True)
        self._on_hover = on_hover
        self.findings: list[Finding] = []
        self.itemEntered.connect(self._entered)

    def show_findings(self, findings: Sequence[Finding]) -> None:
        self.clear()
        self.findings = list(findings)
        for finding in self.findings:
            mark, colour = _MARK.get(finding.severity, ("•", "#57606a"))
            item = QListWidgetItem(f"{mark} {finding.message}")
            item.setForeground(QColor(colour))
            item.setToolTip(f"{finding.severity} · {finding.artifact} {finding.location} · {finding.code}")
            self.addItem(item)
        self.setVisible(bool(self.findings))

    def _entered(self, item: QListWidgetItem) -> None:
        self._on_hover(self.findings[self.row(item)])

    def leaveEvent(self, event: Any) -> None:
        self._on_hover(None)
        super().leaveEvent(event)
