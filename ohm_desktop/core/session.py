"""``ChatSession``: one chat's turns and what the user sees of them, without Qt.

The window (and ``ohm ask``) owns no turn state: the session holds the current chat, starts
and cancels turns, applies the title rule, and emits one typed stream
(:mod:`ohm_desktop.core.session_events`) that already merges the orchestrator's events with
the store's changes — local ones from this turn, other processes' and sync's. A turn's rows are
recognised by the ids the session chose for them, never by their content, and a turn ends once.

Store changes arrive inside the writer's commit; the session only records them there and does
its reading and emitting on the next loop turn, so nothing renders inside a commit.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field

from ohm_desktop.core.events import (
    AgentSelected,
    ErrorEvent,
    KeyRotation,
    Metadata,
    TextDelta,
    ToolCallStarted,
    ToolResult,
    TurnEvent,
)
from ohm_desktop.core.keys import KeyHealth
from ohm_desktop.core.orchestrator import Orchestrator, TurnRequest
from ohm_desktop.core.session_events import (
    AnswerDelta,
    AnswerFinished,
    AnswerStarted,
    ArtifactVersionStored,
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
    UsageReported,
    UserMessagePending,
    UserMessageStored,
)
from ohm_desktop.core.turn_failures import describe_failure
from ohm_desktop.ids import new_id
from ohm_desktop.listeners import Listeners
from ohm_desktop.store import LocalStore, Message, StoreChange

log = logging.getLogger(__name__)

PAGE = 200
NEW_CHAT_TITLE = "New chat"
_TITLE_WORDS = 8
_TITLE_CHARS = 60


def title_for(text: str) -> str:
    """A chat's title from its first message: the first words, at most 60 characters."""
    title = " ".join(text.split()[:_TITLE_WORDS])
    return title if len(title) <= _TITLE_CHARS else title[: _TITLE_CHARS - 1].rstrip() + "…"


def visible(message: Message) -> bool:
    """Whether a message gets a row: not while streaming, and not an empty failed answer."""
    if message.status == "streaming":
        return False
    return not (message.role == "assistant" and message.status in ("error", "interrupted") and not message.content.strip())


@dataclass(frozen=True, slots=True)
class GatewayInfo:
    """What the failure sentences need to know about the gateway in use."""

    url: str
    offline_profile: bool


@dataclass(slots=True)
class _Turn:
    chat_id: str
    user_message_id: str
    answer_id: str
    specialist: SpecialistChosen | None = None
    started: bool = False
    failure: ErrorEvent | None = None
    notices: set[str] = field(default_factory=set)


