"""Settings: keys, gateway and profile, per-agent models, theme, data folder."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ohm_desktop.config import AgentOverride, save_settings
from ohm_desktop.profiles import available_profiles
from ohm_desktop.runtime import Runtime
from ohm_desktop.ui.dialogs.keys_editor import KeysEditor
from ohm_desktop.ui.theme import THEMES, apply_theme


class SettingsDialog(QDialog):
    def __init__(self, runtime: Runtime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.resize(680, 520)
        self.runtime = runtime
        settings = runtime.settings
        tabs = QTabWidget()
        self.keys_editor = KeysEditor(runtime)
        tabs.addTab(self.keys_editor, "Keys")

        gateway = QWidget()
        form = QFormLayout(gateway)
        self.profile = QComboBox()
        for name, profile in available_profiles(settings).items():
            self.profile.addItem(profile.label, name)
        self.profile.setCurrentIndex(max(0, self.profile.findData(settings.active_profile)))
        self.gateway_url = QLineEdit(settings.gateway_url or "")
        self.gateway_url.setPlaceholderText(settings.effective_gateway_url())
        self.concurrency = QSpinBox()
        self.concurrency.setRange(1, 64)
        self.concurrency.setValue(settings.per_key_concurrency)
        self.compile_feedback = QCheckBox("Send compile errors to the DEBUG agent automatically")
        self.compile_feedback.setChecked(settings.compile_feedback)
        form.addRow("Profile", self.profile)
        form.addRow("Gateway URL", self.gateway_url)
        form.addRow("Requests per key at once", self.concurrency)
        form.addRow("", self.compile_feedback)
        tabs.addTab(gateway, "Gateway")

        self.agents = QTableWidget(len(runtime.registry.agents), 3)
        self.agents.setObjectName("agents-table")
        self.agents.setHorizontalHeaderLabels(["Agent", "Model", "Max tokens"])
        for row, agent in enumerate(runtime.registry.agents.values()):
            agent_item = QTableWidgetItem(f"{agent.name} ({agent.intent})")
            agent_item.setData(256, agent.intent)
            self.agents.setItem(row, 0, agent_item)
            self.agents.setItem(row, 1, QTableWidgetItem(agent.model))
            self.agents.setItem(row, 2, QTableWidgetItem(str(agent.max_tokens)))
        self.agents.resizeColumnsToContents()
        tabs.addTab(self.agents, "Agents")

        appearance = QWidget()
        appearance_form = QFormLayout(appearance)
        self.theme = QComboBox()
        self.theme.addItems(list(THEMES))
        self.theme.setCurrentText(settings.theme)
        appearance_form.addRow("Theme", self.theme)
        appearance_form.addRow("Data folder", QLabel(str(runtime.paths.data)))
        appearance_form.addRow("Config folder", QLabel(str(runtime.paths.config)))
        tabs.addTab(appearance, "Appearance & data")

        self.note = QLabel("Gateway, profile and agent changes apply the next time Ohm starts.")
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)

    def _cell_text(self, row: int, column: int) -> str:
        item = self.agents.item(row, column)
        return item.text() if item is not None else ""

    def save(self) -> None:
        overrides = dict(self.runtime.settings.agent_overrides)
        for row, agent in enumerate(self.runtime.registry.agents.values()):
            model = self._cell_text(row, 1).strip()
            try:
                max_tokens = int(self._cell_text(row, 2))
            except ValueError:
                self.note.setText(f"Max tokens of {agent.name} must be a whole number.")
                return
            if model != agent.model or max_tokens != agent.max_tokens:
                overrides[agent.intent] = AgentOverride(model=model or None, max_tokens=max_tokens if max_tokens > 0 else None)
        updated = self.runtime.settings.model_copy(
            update={
                "active_profile": self.profile.currentData(),
                "gateway_url": self.gateway_url.text().strip() or None,
                "per_key_concurrency": self.concurrency.value(),
                "compile_feedback": self.compile_feedback.isChecked(),
                "theme": self.theme.currentText(),
                "agent_overrides": overrides,
            }
        )
        try:
            save_settings(self.runtime.paths, updated)
        except OSError as exc:
            self.note.setText(f"Could not save the settings ({exc.strerror}): check that {self.runtime.paths.config} is writable.")
            return
        self.runtime.settings = updated
        apply_theme(updated.theme)
        self.accept()
