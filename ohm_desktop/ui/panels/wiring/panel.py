"""The Wiring dock: connections grouped by net, and the diagram."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ohm_desktop.artifacts.consistency import Finding
from ohm_desktop.store import LocalStore
from ohm_desktop.ui.panels.artifact_panel import ArtifactPanel
from ohm_desktop.ui.panels.wiring.diagram import WiringDiagram
from ohm_desktop.ui.panels.wiring.findings import FindingsList


class WiringPanel(ArtifactPanel):
    artifact_type = "wiring"

    def __init__(self, store: LocalStore, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.tree = QTreeWidget()
        self.tree.setObjectName("wiring-nets")
        self.tree.setHeaderLabels(["Net / from", "To", "Colour"])
        self.diagram = WiringDiagram()
        self.findings = FindingsList(self._hover_finding)
        self.findings.setVisible(False)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.findings)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.diagram)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter, 1)

    def show_findings(self, findings: Sequence[Finding]) -> None:
        """The design check's findings for the shown design (hover one to light its parts and wires)."""
        self.findings.show_findings(findings)

    def _hover_finding(self, finding: Finding | None) -> None:
        if finding is None:
            self.diagram.highlight(None)
            return
        parts = set(finding.parts) | {pin.partition(".")[0] for pin in finding.pins}
        self.diagram.highlight_parts(parts)

    def show_content(self, content: dict[str, Any] | None) -> None:
        # Findings belong to the design they were computed for; the check of this one follows.
        self.findings.show_findings([])
        self.tree.clear()
        nets: dict[str, list[dict[str, Any]]] = {}
        for connection in (content or {}).get("connections", []):
            nets.setdefault(str(connection.get("net") or "(unnamed)"), []).append(connection)
        for net, connections in sorted(nets.items()):
            group = QTreeWidgetItem([f"{net}  ({len(connections)})"])
            for connection in connections:
                group.addChild(
                    QTreeWidgetItem([str(connection.get("from", "")), str(connection.get("to", "")),
                                     str(connection.get("color") or "")])
                )
            self.tree.addTopLevelItem(group)
            group.setExpanded(True)
        self.tree.resizeColumnToContents(0)
        self.diagram.show_wiring(content)

    def render_text(self, content: dict[str, Any]) -> str:
        return "\n".join(
            f"{c.get('net') or '-':<12} {c.get('from', ''):<12} → {c.get('to', ''):<12} {c.get('color') or ''}"
            for c in content.get("connections", [])
        )
