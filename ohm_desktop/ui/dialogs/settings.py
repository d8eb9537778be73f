"""Settings: keys, gateway and profile, sync, per-agent models, theme, data folder."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ohm_desktop.config import AgentOverride, Settings
from ohm_desktop.errors import OhmError
from ohm_desktop.profiles import available_profiles
from ohm_desktop.runtime import Runtime
from ohm_desktop.settings_service import SettingsService
from ohm_desktop.sync import SyncStatus
from ohm_desktop.ui.dialogs.keys_editor import KeysEditor
from ohm_desktop.ui.theme import THEMES


class SettingsDialog(QDialog):
    def __init__(self, runtime: Runtime, settings_service: SettingsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings_service = settings_service
        self.setWindowTitle("Settings")
        self.resize(680, 520)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # opened anew each time: no pile of hidden copies
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
        tabs.addTab(self._sync_tab(), "Sync")

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
        tabs.addTab(appearance, "Appearance && data")
        self.tabs = tabs

        self.note = QLabel("Changes apply as soon as you save; an answer already running finishes as it started.")
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)

    # ------------------------------------------------------------------- sync
    def _sync_tab(self) -> QWidget:
        settings = self.runtime.settings
        page = QWidget()
        form = QFormLayout(page)
        intro = QLabel(
            "Optional: sync chats, messages and every artifact version between your workstations "
            "through your own Supabase project (README → Sync with Supabase). Without it, "
            "everything stays on this machine."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.supabase_url = QLineEdit(settings.supabase_url or "")
        self.supabase_url.setObjectName("supabase-url")
        self.supabase_url.setPlaceholderText("https://<project-ref>.supabase.co")
        self.supabase_anon_key = QLineEdit(settings.supabase_anon_key or "")
        self.supabase_anon_key.setObjectName("supabase-anon-key")
        self.supabase_anon_key.setPlaceholderText("the project's anon public key")
        form.addRow("Project URL", self.supabase_url)
        form.addRow("Anon key", self.supabase_anon_key)
        env_url, env_key = os.environ.get("OHM_SUPABASE_URL"), os.environ.get("OHM_SUPABASE_ANON_KEY")
        if env_url or env_key:
            # The environment wins over these fields: show what is in effect.
            self.supabase_url.setPlaceholderText(env_url or self.supabase_url.placeholderText())
            self.supabase_anon_key.setPlaceholderText(env_key or self.supabase_anon_key.placeholderText())
            env_note = QLabel("OHM_SUPABASE_URL / OHM_SUPABASE_ANON_KEY are set in the environment and take precedence.")
            env_note.setWordWrap(True)
            form.addRow(env_note)
        self.sync_email = QLineEdit()
        self.sync_email.setObjectName("sync-email")
        self.sync_email.setPlaceholderText("you@example.com")
        self.sync_password = QLineEdit()
        self.sync_password.setObjectName("sync-password")
        self.sync_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.sync_password.returnPressed.connect(self.sign_in)
        self.sync_signup = QCheckBox("Create this account first")
        form.addRow("Email", self.sync_email)
        form.addRow("Password", self.sync_password)
        form.addRow("", self.sync_signup)
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setObjectName("sync-sign-in")
        self.sign_in_button.clicked.connect(self.sign_in)
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.setObjectName("sync-sign-out")
        self.sign_out_button.clicked.connect(self.sign_out)
        self.sync_now_button = QPushButton("Sync now")
        self.sync_now_button.clicked.connect(self.sync_now)
        self.retry_button = QPushButton("Retry refused changes")
        self.retry_button.clicked.connect(self.retry_refused)
        row = QHBoxLayout()
        for button in (self.sign_in_button, self.sign_out_button, self.sync_now_button, self.retry_button):
            row.addWidget(button)
        row.addStretch(1)
        form.addRow(row)
        self.sync_state = QLabel()
        self.sync_state.setObjectName("sync-state")
        self.sync_state.setWordWrap(True)
        self.sync_result = QLabel()
        self.sync_result.setObjectName("sync-result")
        self.sync_result.setWordWrap(True)
        form.addRow("Status", self.sync_state)
        form.addRow("", self.sync_result)
        self._sync_task: asyncio.Future[Any] | None = None
        unsubscribe = self.runtime.sync.subscribe(self._show_sync_status)
        self.finished.connect(lambda *_: unsubscribe())
        self.destroyed.connect(lambda *_: unsubscribe())
        self._show_sync_status(self.runtime.sync.status())
        self._fill_task = asyncio.ensure_future(self._fill_signed_in_email())
        return page

    def show_tab(self, title: str) -> None:
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == title:
                self.tabs.setCurrentIndex(index)
                return

    def _show_sync_status(self, status: SyncStatus) -> None:
        text = status.detail
        if status.queued or status.failed:
            text += f" Waiting to be sent: {status.queued}; refused by the server: {status.failed}."
        if status.last_error and status.last_error not in status.detail:
            text += f" Last problem: {status.last_error}"
        self.sync_state.setText(text)
        self.sync_now_button.setEnabled(self.runtime.sync.running)
        self.retry_button.setEnabled(status.failed > 0)

    async def _fill_signed_in_email(self) -> None:
        email = await self.runtime.sync.service.signed_in_email()
        if not shiboken6.isValid(self):
            return
        if email and not self.sync_email.text():
            self.sync_email.setText(email)
        self.sign_out_button.setEnabled(email is not None)

    def _run_sync_step(self, step: Coroutine[Any, Any, None]) -> None:
        """Run a sync action on the loop (never a modal wait); one at a time."""
        if self._sync_task is not None and not self._sync_task.done():
            step.close()
            self.sync_result.setText("Wait for the current sync action to finish.")
            return
        self._sync_task = asyncio.ensure_future(step)

    def _apply_supabase_fields(self) -> bool:
        """Save a changed project URL / anon key; False (with the reason shown) if that failed."""
        url = self.supabase_url.text().strip() or None
        key = self.supabase_anon_key.text().strip() or None
        if url is not None and not url.startswith(("https://", "http://")):
            self.sync_result.setText("The project URL must start with https:// (copy it from Project Settings → API).")
            return False
        current = self.runtime.settings
        if (url, key) == (current.supabase_url, current.supabase_anon_key):
            return True
        updated = current.model_copy(update={"supabase_url": url, "supabase_anon_key": key})
        # Signing in reconnects sync itself, right after this; Save reconnects through the service.
        return self._apply(updated, on_error=self.sync_result.setText, reconnect_sync=False)

    def _apply(self, updated: Settings, *, on_error: Any, reconnect_sync: bool = True) -> bool:
        try:
            self.settings_service.update(updated, reconnect_sync=reconnect_sync)
        except OhmError as exc:
            on_error(exc.message)
            return False
        return True

    def sign_in(self) -> None:
        email = self.sync_email.text().strip()
        password = self.sync_password.text()
        if "@" not in email or not password:
            self.sync_result.setText("Enter the email and password of your Supabase account.")
            return
        if not self._apply_supabase_fields():
            return
        self._run_sync_step(self._sign_in(email, password, self.sync_signup.isChecked()))

    async def _sign_in(self, email: str, password: str, signup: bool) -> None:
        self.sign_in_button.setEnabled(False)
        self.sync_result.setText("Creating the account…" if signup else "Signing in…")
        try:
            await self.runtime.sync.reconfigure(self.runtime.settings.effective_supabase())
            signed_in = await self.runtime.sync.login(email, password, signup=signup)
        except OhmError as exc:
            if shiboken6.isValid(self):
                self.sync_result.setText(exc.message)
            return
        finally:
            if shiboken6.isValid(self):  # closed meanwhile: the sign-in still completes, the status bar shows it
                self.sign_in_button.setEnabled(True)
        if not shiboken6.isValid(self):
            return
        self.sync_password.clear()
        self.sync_signup.setChecked(False)
        self.sign_out_button.setEnabled(True)
        self.sync_result.setText(f"Signed in as {signed_in}; syncing.")

    def sign_out(self) -> None:
        self._run_sync_step(self._sign_out())

    async def _sign_out(self) -> None:
        await self.runtime.sync.logout()
        if not shiboken6.isValid(self):
            return
        self.sign_out_button.setEnabled(False)
        self.sync_result.setText("Signed out. Changes not sent yet stay queued for the next sign-in.")

    def sync_now(self) -> None:
        started = self.runtime.sync.sync_now()
        self.sync_result.setText("Syncing now…" if started else "Sync is not running: sign in first.")

    def retry_refused(self) -> None:
        count = self.runtime.sync.retry_failed()
        self.sync_result.setText(f"{count} refused change(s) will be tried again.")

    def _cell_text(self, row: int, column: int) -> str:
        item = self.agents.item(row, column)
        return item.text() if item is not None else ""

    def save(self) -> None:
        if not self._apply_supabase_fields():
            return
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
        if self._apply(updated, on_error=self.note.setText):
            self.accept()