class ChatSession:
    """The current chat and its turns; subscribe to :meth:`subscribe` to render them."""

    def __init__(
        self,
        store: LocalStore,
        orchestrator: Callable[[], Orchestrator],
        *,
        key_health: Callable[[], Sequence[KeyHealth]] = list,
        gateway_info: Callable[[], GatewayInfo] = lambda: GatewayInfo("the gateway", False),
        page_size: int = PAGE,
    ) -> None:
        self._store = store
        self._orchestrator = orchestrator
        self._key_health = key_health
        self._gateway_info = gateway_info
        self._page = page_size
        self._events: Listeners[SessionEvent] = Listeners("chat session")
        #: The orchestrator's own events, unchanged: ``ohm ask --json`` prints them (DESIGN.md contract).
        self.turn_events: Listeners[TurnEvent] = Listeners("turn event")
        self.chat_id: str | None = None
        self._loaded_from_seq: int | None = None
        self._turn: _Turn | None = None
        self._task: asyncio.Task[None] | None = None
        self._changed_messages: list[str] = []
        #: Stored id of a user message -> the temporary id its optimistic row is shown under.
        self._pending_rows: dict[str, str] = {}
        self._chats_changed = False
        self._flush_scheduled = False
        self._unsubscribe_store = store.subscribe(self._on_store_change)

    # ----------------------------------------------------------------- stream
    def subscribe(self, listener: Callable[[SessionEvent], None]) -> Callable[[], None]:
        """Hear every session event from now on; the result unsubscribes."""
        return self._events.subscribe(listener)

    def _emit(self, event: SessionEvent) -> None:
        self._events.emit(event)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The running (or last) turn's task, for callers that await it (``ohm ask``, tests)."""
        return self._task

    def close(self) -> None:
        self.cancel()
        self._unsubscribe_store()

    # ------------------------------------------------------------------ chats
    def open_chat(self, chat_id: str) -> None:
        """Make ``chat_id`` current and emit its newest page."""
        if self.running and self._turn is not None and self._turn.chat_id != chat_id:
            self._emit(Notice("A turn is still running in the other chat; it continues there."))
        self.chat_id = chat_id
        messages = self._store.list_messages(chat_id, limit=self._page)
        self._loaded_from_seq = messages[0].seq if messages else None
        shown = tuple(m for m in messages if visible(m))
        self._emit(ChatOpened(chat_id, shown, more_before=bool(messages) and messages[0].seq > 1))

    def open_latest(self) -> bool:
        """Open the most recently updated chat, if there is one."""
        chats = self._store.list_chats(limit=1)
        if chats:
            self.open_chat(chats[0].id)
        return bool(chats)

    def new_chat(self) -> str:
        chat = self._store.create_chat(NEW_CHAT_TITLE)
        self.open_chat(chat.id)
        return chat.id

    def load_earlier(self) -> None:
        if self.chat_id is None or self._loaded_from_seq is None:
            return
        earlier = self._store.list_messages(self.chat_id, limit=self._page, before_seq=self._loaded_from_seq)
        if earlier:
            self._loaded_from_seq = earlier[0].seq
        self._emit(EarlierLoaded(tuple(m for m in earlier if visible(m)), bool(earlier) and earlier[0].seq > 1))

    def last_user_message(self) -> Message | None:
        """The newest message the user wrote in the current chat (Up in an empty composer edits it)."""
        if self.chat_id is None:
            return None
        recent = self._store.list_messages(self.chat_id, limit=50)
        return next((m for m in reversed(recent) if m.role == "user"), None)

    # ------------------------------------------------------------------ turns
    def send(self, text: str, *, agent: str | None = None, context: str | None = None) -> asyncio.Task[None] | None:
        """Send ``text`` in the current chat (a new one when there is none); None if refused."""
        if not text.strip():
            return None
        if self.running:
            self._emit(Notice("Wait for the current answer, or press Esc to stop it."))
            return None
        chat_id = self.chat_id if self.chat_id is not None else self.new_chat()
        if self._store.get_chat(chat_id).title == NEW_CHAT_TITLE:
            self._store.rename_chat(chat_id, title_for(text))
        temp_id = f"temp-{uuid.uuid4().hex}"
        self._emit(UserMessagePending(temp_id, text))
        request = TurnRequest(chat_id, text, agent_override=agent, context=context)
        return self._start(request, temp_id)

    def edit_and_resend(self, text: str, *, agent: str | None = None) -> asyncio.Task[None] | None:
        """Send an edited copy of an earlier message as a new one (the original stays in history)."""
        return self.send(text, agent=agent)

    def ask_with_context(self, text: str, context: str, *, agent: str = "DEBUG") -> asyncio.Task[None] | None:
        """Ask a specialist about attached text (a serial log, compiler errors)."""
        if self.chat_id is None:
            self._emit(Notice("Open a chat first: the question and the attached text go into it."))
            return None
        return self.send(text, agent=agent, context=context)

    def regenerate(self, *, agent: str | None = None) -> asyncio.Task[None] | None:
        """Answer the chat's last user message again."""
        if self.chat_id is None:
            return None
        if self.running:
            self._emit(Notice("Wait for the current answer, or press Esc to stop it."))
            return None
        return self._start(TurnRequest(self.chat_id, "", agent_override=agent, regenerate=True), None)

    def cancel(self) -> None:
        """Stop the running turn; what arrived is kept, marked interrupted."""
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def _start(self, request: TurnRequest, temp_id: str | None) -> asyncio.Task[None]:
        turn = _Turn(request.chat_id, user_message_id=new_id(), answer_id=new_id())
        request = TurnRequest(
            request.chat_id,
            request.text,
            agent_override=request.agent_override,
            regenerate=request.regenerate,
            context=request.context,
            user_message_id=turn.user_message_id,
            answer_id=turn.answer_id,
        )
        if temp_id is not None:
            self._pending_rows[turn.user_message_id] = temp_id
        self._turn = turn
        self._task = asyncio.ensure_future(self._run(turn, request))
        return self._task

    async def _run(self, turn: _Turn, request: TurnRequest) -> None:
        cancelled = False
        try:
            async for event in self._orchestrator().run_turn(request):
                self.turn_events.emit(event)
                self._on_turn_event(turn, event)
        except asyncio.CancelledError:
            cancelled = True
        except Exception:  # the orchestrator reports failures as events; this is a last guard
            log.exception("turn task failed")
            turn.failure = ErrorEvent("internal", "The turn stopped unexpectedly.", True)
        finally:
            self._finish(turn, cancelled)

    def _on_turn_event(self, turn: _Turn, event: TurnEvent) -> None:
        if isinstance(event, AgentSelected):
            turn.specialist = SpecialistChosen(event.intent, event.name, event.model)
            self._emit(turn.specialist)
        elif isinstance(event, TextDelta):
            self._answer_started(turn)
            self._emit(AnswerDelta(event.delta))
        elif isinstance(event, ToolCallStarted):
            self._answer_started(turn)
            self._emit(ToolStarted(event.id, event.name, event.artifact_type))
        elif isinstance(event, ToolResult):
            self._emit(ToolFinished(event.id, event.ok, event.error))
        elif isinstance(event, KeyRotation):
            self._key_notice(turn, event)
        elif isinstance(event, Metadata):
            self._emit(UsageReported(dict(event.usage), event.latency_ms))
        elif isinstance(event, ErrorEvent):
            turn.failure = event

    def _answer_started(self, turn: _Turn) -> None:
        # "X is answering" only once something arrived: with the gateway down nothing does,
        # and the user must not watch a specialist "answer" until the retries run out.
        if turn.started or turn.specialist is None:
            return
        turn.started = True
        self._emit(AnswerStarted(turn.specialist.name, turn.specialist.model))

    def _key_notice(self, turn: _Turn, event: KeyRotation) -> None:
        if event.to_key is not None and event.to_key == event.from_key:
            return  # "switched to key 1 from key 1" tells the user nothing
        # One line per kind of switch per turn: a dozen retries are one story, not a toast stack.
        kind = "waiting" if event.to_key is None else f"switched:{event.reason}"
        if kind in turn.notices:
            return
        turn.notices.add(kind)
        self._emit(KeyNotice(event.notice()))

    def _finish(self, turn: _Turn, cancelled: bool) -> None:
        if self._flush_scheduled:
            self._flush()  # the turn's own rows (its user message) come before its end
        self._pending_rows.pop(turn.user_message_id, None)
        if self._turn is turn:
            self._turn = None
        answer: Message | None = None
        with suppress(Exception):  # a regenerate refused before the answer row existed has none
            answer = self._store.get_message(turn.answer_id)
        if answer is not None and (answer.chat_id != self.chat_id or not visible(answer)):
            answer = None
        self._emit(AnswerFinished(answer, cancelled))
        if turn.failure is not None and not cancelled:
            info = self._gateway_info()
            self._emit(
                describe_failure(
                    turn.failure, self._key_health(), gateway_url=info.url, offline_profile=info.offline_profile
                )
            )

    # ------------------------------------------------------------------ store
    def _on_store_change(self, change: StoreChange) -> None:
        # Called inside the writer's commit: record, then read and emit on the next loop turn.
        if change.table == "chats":
            self._chats_changed = True
        elif change.chat_id != self.chat_id:
            return
        elif change.table == "messages":
            turn = self._turn
            if turn is not None and change.row_id == turn.answer_id:
                return  # the answer being streamed: AnswerFinished carries its stored record
            self._changed_messages.append(change.row_id)
        elif change.table == "artifact_versions":
            self._emit(ArtifactVersionStored(change.row_id, change.chat_id))
            return
        else:
            return
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if self._flush_scheduled:
            return
        self._flush_scheduled = True
        try:
            asyncio.get_running_loop().call_soon(self._flush)
        except RuntimeError:  # no loop (a synchronous caller): there is no later turn to wait for
            self._flush()

    def _flush(self) -> None:
        self._flush_scheduled = False
        ids, self._changed_messages = self._changed_messages, []
        if self._chats_changed:
            self._chats_changed = False
            self._emit(ChatsChanged())
            if self.chat_id is None and self.open_latest():
                return  # a fresh workstation whose first chat just arrived from another one
        if self.chat_id is None or not ids:
            return
        if len(set(ids)) > self._page:
            # A sync catch-up brought more than a page at once: show the newest page, as opening does.
            self.open_chat(self.chat_id)
            return
        changed: list[Message] = []
        for message_id in dict.fromkeys(ids):
            message = self._store.get_message(message_id)
            if message.chat_id != self.chat_id:
                continue
            temp_id = self._pending_rows.pop(message_id, None)
            if temp_id is not None:
                self._emit(UserMessageStored(temp_id, message))
                continue
            if visible(message):
                changed.append(message)
        if changed:
            self._emit(MessagesStored(tuple(changed)))
