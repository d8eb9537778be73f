"""The main window: chat list, transcript, composer, status bar and the artifact docks.

It renders core events (from the TurnController) and store changes, and calls core services;
it holds no state of its own that the store does not have. Extra docks (the serial monitor)
are passed in by app.py as factories, so the window does not know about them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ohm_desktop import __version__
from ohm_desktop.core.events import (
    AgentSelected,
    Done,
    ErrorEvent,
    KeyRotation,
    Metadata,
    TextDelta,
    ToolCallStarted,
    ToolResult,
    TurnEvent,
)
from ohm_desktop.core.orchestrator import TurnRequest
from ohm_desktop.errors import OhmError
from ohm_desktop.runtime import Runtime
from ohm_desktop.store import StoreChange
from ohm_desktop.sync import SyncStatus
from ohm_desktop.sync.invitations import invited_sentence
from ohm_desktop.ui.chat.chat_list import ChatList
from ohm_desktop.ui.chat.composer import Composer
from ohm_desktop.ui.chat.transcript import PAGE, TranscriptView
from ohm_desktop.ui.invitation_notice import InvitationNotices
from ohm_desktop.ui.panels.artifact_panel import TITLES, ArtifactPanel
from ohm_desktop.ui.panels.bom import BomPanel
from ohm_desktop.ui.panels.code import CodePanel
from ohm_desktop.ui.panels.wiring import WiringPanel
from ohm_desktop.ui.status_bar import AgentStatusBar
from ohm_desktop.ui.theme import apply_theme
from ohm_desktop.ui.toast import ToastArea
from ohm_desktop.ui.turn_controller import TurnController

if TYPE_CHECKING:
    from ohm_desktop.artifacts.consistency import Finding
    from ohm_desktop.ui.dialogs.chat_people import ChatPeopleDialog

DockFactory = Callable[[QMainWindow], QDockWidget]
DOCK_NAMES = ("bom", "code", "wiring")


class MainWindow(QMainWindow):
    def __init__(self, runtime: Runtime, *, extra_docks: Sequence[DockFactory] = ()) -> None:
        super().__init__()
        self.runtime = runtime
        self.store = runtime.store
        self.setWindowTitle("Ohm Desktop")
        self.setObjectName("ohm-main-window")
        self.resize(1360, 860)
        self.setDockOptions(
            QMainWindow.DockOption.AllowTabbedDocks | QMainWindow.DockOption.AllowNestedDocks
            | QMainWindow.DockOption.AnimatedDocks
        )
        self.chat_id: str | None = None
        self.loaded_from_seq: int | None = None
        # Rows pulled by sync arrive in bursts (a catch-up brings thousands in one transaction):
        # they are collected and rendered once per event-loop turn instead of one by one.
        self._synced_message_ids: set[str] = set()
        self._sync_flush_scheduled = False
        self._chat_list_refresh_scheduled = False
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
        self.retry_button = QPushButton("Retry")
        self.retry_button.setObjectName("retry")
        self.retry_button.hide()
        self.retry_button.clicked.connect(self.regenerate)
        retry_row = QHBoxLayout()
        retry_row.addStretch(1)
        retry_row.addWidget(self.retry_button)
        centre_layout.addLayout(retry_row)
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
            dock.setWidget(panel)
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
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            self.docks[dock.objectName().removeprefix("dock-")] = dock

        self.turns = TurnController(runtime.orchestrator, self.handle_event, self._turn_finished)
        self._wire()
        self._build_menus()
        self._settings = QSettings(str(runtime.paths.config / "window.ini"), QSettings.Format.IniFormat)
        self._restore_layout()
        self.status.show_keys(runtime.key_pool.snapshot())
        self.chat_list.refresh()
        chats = self.store.list_chats(limit=1)
        if chats:
            self.open_chat(chats[0].id)

    # ----------------------------------------------------------------- wiring
    def _wire(self) -> None:
        self.chat_list.chat_selected.connect(self.open_chat)
        self.chat_list.notice.connect(self.notify)
        self.chat_list.share_requested.connect(self.share_chat)
        self.chat_list.people_requested.connect(self.open_chat_people)
        self.composer.send.connect(self.send)
        self.composer.stop.connect(self.stop_turn)
        self.composer.regenerate.connect(self.regenerate)
        self.transcript.load_earlier.connect(self._load_earlier)
        self.transcript.edit_requested.connect(self.composer.set_text)
        self.transcript.notice.connect(self.notify)
        self._unsubscribe_store = self.store.subscribe(self._on_store_change)
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
        self._action(file_menu, "&New chat", QKeySequence.StandardKey.New, lambda: self.chat_list.new_chat())
        self._action(file_menu, "&Find chats", QKeySequence.StandardKey.Find, lambda: self.chat_list.search.setFocus())
        file_menu.addSeparator()
        self._action(file_menu, "Sync &now", QKeySequence("Ctrl+Shift+S"), self.sync_now)
        self._action(file_menu, "Settings…", QKeySequence("Ctrl+,"), self.open_settings)
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        chat_menu = self.menuBar().addMenu("&Chat")
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
        if self.turns.running and chat_id != self.chat_id:
            self.notify("A turn is still running in the other chat; it continues there.")
        self.chat_id = chat_id
        self._show_latest_page(chat_id)
        self.transcript.inline_error.hide()
        self.retry_button.hide()
        for panel in self.panels.values():
            panel.set_chat(chat_id)

    def _show_latest_page(self, chat_id: str) -> None:
        messages = self.store.list_messages(chat_id, limit=PAGE)
        self.loaded_from_seq = messages[0].seq if messages else None
        self.transcript.show_messages(messages, more_before=bool(messages) and messages[0].seq > 1)

    def _load_earlier(self) -> None:
        if self.chat_id is None or self.loaded_from_seq is None:
            return
        earlier = self.store.list_messages(self.chat_id, limit=PAGE, before_seq=self.loaded_from_seq)
        if earlier:
            self.loaded_from_seq = earlier[0].seq
        self.transcript.prepend(earlier, more_before=bool(earlier) and earlier[0].seq > 1)

    def _on_store_change(self, change: StoreChange) -> None:
        if change.table == "chats":
            self._schedule_chat_list_refresh()
            return
        if change.table != "messages" or change.chat_id != self.chat_id:
            return
        if change.origin == "sync":
            self._synced_message_ids.add(change.row_id)
            if not self._sync_flush_scheduled:
                self._sync_flush_scheduled = True
                QTimer.singleShot(0, self, self._flush_synced_messages)
            return
        message = self.store.get_message(change.row_id)
        if message.role == "assistant" and message.status != "streaming" and self.turns.running:
            # The stored record replaces the "thinking…" view, whichever path it came by first.
            # Only a local record can be this turn's answer: one pulled by sync was written on
            # another workstation and must not end the answer streaming here.
            self.transcript.live.end()
        self.transcript.upsert(message)

    def _schedule_chat_list_refresh(self) -> None:
        if self._chat_list_refresh_scheduled:
            return
        self._chat_list_refresh_scheduled = True

        def refresh() -> None:
            self._chat_list_refresh_scheduled = False
            self.chat_list.refresh()
            if self.chat_id is None:
                # A fresh workstation whose first chat just arrived from another one: show it.
                chats = self.store.list_chats(limit=1)
                if chats:
                    self.open_chat(chats[0].id)

        QTimer.singleShot(0, self, refresh)

    def _flush_synced_messages(self) -> None:
        self._sync_flush_scheduled = False
        ids, self._synced_message_ids = self._synced_message_ids, set()
        if self.chat_id is None or not ids:
            return
        if len(ids) > PAGE:
            # More than a page arrived at once: show the newest page, as opening the chat does.
            self._show_latest_page(self.chat_id)
            return
        for message_id in ids:
            message = self.store.get_message(message_id)
            if message.chat_id == self.chat_id:
                self.transcript.upsert(message)

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
        if self.turns.running:
            self.notify("Wait for the current answer, or press Esc to stop it.")
            return
        if self.chat_id is None:
            self.chat_list.new_chat()
        assert self.chat_id is not None
        if self.store.get_chat(self.chat_id).title == "New chat":
            self.store.rename_chat(self.chat_id, " ".join(text.split()[:8])[:60])
        self.transcript.add_optimistic(text, f"temp-{uuid.uuid4().hex}")
        self._start(TurnRequest(self.chat_id, text, agent_override=self.status.selected_override(), context=context))

    def regenerate(self) -> None:
        if self.chat_id is None or self.turns.running:
            return
        self._start(TurnRequest(self.chat_id, "", agent_override=self.status.selected_override(), regenerate=True))

    def ask_with_context(self, text: str, context: str, *, agent: str = "DEBUG") -> None:
        """Start a turn with attached text (serial log, compiler errors) for a specialist."""
        if self.turns.running or self.chat_id is None:
            self.notify("Open a chat and wait for the current answer before asking again.")
            return
        self.transcript.add_optimistic(text, f"temp-{uuid.uuid4().hex}")
        self._start(TurnRequest(self.chat_id, text, agent_override=agent, context=context))

    def _start(self, request: TurnRequest) -> None:
        self.transcript.inline_error.hide()
        self.retry_button.hide()
        self.transcript.live.begin("thinking…")
        self.composer.set_busy(True)
        self.turns.start(request)

    def stop_turn(self) -> None:
        self.turns.cancel()

    def handle_event(self, event: TurnEvent) -> None:
        """Render one turn event (the seed's reactive-chat behaviours)."""
        if isinstance(event, AgentSelected):
            self.status.show_agent(event.name, event.model, working=True)
            self.transcript.live.set_header(f"{event.name} is answering…")
            self.toasts.show(f"Specialist joined: {event.name}", kind="agent")
        elif isinstance(event, TextDelta):
            self.transcript.live.append_text(event.delta)
        elif isinstance(event, ToolCallStarted):
            if event.artifact_type in self.docks and event.name == "write":
                dock = self.docks[event.artifact_type]
                dock.show()
                dock.raise_()
                self.panels[event.artifact_type].show_pending()
        elif isinstance(event, ToolResult):
            if not event.ok:
                for panel in self.panels.values():
                    panel.pending.hide()
                self.notify(f"The specialist's artifact was not saved ({event.error}); it is retrying.", kind="warn")
        elif isinstance(event, KeyRotation):
            self.notify(event.notice(), kind="warn")
        elif isinstance(event, Metadata):
            self.status.show_usage(event.usage)
        elif isinstance(event, ErrorEvent):
            self.transcript.inline_error.setText(event.message)
            self.transcript.inline_error.show()
            self.retry_button.setVisible(event.retryable or event.kind in ("no_usable_key", "gateway"))
        elif isinstance(event, Done):
            self.transcript.live.end()

    def _turn_finished(self, cancelled: bool) -> None:
        self.transcript.live.end()
        self.composer.set_busy(False)
        for panel in self.panels.values():
            panel.pending.hide()
        label = self.status.agent.text().removeprefix("● ")
        self.status.agent.setText(label)
        if cancelled:
            self.notify("Stopped. What arrived is kept, marked interrupted.")
        if self.chat_id is not None:
            for message in self.store.list_messages(self.chat_id, limit=3):
                self.transcript.upsert(message)

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

        dialog = SettingsDialog(self.runtime, self)
        if tab is not None:
            dialog.show_tab(tab)
        dialog.open()

    def open_onboarding(self) -> None:
        from ohm_desktop.ui.dialogs.onboarding import OnboardingDialog

        OnboardingDialog(self.runtime, self).open()

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
        apply_theme(str(self._settings.value("theme", self.runtime.settings.theme)))

    def save_layout(self) -> None:
        self._settings.setValue("geometry", self.saveGeometry())
        self._settings.setValue("state", self.saveState())
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.turns.cancel()
        self.save_layout()
        self._unsubscribe_store()
        self._unsubscribe_keys()
        self._unsubscribe_sync()
        self._unsubscribe_invitations()
        super().closeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.toasts._place()

    @property
    def settings_path(self) -> Path:
        return Path(self._settings.fileName())

