"""The main window: chat list, transcript, composer, status bar and the artifact docks.

It renders the ChatSession's one event stream (turns merged with store/sync changes) and calls
core services; the session owns the current chat and its turns, the SettingsService applies
settings changes. Extra docks (the serial monitor)
are passed in by app.py as factories, so the window does not know about them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ohm_desktop import __version__
from ohm_desktop.core.session import ChatSession, GatewayInfo
from ohm_desktop.errors import OhmError
from ohm_desktop.profiles import available_profiles
from ohm_desktop.runtime import Runtime
from ohm_desktop.settings_service import SettingsApplied, SettingsService
from ohm_desktop.sync import SyncStatus
from ohm_desktop.sync.invitations import invited_sentence
from ohm_desktop.ui.chat.chat_list import ChatList
from ohm_desktop.ui.chat.composer import Composer
from ohm_desktop.ui.chat.failure_bar import FailureBar
from ohm_desktop.ui.chat.session_renderer import SessionRenderer, SessionWidgets
from ohm_desktop.ui.chat.transcript import TranscriptView
from ohm_desktop.ui.invitation_notice import InvitationNotices
from ohm_desktop.ui.panels.artifact_panel import TITLES, ArtifactPanel
from ohm_desktop.ui.panels.bom import BomPanel
from ohm_desktop.ui.panels.code import CodePanel
from ohm_desktop.ui.panels.wiring import WiringPanel
from ohm_desktop.ui.status_bar import AgentStatusBar
from ohm_desktop.ui.theme import apply_theme
from ohm_desktop.ui.toast import ToastArea
from ohm_desktop.ui.window_layout import MINIMUM_WINDOW, first_run_layout, keep_transcript_room, scrollable

if TYPE_CHECKING:
    from ohm_desktop.artifacts.consistency import Finding
    from ohm_desktop.ui.dialogs.chat_people import ChatPeopleDialog

DockFactory = Callable[[QMainWindow], QDockWidget]
DOCK_NAMES = ("bom", "code", "wiring")
#: What "Switch to the local profile" picks: a llama.cpp server needs no model names.
LOCAL_PROFILE = "llama-cpp"


def build_session(runtime: Runtime) -> ChatSession:
    """The chat session over ``runtime``; each turn uses the orchestrator current when it starts."""

    def gateway_info() -> GatewayInfo:
        profile = available_profiles(runtime.settings).get(runtime.settings.active_profile)
        return GatewayInfo(runtime.gateway.base_url, bool(profile and profile.offline))

    return ChatSession(
        runtime.store, lambda: runtime.orchestrator, key_health=runtime.key_pool.snapshot, gateway_info=gateway_info
    )


class MainWindow(QMainWindow):
    def __init__(
        self,
        runtime: Runtime,
        *,
        extra_docks: Sequence[DockFactory] = (),
        session: ChatSession | None = None,
        settings_service: SettingsService | None = None,
    ) -> None:
        super().__init__()
        self.runtime = runtime
        self.store = runtime.store
        self.session = session if session is not None else build_session(runtime)
        self.settings_service = settings_service if settings_service is not None else SettingsService(runtime)
        self.setWindowTitle("Ohm Desktop")
        self.setObjectName("ohm-main-window")
        self.resize(1360, 860)
        self.setMinimumSize(*MINIMUM_WINDOW)
        self.setDockOptions(
            QMainWindow.DockOption.AllowTabbedDocks | QMainWindow.DockOption.AllowNestedDocks
            | QMainWindow.DockOption.AnimatedDocks
        )
        self._last_sync_status: SyncStatus | None = None
        self._sync_actions: set[asyncio.Future[None]] = set()
        self.toasts = ToastArea(self)

        self.chat_list = ChatList(self.store)
        self.transcript = TranscriptView()
        self.composer = Composer()
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        self.invitations = InvitationNotices(
            accept=lambda invitation_id: self.runtime.sync.service.accept_invitation(invitation_id),
            decline=lambda invitation_id: self.runtime.sync.service.decline_invitation(invitation_id),
        )
        centre_layout.addWidget(self.invitations)
        centre_layout.addWidget(self.transcript, 1)
        self.failure = FailureBar()
        self.failure.action.connect(self._on_failure_action)
        centre_layout.addWidget(self.failure)
        centre_layout.addWidget(self.composer)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.chat_list)
        splitter.addWidget(centre)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 700])
        self.setCentralWidget(splitter)

        self.status = AgentStatusBar(runtime.registry.agents.values())
        self.setStatusBar(self.status)

        self.panels: dict[str, ArtifactPanel] = {
            "bom": BomPanel(self.store),
            "code": CodePanel(self.store),
            "wiring": WiringPanel(self.store),
        }
        self.docks: dict[str, QDockWidget] = {}
        for name, panel in self.panels.items():
            dock = QDockWidget(TITLES[name], self)
            dock.setObjectName(f"dock-{name}")
            dock.setWidget(scrollable(panel))
            dock.setFeatures(
                QDockWidget.DockWidgetFeature.DockWidgetClosable
                | QDockWidget.DockWidgetFeature.DockWidgetMovable
                | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            )
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            panel.message.connect(self.notify)
            self.docks[name] = dock
        self.tabifyDockWidget(self.docks["bom"], self.docks["code"])
        self.tabifyDockWidget(self.docks["code"], self.docks["wiring"])
        self.docks["bom"].raise_()
        for factory in extra_docks:
            dock = factory(self)
            if dock.widget() is not None:
                dock.setWidget(scrollable(dock.widget()))
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            self.docks[dock.objectName().removeprefix("dock-")] = dock

        self.renderer = SessionRenderer(
            SessionWidgets(
                self.transcript, self.composer, self.chat_list, self.status, self.failure,
                self.panels, self.docks, self.notify,
            ),
            self,
        )
        self._wire()
        self._build_menus()
        self._settings = QSettings(str(runtime.paths.config / "window.ini"), QSettings.Format.IniFormat)
        self._restore_layout()
        self.status.show_keys(runtime.key_pool.snapshot())
        self.chat_list.refresh()
        self.session.open_latest()

    # ----------------------------------------------------------------- wiring
    def _wire(self) -> None:
        self._unsubscribe_session = self.session.subscribe(self.renderer.enqueue)
        self._unsubscribe_settings = self.settings_service.subscribe(self._on_settings_applied)
        self.chat_list.chat_selected.connect(self.open_chat)
        self.chat_list.new_requested.connect(self.new_chat)
        self.chat_list.notice.connect(self.notify)
        self.chat_list.share_requested.connect(self.share_chat)
        self.chat_list.people_requested.connect(self.open_chat_people)
        self.composer.send.connect(self.send)
        self.composer.stop.connect(self.stop_turn)
        self.composer.regenerate.connect(self.regenerate)
        self.composer.edit_last.connect(self.edit_last_message)
        self.transcript.load_earlier.connect(self.session.load_earlier)
        self.transcript.edit_requested.connect(self.composer.set_text)
        self.transcript.notice.connect(self.notify)
        self._unsubscribe_keys = self.runtime.key_pool.subscribe(
            lambda: self.status.show_keys(self.runtime.key_pool.snapshot())
        )
        self.status.sync_now_action.triggered.connect(lambda *_: self.sync_now())
        self.status.sync_settings_action.triggered.connect(lambda *_: self.open_settings(tab="Sync"))
        self._unsubscribe_sync = self.runtime.sync.subscribe(self._on_sync_status)
        self.invitations.notice.connect(self.notify)
        self._unsubscribe_invitations = self.runtime.sync.subscribe_invitations(self.invitations.show_invitations)
        self.invitations.show_invitations(self.runtime.sync.service.pending_invitations)
        self.status.show_sync(self.runtime.sync.status())

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&New chat", QKeySequence.StandardKey.New, self.new_chat)
        self._action(file_menu, "&Find chats", QKeySequence.StandardKey.Find, lambda: self.chat_list.search.setFocus())
        file_menu.addSeparator()
        self._action(file_menu, "Sync &now", QKeySequence("Ctrl+Shift+S"), self.sync_now)
        self._action(file_menu, "Settings…", QKeySequence("Ctrl+,"), self.open_settings)
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        chat_menu = self.menuBar().addMenu("&Chat")
        self._action(chat_menu, "&Write a message", QKeySequence("Ctrl+L"), self.composer.input.setFocus)
        self._action(chat_menu, "&Regenerate answer", QKeySequence("Ctrl+R"), self.regenerate)
        self._action(chat_menu, "&Stop", QKeySequence("Ctrl+."), self.stop_turn)
        view_menu = self.menuBar().addMenu("&View")
        for index, (name, dock) in enumerate(self.docks.items(), start=1):
            action = dock.toggleViewAction()
            action.setShortcut(QKeySequence(f"Ctrl+{index}"))
            view_menu.addAction(action)
            del name
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Welcome…", None, self.open_onboarding)
        self._action(help_menu, "&About Ohm Desktop", None, self.show_about)

    def _action(self, menu: object, text: str, shortcut: object, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)  # type: ignore[call-overload]
        action.triggered.connect(lambda *_: slot())
        menu.addAction(action)  # type: ignore[attr-defined]
        return action

    # ------------------------------------------------------------------ chats
    def open_chat(self, chat_id: str) -> None:
        self.session.open_chat(chat_id)

    def new_chat(self) -> None:
        """Ctrl+N / "New chat": a fresh chat, and the keyboard goes where the words go."""
        self.session.new_chat()
        self.chat_list.search.clear()
        self.composer.input.setFocus()

    @property
    def chat_id(self) -> str | None:
        return self.session.chat_id

    # ------------------------------------------------------------------- sync
    def sync_now(self) -> None:
        if self.runtime.sync.sync_now():
            self.notify("Syncing now…")
        else:
            status = self.runtime.sync.status()
            self.notify(status.last_error or status.detail or "Sync is off: sign in from Settings → Sync.")

    def share_chat(self, chat_id: str, email: str) -> asyncio.Future[None]:
        """Invite a teammate's account to a chat (it reaches them through sync)."""
        task = asyncio.ensure_future(self._share_chat(chat_id, email))
        self._sync_actions.add(task)
        task.add_done_callback(self._sync_actions.discard)
        return task

    async def _share_chat(self, chat_id: str, email: str) -> None:
        title = self.store.get_chat(chat_id).title
        self.notify(f"Sharing “{title}” with {email}…")
        try:
            await self.runtime.sync.service.share_chat(chat_id, email)
        except OhmError as exc:
            self.notify(exc.message, kind="warn")
            return
        self.notify(invited_sentence(email, title))

    def open_chat_people(self, chat_id: str) -> ChatPeopleDialog:
        """Who has access to a chat; invite, remove or leave from there (non-modal)."""
        from ohm_desktop.ui.dialogs.chat_people import ChatPeopleActions, ChatPeopleDialog  # first use only

        service = self.runtime.sync.service
        chat = self.store.get_chat(chat_id)

        async def leave() -> None:
            await service.leave_chat(chat_id)
            self.notify(f"You left “{chat.title}”: it stays on this workstation and no longer syncs.")

        actions = ChatPeopleActions(
            load=lambda: service.chat_people(chat_id),
            invite=lambda email: service.share_chat(chat_id, email),
            remove=lambda person: service.remove_person(chat_id, person),
            leave=leave,
        )
        reason = self.store.detached_chats().get(chat_id)
        dialog = ChatPeopleDialog(chat.title, actions, detached_reason=reason, parent=self)
        dialog.open()
        if reason is None:
            dialog.load()
        return dialog

    def _on_sync_status(self, status: SyncStatus) -> None:
        previous, self._last_sync_status = self._last_sync_status, status
        self.status.show_sync(status)
        if previous is None:
            return
        if previous.state == status.state:
            if status.state == "live" and status.last_error and status.last_error != previous.last_error:
                # A change the server refused (or a shared chat's rename put back) while live.
                self.notify(status.last_error, kind="warn")
            return
        if status.state == "offline":
            self.notify(f"Sync {status.detail[0].lower()}{status.detail[1:]}", kind="warn")
        elif status.state == "live" and previous.state == "offline":
            self.notify("Sync is back online.")
        elif status.state == "off" and status.last_error and previous.state != "off":
            self.notify(status.last_error, kind="warn")

    # ------------------------------------------------------------------ turns
    def send(self, text: str, *, context: str | None = None) -> None:
        self.session.send(text, agent=self.status.selected_override(), context=context)

    def regenerate(self) -> None:
        self.session.regenerate(agent=self.status.selected_override())

    def ask_with_context(self, text: str, context: str, *, agent: str = "DEBUG") -> None:
        """Start a turn with attached text (serial log, compiler errors) for a specialist."""
        self.session.ask_with_context(text, context, agent=agent)

    def stop_turn(self) -> None:
        self.session.cancel()

    def edit_last_message(self) -> bool:
        """Up in an empty composer: put the last message back in it to edit and resend."""
        last = self.session.last_user_message()
        if last is None:
            return False
        self.composer.set_text(last.content)
        return True

    def _on_failure_action(self, action_id: str) -> None:
        if action_id == "retry":
            self.regenerate()
        elif action_id == "open_keys":
            self.open_settings(tab="Keys")
        elif action_id == "open_gateway":
            self.open_settings(tab="Gateway")
        elif action_id == "open_agents":
            self.open_settings(tab="Agents")
        elif action_id == "use_local_profile":
            self.use_local_profile()

    def use_local_profile(self) -> None:
        """Answer from a llama.cpp server on this machine from the next turn on."""
        current = self.settings_service.settings
        try:
            self.settings_service.update(current.model_copy(update={"active_profile": LOCAL_PROFILE}))
        except OhmError as exc:
            self.notify(exc.message, kind="warn")

    def _on_settings_applied(self, applied: SettingsApplied) -> None:
        if "theme" in applied.changed:
            apply_theme(applied.settings.theme)
            self._settings.setValue("theme", applied.settings.theme)
        if applied.changed - {"onboarding_done"}:
            self.notify(applied.summary)
            self.status.show_keys(self.runtime.key_pool.snapshot())

    # ---------------------------------------------------------------- notices
    def notify(self, text: str, *, kind: str = "info") -> None:
        self.toasts.show(text, kind=kind)

    def show_compile(self, text: str, ok: bool | None) -> None:
        panel = self.panels["code"]
        assert isinstance(panel, CodePanel)
        panel.show_compile(text, ok)

    def show_design_findings(self, findings: Sequence[Finding]) -> None:
        """The design check's findings for the open chat, on the wiring dock's parts and wires."""
        panel = self.panels["wiring"]
        assert isinstance(panel, WiringPanel)
        panel.show_findings(findings)

    def open_settings(self, tab: str | None = None) -> None:
        from ohm_desktop.ui.dialogs.settings import SettingsDialog

        dialog = SettingsDialog(self.runtime, self.settings_service, self)
        if tab is not None:
            dialog.show_tab(tab)
        dialog.open()

    def open_onboarding(self) -> None:
        from ohm_desktop.ui.dialogs.onboarding import OnboardingDialog

        OnboardingDialog(self.runtime, self.settings_service, self).open()

    def show_about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("About Ohm Desktop")
        box.setText(f"<b>Ohm Desktop {__version__}</b><br>Bench-side hardware design with AI specialists.")
        box.open()

    # ---------------------------------------------------------------- layout
    def _restore_layout(self) -> None:
        geometry = self._settings.value("geometry")
        state = self._settings.value("state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        else:
            right = [self.docks[name] for name in DOCK_NAMES]
            first_run_layout(self, right, [dock for name, dock in self.docks.items() if name not in DOCK_NAMES])
        apply_theme(str(self._settings.value("theme", self.runtime.settings.theme)))

    def save_layout(self) -> None:
        self._settings.setValue("geometry", self.saveGeometry())
        self._settings.setValue("state", self.saveState())
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.session.close()
        self.save_layout()
        self._unsubscribe_session()
        self._unsubscribe_settings()
        self._unsubscribe_keys()
        self._unsubscribe_sync()
        self._unsubscribe_invitations()
        super().closeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() < event.oldSize().width():
            keep_transcript_room(self, [self.docks[name] for name in DOCK_NAMES])
        self.toasts._place()

    @property
    def settings_path(self) -> Path:
        return Path(self._settings.fileName())

