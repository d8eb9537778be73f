"""What a :class:`~ohm_desktop.core.session.ChatSession` tells its views: one typed stream.

Turn events (agent, text, tools, keys) and store/sync changes (messages, artifact versions,
chats) arrive here already merged and in order, so a view renders each event as it comes and
never matches rows by content or decides itself when a turn ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ohm_desktop.store import Message

FailureKind = Literal[
    "gateway_unreachable",
    "rate_limited",
    "key_invalid",
    "out_of_credits",
    "no_key",
    "model_unknown",
    "cut_off",
    "bad_request",
    "internal",
]
ActionId = Literal["retry", "open_keys", "open_gateway", "open_agents", "use_local_profile"]


@dataclass(frozen=True, slots=True)
class Action:
    """A button offered with a failure: ``id`` says what to do, ``label`` what the button reads."""

    id: ActionId
    label: str


RETRY = Action("retry", "Retry")
OPEN_KEYS = Action("open_keys", "Open Settings → Keys")
OPEN_GATEWAY = Action("open_gateway", "Open Settings → Gateway")
OPEN_AGENTS = Action("open_agents", "Open Settings → Agents")
USE_LOCAL = Action("use_local_profile", "Switch to the local profile")


@dataclass(frozen=True, slots=True)
class ChatOpened:
    """The current chat changed (or was reloaded): its newest page of visible messages."""

    chat_id: str
    messages: tuple[Message, ...]
    more_before: bool


@dataclass(frozen=True, slots=True)
class EarlierLoaded:
    """An older page of the current chat, to put above what is shown."""

    messages: tuple[Message, ...]
    more_before: bool


@dataclass(frozen=True, slots=True)
class UserMessagePending:
    """The user's words, shown at once under ``temp_id`` before anything is stored."""

    temp_id: str
    text: str


@dataclass(frozen=True, slots=True)
class UserMessageStored:
    """The stored record of the pending message ``temp_id`` (it replaces that row)."""

    temp_id: str
    message: Message


@dataclass(frozen=True, slots=True)
class SpecialistChosen:
    """Which specialist will answer; nothing has arrived from it yet."""

    intent: str
    name: str
    model: str


@dataclass(frozen=True, slots=True)
class AnswerStarted:
    """The first piece of the answer arrived: the specialist is really answering."""

    name: str
    model: str


@dataclass(frozen=True, slots=True)
class AnswerDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ToolStarted:
    """The specialist is writing an artifact (its dock may open before the write finishes)."""

    call_id: str
    name: str
    artifact_type: str | None


@dataclass(frozen=True, slots=True)
class ToolFinished:
    call_id: str
    ok: bool
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ArtifactVersionStored:
    """A new version of an artifact of the current chat (from this turn, another process or sync)."""

    version_id: str
    chat_id: str


@dataclass(frozen=True, slots=True)
class KeyNotice:
    """A key switch worth one line; repeats within a turn and switches to the same key are dropped."""

    text: str


@dataclass(frozen=True, slots=True)
class UsageReported:
    usage: dict[str, int]
    latency_ms: int


@dataclass(frozen=True, slots=True)
class AnswerFinished:
    """The turn is over. ``message`` is its stored answer, None when nothing worth a row arrived."""

    message: Message | None
    cancelled: bool


@dataclass(frozen=True, slots=True)
class TurnFailed:
    """A turn failed. ``message`` is the window's sentence; ``detail`` the core's (the CLI prints it)."""

    kind: FailureKind
    message: str
    actions: tuple[Action, ...]
    detail: str
    exit_code: int


@dataclass(frozen=True, slots=True)
class MessagesStored:
    """Messages of the current chat that changed outside this session's turn (sync, other processes)."""

    messages: tuple[Message, ...]


@dataclass(frozen=True, slots=True)
class ChatsChanged:
    """The list of chats changed (a title, a new chat, one pulled by sync)."""


@dataclass(frozen=True, slots=True)
class Notice:
    """A sentence for the user that is not an error of the turn (e.g. "wait for the answer")."""

    text: str


SessionEvent = (
    ChatOpened
    | EarlierLoaded
    | UserMessagePending
    | UserMessageStored
    | SpecialistChosen
    | AnswerStarted
    | AnswerDelta
    | ToolStarted
    | ToolFinished
    | ArtifactVersionStored
    | KeyNotice
    | UsageReported
    | AnswerFinished
    | TurnFailed
    | MessagesStored
    | ChatsChanged
    | Notice
)
