"""Renders a ChatSession's event stream into the window's widgets, one loop turn after it happened.

Session events can be emitted inside a store commit (a write's listeners run there): they are
queued and drawn on the next turn of the event loop, in order, all that arrived at once in one go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDockWidget

from ohm_desktop.core.session_events import (
    AnswerDelta,
    AnswerFinished,
    AnswerStarted,
    ChatOpened,
    ChatsChanged,
    EarlierLoaded,
    KeyNotice,
    MessagesStored,
    Notice,
    SessionEvent,
    SpecialistChosen,
    ToolFinished,
    ToolStarted,
    TurnFailed,
    UsageReported,
    UserMessagePending,
    UserMessageStored,
)
from ohm_desktop.ui.chat.chat_list import ChatList
from ohm_desktop.ui.chat.composer import Composer
from ohm_desktop.ui.chat.failure_bar import FailureBar
from ohm_desktop.ui.chat.transcript import TranscriptView
from ohm_desktop.ui.panels.artifact_panel import ArtifactPanel
from ohm_desktop.ui.status_bar import AgentStatusBar

ROWS_PER_TURN = 5


@dataclass
class SessionWidgets:
    transcript: TranscriptView
    composer: Composer
    chat_list: ChatList
    status: AgentStatusBar
    failure: FailureBar
    panels: dict[str, ArtifactPanel]
    docks: dict[str, QDockWidget]
    notify: Callable[..., None]


class SessionRenderer(QObject):
    def __init__(self, widgets: SessionWidgets, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._w = widgets
        self._queue: list[SessionEvent] = []
        self._scheduled = False
        #: Every event rendered, in order (tests read it to check what the user was shown).
        self.rendered: list[SessionEvent] = []

    def enqueue(self, event: SessionEvent) -> None:
        self._queue.append(event)
        self._schedule()

    def drain(self) -> None:
        self._scheduled = False
        events, self._queue = self._queue, []
        for position, event in enumerate(events):
            if isinstance(event, MessagesStored) and len(event.messages) > ROWS_PER_TURN:
                # Laying out a row costs ~2 ms (Markdown, measuring): a sync burst is drawn a few
                # rows per loop turn, so the window keeps answering input (tests/benchmarks/bench_session_ui.py).
                now, later = event.messages[:ROWS_PER_TURN], event.messages[ROWS_PER_TURN:]
                self.render(MessagesStored(now))
                self._queue[:0] = [MessagesStored(later), *events[position + 1 :]]
                self._schedule()
                return
            self.render(event)
            self.rendered.append(event)

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            QTimer.singleShot(0, self, self.drain)

    def render(self, event: SessionEvent) -> None:
        w = self._w
        if isinstance(event, ChatOpened):
            w.transcript.show_messages(list(event.messages), more_before=event.more_before)
            if not w.composer.busy:
                w.failure.hide()
            w.chat_list.select(event.chat_id)
            for panel in w.panels.values():
                panel.set_chat(event.chat_id)
        elif isinstance(event, EarlierLoaded):
            w.transcript.prepend(list(event.messages), more_before=event.more_before)
        elif isinstance(event, UserMessagePending):
            w.failure.hide()
            w.transcript.add_pending(event.temp_id, event.text)
            w.transcript.live.begin("thinking…")
            w.composer.set_busy(True)
        elif isinstance(event, UserMessageStored):
            w.transcript.replace_pending(event.temp_id, event.message)
        elif isinstance(event, SpecialistChosen):
            w.status.show_agent(event.name, event.model, working=True)
            if not w.transcript.live.isVisible():  # a regenerate has no pending row to start it
                w.failure.hide()
                w.transcript.live.begin("thinking…")
                w.composer.set_busy(True)
        elif isinstance(event, AnswerStarted):
            w.transcript.live.set_header(f"{event.name} is answering…")
            w.notify(f"Specialist joined: {event.name}", kind="agent")
        elif isinstance(event, AnswerDelta):
            w.transcript.live.append_text(event.text)
        elif isinstance(event, ToolStarted):
            if event.artifact_type in w.docks and event.name == "write":
                dock = w.docks[event.artifact_type]
                dock.show()
                dock.raise_()
                w.panels[event.artifact_type].show_pending()
        elif isinstance(event, ToolFinished):
            if not event.ok:
                for panel in w.panels.values():
                    panel.pending.hide()
                w.notify(f"The specialist's artifact was not saved ({event.error}); it is retrying.", kind="warn")
        elif isinstance(event, KeyNotice):
            w.notify(event.text, kind="warn")
        elif isinstance(event, UsageReported):
            w.status.show_usage(event.usage)
        elif isinstance(event, AnswerFinished):
            self._finished(event)
        elif isinstance(event, TurnFailed):
            w.failure.show_failure(event)
        elif isinstance(event, MessagesStored):
            w.transcript.upsert_many(list(event.messages))
        elif isinstance(event, ChatsChanged):
            w.chat_list.refresh()
        elif isinstance(event, Notice):
            w.notify(event.text)

    def _finished(self, event: AnswerFinished) -> None:
        w = self._w
        w.transcript.live.end()
        if event.message is not None:
            w.transcript.upsert(event.message, follow=True)
        w.composer.set_busy(False)
        for panel in w.panels.values():
            panel.pending.hide()
        w.status.agent.setText(w.status.agent.text().removeprefix("● "))
        if event.cancelled:
            w.notify("Stopped. What arrived is kept, marked interrupted.")
