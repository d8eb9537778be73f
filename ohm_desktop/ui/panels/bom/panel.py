"""The BOM dock: a sortable parts table with inline editing that saves versions authored "you"."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from ohm_desktop.artifacts import validate_content
from ohm_desktop.errors import OhmError
from ohm_desktop.store import LocalStore
from ohm_desktop.ui.panels.artifact_panel import ArtifactPanel

COLUMNS = (
    ("designator", "Designator"),
    ("name", "Name"),
    ("value", "Value"),
    ("footprint", "Footprint"),
    ("quantity", "Qty"),
    ("mpn", "MPN"),
    ("supplier_pn", "Supplier PN"),
    ("notes", "Notes"),
)
_INVALID = QBrush(QColor("#ffd7d5"))
_PART_ROW = Qt.ItemDataRole.UserRole + 1


class _QuantitySortProxy(QSortFilterProxyModel):
    """Sorts the quantity column as numbers and everything else naturally as text."""

    def lessThan(self, left: Any, right: Any) -> bool:
        a, b = left.data(Qt.ItemDataRole.DisplayRole), right.data(Qt.ItemDataRole.DisplayRole)
        try:
            return float(a) < float(b)
        except (TypeError, ValueError):
            return str(a or "").lower() < str(b or "").lower()


class BomPanel(ArtifactPanel):
    artifact_type = "bom"

    def __init__(self, store: LocalStore, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.model = QStandardItemModel(0, len(COLUMNS))
        self.model.setHorizontalHeaderLabels([title for _, title in COLUMNS])
        self.proxy = _QuantitySortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("bom-table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # BOM order until asked
        self.proxy.sort(-1)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.totals = QLabel()
        self.totals.setObjectName("bom-totals")
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)
        self._content: dict[str, Any] | None = None
        self._rendering = False
        self.model.itemChanged.connect(self._on_cell_edited)

    def show_content(self, content: dict[str, Any] | None) -> None:
        self._content = copy.deepcopy(content) if content else None
        # Not blockSignals: the sort proxy must see the rows change; the flag mutes our edit handler.
        self._rendering = True
        self.model.removeRows(0, self.model.rowCount())
        parts = (content or {}).get("parts", [])
        for row, part in enumerate(parts):
            items = []
            for key, _ in COLUMNS:
                value = part.get(key)
                item = QStandardItem("" if value is None else str(value))
                item.setData(row, _PART_ROW)
                items.append(item)
            self.model.appendRow(items)
        self._rendering = False
        self.table.resizeColumnsToContents()
        lines = len(parts)
        total = sum(p.get("quantity", 0) for p in parts if isinstance(p.get("quantity"), int))
        project = (content or {}).get("projectName", "")
        self.totals.setText(f"{project} — {lines} line(s), {total} part(s) in total" if content else "")

    def render_text(self, content: dict[str, Any]) -> str:
        rows = [f"{content.get('projectName', '')}"]
        for part in content.get("parts", []):
            rows.append(
                f"{part.get('designator') or '-':<8} {part.get('quantity', ''):>3} x {part.get('name', '')}"
                f" {part.get('value') or ''} {part.get('footprint') or ''} {part.get('mpn') or ''}".rstrip()
            )
        return "\n".join(rows)

    def _on_cell_edited(self, item: QStandardItem) -> None:
        """An inline edit becomes a new version authored "you" — if the result is valid."""
        if self._rendering or self._content is None or self.chat_id is None:
            return
        row = item.data(_PART_ROW)
        key = COLUMNS[item.column()][0]
        text = item.text().strip()
        edited = copy.deepcopy(self._content)
        part = edited["parts"][row]
        value: Any = text or None
        if key == "quantity":
            try:
                value = int(text)
            except ValueError:
                value = text
        part[key] = value
        result = validate_content("bom", edited)
        self._rendering = True  # styling the cell emits itemChanged too
        item.setBackground(QBrush() if result.ok else _INVALID)
        item.setToolTip("" if result.ok else "\n".join(result.errors))
        self._rendering = False
        if not result.ok:
            self.message.emit(f"Not saved: {result.errors[0]}")
            return
        label = part.get("designator") or part.get("name") or f"row {row + 1}"
        try:
            self.store.write_version(
                self.chat_id, "bom", edited, change_summary=f"Edited {key} of {label}", created_by="you"
            )
        except OhmError as exc:
            self.message.emit(exc.message)
