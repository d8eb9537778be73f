"""What every artifact dock shares: version history, diff, revert, export, consistency warnings.

A panel shows one artifact type of the current chat. It renders store records only; edits go
back through the store as new versions, so the panel never owns state the store does not have.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ohm_desktop.artifacts.consistency import check_consistency
from ohm_desktop.artifacts.diff import diff_versions
from ohm_desktop.artifacts.export import (
    available_formats,
    default_file_name,
    export_design,
    format_label,
    is_folder_format,
)
from ohm_desktop.chat_export import current_design
from ohm_desktop.errors import OhmError
from ohm_desktop.store import ARTIFACT_TYPES, ArtifactType, ArtifactVersion, LocalStore, StoreChange

TITLES = {"bom": "BOM", "code": "Code", "wiring": "Wiring"}


class ArtifactPanel(QWidget):
    """Base of the BOM, Code and Wiring panels. Subclasses implement :meth:`render`."""

    artifact_type: ArtifactType = "bom"
    message = Signal(str)  # a sentence for the window's notice area (export done, revert failed, ...)

    def __init__(self, store: LocalStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.chat_id: str | None = None
        self.versions: list[ArtifactVersion] = []
        self.shown: ArtifactVersion | None = None

        self.version_box = QComboBox()
        self.version_box.setObjectName("version-picker")
        self.version_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.version_box.currentIndexChanged.connect(self._on_version_picked)
        self.diff_button = QPushButton("Diff…")
        self.diff_button.setToolTip("Compare any two versions side by side")
        self.diff_button.clicked.connect(self.open_diff)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Make the shown version the current one (as a new version)")
        self.revert_button.clicked.connect(self.revert_to_shown)
        self.export_button = QToolButton()
        self.export_button.setText("Export…")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_menu = QMenu(self.export_button)
        self.export_button.setMenu(self.export_menu)
        for fmt in available_formats(self.artifact_type):
            label = format_label(self.artifact_type, fmt)
            self.export_menu.addAction(label, lambda f=fmt: self.export_shown(f))  # type: ignore[misc]

        self.pending = QLabel()
        self.pending.setObjectName("pending-banner")
        self.pending.setStyleSheet("background:#fff4c2;color:#5a4600;padding:4px;border-radius:3px")
        self.pending.hide()
        self.empty = QLabel(f"No {TITLES[self.artifact_type]} yet — ask the specialists for one.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color:#888")
        self.meta = QLabel()
        self.meta.setStyleSheet("color:#666")
        self.meta.setWordWrap(True)
        self.warnings = QLabel()
        self.warnings.setObjectName("consistency-warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.RichText)
        self.warnings.hide()

        bar = QHBoxLayout()
        bar.addWidget(self.version_box, 1)
        for widget in (self.diff_button, self.revert_button, self.export_button):
            bar.addWidget(widget)
        self.body = QWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.meta)
        layout.addWidget(self.pending)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.warnings)
        self._reload_scheduled = False
        self._unsubscribe = store.subscribe(self._on_store_change)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self._refresh_controls()

    # ------------------------------------------------------------- loading
    def set_chat(self, chat_id: str | None) -> None:
        self.chat_id = chat_id
        self.pending.hide()
        self.reload()

    def reload(self, *, show_latest: bool = True) -> None:
        self.versions = self.store.list_versions(self.chat_id, self.artifact_type) if self.chat_id else []
        self.version_box.blockSignals(True)
        self.version_box.clear()
        for version in reversed(self.versions):
            when = version.created_at[:16].replace("T", " ")
            self.version_box.addItem(
                f"v{version.version_number} · {version.created_by} · {when} · {version.change_summary}",
                version.version_number,
            )
        self.version_box.blockSignals(False)
        if self.versions and (show_latest or self.shown is None):
            self.show_version(self.versions[-1])
        elif not self.versions:
            self.shown = None
            self.show_content(None)
        self._refresh_controls()
        self._refresh_warnings()

    def show_version(self, version: ArtifactVersion) -> None:
        self.shown = version
        index = self.version_box.findData(version.version_number)
        if index >= 0 and index != self.version_box.currentIndex():
            self.version_box.blockSignals(True)
            self.version_box.setCurrentIndex(index)
            self.version_box.blockSignals(False)
        self.meta.setText(f"Version {version.version_number} by {version.created_by}: {version.change_summary}")
        self.show_content(version.content)
        self._refresh_controls()

    def show_pending(self, detail: str = "") -> None:
        """The specialist started writing this artifact: say so before the write completes."""
        self.pending.setText(f"✎ {TITLES[self.artifact_type]} is being written{detail}…")
        self.pending.show()

    def show_content(self, content: dict[str, Any] | None) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _on_version_picked(self, index: int) -> None:
        number = self.version_box.itemData(index)
        version = next((v for v in self.versions if v.version_number == number), None)
        if version is not None:
            self.show_version(version)

    def _on_store_change(self, change: StoreChange) -> None:
        if change.chat_id != self.chat_id or change.table not in ("artifact_versions", "artifacts"):
            return
        if change.origin == "sync":
            # A catch-up can bring hundreds of versions in one go: reload once, after the burst.
            if not self._reload_scheduled:
                self._reload_scheduled = True
                QTimer.singleShot(0, self, self._reload_after_sync)
            return
        self.pending.hide()
        self.reload()

    def _reload_after_sync(self) -> None:
        self._reload_scheduled = False
        before = {version.id: version.version_number for version in self.versions}
        self.reload()
        for version in self.versions:
            old = before.get(version.id)
            if old is not None and old != version.version_number:
                # Another workstation wrote the same version number first: ours moved up.
                self.message.emit(
                    f"{TITLES[self.artifact_type]} version {old} from this workstation is now version "
                    f"{version.version_number}: another workstation saved a version {old} at the same time."
                )

    def _refresh_controls(self) -> None:
        has = bool(self.versions)
        self.empty.setVisible(not has)
        self.body.setVisible(has)
        self.diff_button.setEnabled(len(self.versions) > 1)
        is_current = self.shown is not None and self.versions and self.shown.version_number == self.versions[-1].version_number
        self.revert_button.setEnabled(has and not is_current)
        self.export_button.setEnabled(has)

    def _refresh_warnings(self) -> None:
        if not self.chat_id:
            self.warnings.hide()
            return
        current = {kind: self.store.get_version(self.chat_id, kind) for kind in ARTIFACT_TYPES}
        findings = [
            f
            for f in check_consistency(*(v.content if v else None for v in current.values()))
            if f.artifact == self.artifact_type or (self.artifact_type == "wiring" and f.artifact == "bom")
        ]
        if not findings:
            self.warnings.hide()
            return
        icons = {"error": "✖", "warning": "⚠", "info": "ℹ"}
        rows = "".join(
            f"<div>{icons[f.severity]} <b>{html.escape(f.location)}</b>: {html.escape(f.message)}</div>" for f in findings[:8]
        )
        self.warnings.setText(rows)
        self.warnings.show()

    # ------------------------------------------------------------- actions
    def revert_to_shown(self) -> None:
        if self.shown is None or self.chat_id is None:
            return
        try:
            self.store.revert_version(self.chat_id, self.artifact_type, self.shown.version_number, created_by="you")
        except OhmError as exc:
            self.message.emit(exc.message)
            return
        self.message.emit(f"Reverted {TITLES[self.artifact_type]} to version {self.shown.version_number} as a new version.")

    def export_shown(self, fmt: str, target: Path | None = None) -> None:
        """Export the shown version; without ``target`` a non-modal file dialog asks where."""
        if self.shown is None:
            return
        if target is not None:
            self._export_to(fmt, target)
            return
        label = format_label(self.artifact_type, fmt)
        dialog = QFileDialog(self, f"Export {TITLES[self.artifact_type]} as {label}")
        if is_folder_format(self.artifact_type, fmt):
            dialog.setFileMode(QFileDialog.FileMode.Directory)
        else:
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.selectFile(default_file_name(self.artifact_type, fmt, self._project_name()))
        dialog.fileSelected.connect(lambda path: self._export_to(fmt, Path(path)))
        dialog.open()  # never a nested modal loop inside the asyncio-driven event loop

    def _project_name(self) -> str:
        design = current_design(self.store, self.chat_id) if self.chat_id is not None else None
        return str(((design.bom if design else None) or {}).get("projectName") or "ohm")

    def _export_to(self, fmt: str, target: Path) -> None:
        assert self.shown is not None
        try:
            design = current_design(self.store, self.chat_id, self.shown) if self.chat_id is not None else None
            result = export_design(self.artifact_type, self.shown.content, fmt, target, design)
        except (OhmError, OSError, ValueError) as exc:
            self.message.emit(f"Export failed: {getattr(exc, 'message', exc)}")
            return
        # An export that drops or changes something says so (JLCPCB leaving modules out, ...).
        notes = "".join(f" Note: {notice}" for notice in result.notices)
        self.message.emit(f"Exported {len(result.files)} file(s) to {target}.{notes}")

    def open_diff(self) -> None:
        if len(self.versions) < 2:
            return
        dialog = DiffDialog(self.artifact_type, self.versions, self.render_text, self)
        dialog.open()

    def render_text(self, content: dict[str, Any]) -> str:
        """A plain-text rendering used by the side-by-side diff (subclasses may refine it)."""
        import json

        return json.dumps(content, indent=2, ensure_ascii=False)


class DiffDialog(QDialog):
    """Side-by-side comparison of any two versions, with the structured change list."""

    def __init__(
        self,
        artifact_type: str,
        versions: list[ArtifactVersion],
        as_text: Callable[[dict[str, Any]], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Compare {TITLES.get(artifact_type, artifact_type)} versions")
        self.resize(1000, 640)
        self._type = artifact_type
        self._versions = {v.version_number: v for v in versions}
        self._as_text = as_text
        self.left, self.right, self.changes = QTextBrowser(), QTextBrowser(), QTextBrowser()
        self.left_box, self.right_box = QComboBox(), QComboBox()
        for box in (self.left_box, self.right_box):
            for version in versions:
                box.addItem(f"v{version.version_number} · {version.change_summary}", version.version_number)
        self.left_box.setCurrentIndex(max(0, len(versions) - 2))
        self.right_box.setCurrentIndex(len(versions) - 1)
        for box in (self.left_box, self.right_box):
            box.currentIndexChanged.connect(self.refresh)
        self.changes.setObjectName("diff-changes")
        panes = QSplitter(Qt.Orientation.Horizontal)
        panes.addWidget(self.left)
        panes.addWidget(self.right)
        outer = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(panes)
        outer.addWidget(self.changes)
        outer.setSizes([420, 200])
        pickers = QHBoxLayout()
        pickers.addWidget(QLabel("From"))
        pickers.addWidget(self.left_box, 1)
        pickers.addWidget(QLabel("to"))
        pickers.addWidget(self.right_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(pickers)
        layout.addWidget(outer, 1)
        self.refresh()

    def refresh(self) -> None:
        old = self._versions[self.left_box.currentData()]
        new = self._versions[self.right_box.currentData()]
        self.left.setPlainText(self._as_text(old.content))
        self.right.setPlainText(self._as_text(new.content))
        diff = diff_versions(self._type, old.content, new.content)
        colours = {"added": "#1a7f37", "removed": "#cf222e", "changed": "#9a6700"}
        lines = []
        for line in diff.text().splitlines():
            colour = {"+": colours["added"], "-": colours["removed"], "~": colours["changed"]}.get(line[:1], "#333")
            lines.append(f'<div style="color:{colour};white-space:pre">{html.escape(line)}</div>')
        self.changes.setHtml("".join(lines) or "No changes.")
