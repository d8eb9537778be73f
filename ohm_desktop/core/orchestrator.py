"""One turn of a chat: route, then let the specialist answer and write artifacts.

A turn reads top to bottom in :meth:`Orchestrator._turn`: store the user's message, pick the
agent (router or override), open a ``streaming`` assistant message, then stream the
specialist's answer, running its tool calls and sending their results back until it answers
without tools (bounded rounds). Events go to the caller as they happen; the store is always
consistent — a cancelled or failed turn leaves the partial answer marked ``interrupted``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ohm_desktop.core.agents import AgentRegistry, AgentSpec
from ohm_desktop.core.events import (
    AgentSelected,
    Done,
    ErrorEvent,
    Metadata,
    TextDelta,
    ToolCallStarted,
    ToolResult,
    TurnEvent,
)
from ohm_desktop.core.router import Router
from ohm_desktop.core.tools import TOOL_SCHEMAS, ToolExecutor, artifact_summary
from ohm_desktop.errors import OhmError, StreamInterruptedError, UsageError
from ohm_desktop.ids import new_id
from ohm_desktop.store import LocalStore, Message

if TYPE_CHECKING:
    from ohm_desktop.core.gateway import Gateway

log = logging.getLogger(__name__)
Emit = Callable[[TurnEvent], None]

_ARTIFACT_TYPE_IN_ARGS = re.compile(r'"artifact_type"\s*:\s*"(\w+)"')
_FENCED_JSON = re.compile(r"```(?:json)?\s*\n(\{.*?\})\s*\n```", re.DOTALL)
_YIELD_EVERY_S = 0.004
_CHARS_PER_TOKEN = 4  # a rough, model-independent estimate; only used to bound history


@dataclass(frozen=True, slots=True)
class TurnRequest:
    """What the user asked for. ``context`` is attached text such as a serial log or compiler errors."""

    chat_id: str
    text: str
    agent_override: str | None = None
    regenerate: bool = False
    context: str | None = None
    #: Ids for the rows this turn stores, chosen by the caller so it can tell them from any
    #: other message (a ChatSession replaces its optimistic row by id, never by content).
    user_message_id: str | None = None
    answer_id: str | None = None


@dataclass(slots=True)
class _PendingCall:
    """A tool call being assembled from streamed pieces (they arrive by index)."""

    index: int
    id: str = ""
    name: str = ""
    arguments: str = ""
    announced: bool = False

    def artifact_type(self) -> str | None:
        match = _ARTIFACT_TYPE_IN_ARGS.search(self.arguments)
        return match.group(1) if match else None


@dataclass(slots=True)
class _TurnState:
    message_id: str
    agent: AgentSpec | None = None
    text: str = ""
    usage: dict[str, int] = field(default_factory=dict)
    tool_log: list[dict[str, Any]] = field(default_factory=list)
    last_saved: float = 0.0

    def add_usage(self, usage: Any) -> None:
        for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
            value = getattr(usage, key, None)
            if isinstance(value, int):
                self.usage[key] = self.usage.get(key, 0) + value


class Orchestrator:
    """Runs turns against the gateway, the agent registry and the local store."""

    def __init__(
        self,
        store: LocalStore,
        gateway: Gateway,
        registry: AgentRegistry,
        *,
        max_tool_rounds: int = 4,
        history_token_budget: int = 24_000,
        partial_save_interval_s: float = 0.5,
        native_tools: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._gateway = gateway
        self.registry = registry
        self._router = Router(gateway, registry)
        self._max_tool_rounds = max_tool_rounds
        self._history_budget_chars = history_token_budget * _CHARS_PER_TOKEN
        self._partial_save_interval_s = partial_save_interval_s
        # Small local models often cannot emit tool_calls: they write fenced JSON instead.
        self._native_tools = native_tools
        self._clock = clock

    async def run_turn(self, request: TurnRequest) -> AsyncIterator[TurnEvent]:
        """Run one turn, yielding its events as they happen; ends with ``done``.

        Cancelling the task that iterates this generator cancels the turn.
        """
        queue: asyncio.Queue[TurnEvent | None] = asyncio.Queue()
        producer = asyncio.create_task(self._turn(request, queue.put_nowait))
        try:
            while (event := await queue.get()) is not None:
                yield event
        finally:
            if not producer.done():
                producer.cancel()
                with suppress(asyncio.CancelledError):
                    await producer

    async def _turn(self, request: TurnRequest, emit: Emit) -> None:
        started = self._clock()
        state: _TurnState | None = None
        try:
            # The user's message and a "thinking…" placeholder in one commit, before the network:
            # the UI can show both at once, and a crash mid-turn leaves a message marked interrupted.
            with self._store.transaction(durable=False):
                user_text = self._record_user_message(request)
                assistant = self._store.add_message(
                    request.chat_id, "assistant", "", status="streaming", message_id=request.answer_id
                )
            state = _TurnState(message_id=assistant.id, last_saved=self._clock())
            agent = await self._select_agent(request, user_text, emit)
            state.agent = agent
            messages = self._conversation(agent, request.chat_id, exclude_id=assistant.id)
            executor = ToolExecutor(self._store, request.chat_id, author=agent.name, message_id=assistant.id)
            await self._answer(agent, messages, executor, state, emit)
            latency_ms = int((self._clock() - started) * 1000)
            self._store.finish_message(
                assistant.id,
                content=state.text,
                status="complete",
                metadata={"usage": state.usage, "latency_ms": latency_ms, "tools": state.tool_log},
                agent_intent=agent.intent,
                agent_name=agent.name,
                model=agent.model,
            )
            emit(Metadata(assistant.id, request.chat_id, agent.model, dict(state.usage), latency_ms))
            emit(Done())
        except asyncio.CancelledError:
            if state is not None:
                self._close_message(state, "interrupted", "cancelled by the user")
            raise
        except OhmError as exc:
            if state is not None:
                # A cut-off tool call reached the window (its dock opened) even without text.
                kept = bool(state.text) or isinstance(exc, StreamInterruptedError)
                self._close_message(state, "interrupted" if kept else "error", exc.message)
            emit(ErrorEvent(exc.kind, exc.message, exc.retryable))
            emit(Done())
        except Exception as exc:
            # The user gets one sentence (the error event); the traceback is a detail for -v.
            log.info("turn failed unexpectedly", exc_info=True)
            if state is not None:
                self._close_message(state, "interrupted" if state.text else "error", type(exc).__name__)
            emit(
                ErrorEvent(
                    "internal",
                    f"Ohm hit an unexpected error ({type(exc).__name__}); your message is saved, try Retry.",
                    True,
                )
            )
            emit(Done())
        finally:
            emit(None)  # type: ignore[arg-type]  # the queue's end-of-turn sentinel

    # ------------------------------------------------------------- the steps
    def _record_user_message(self, request: TurnRequest) -> str:
        if request.regenerate:
            last_user = next(
                (m for m in reversed(self._store.list_messages(request.chat_id)) if m.role == "user"), None
            )
            if last_user is None:
                raise UsageError("There is no earlier message in this chat to answer again.")
            return last_user.content
        text = request.text.strip()
        if not text:
            raise UsageError("The message is empty: type what you need and send it again.")
        if request.context:
            text = f"{text}\n\nAttached:\n```\n{request.context.strip()}\n```"
        self._store.add_message(request.chat_id, "user", text, message_id=request.user_message_id)
        return text

    async def _select_agent(self, request: TurnRequest, user_text: str, emit: Emit) -> AgentSpec:
        if request.agent_override:
            agent = self.registry.require(request.agent_override)
            emit(AgentSelected(agent.intent, agent.intent.lower(), agent.name, agent.model, "override"))
            return agent
        decision = await self._router.classify(user_text, on_rotation=emit)
        agent = decision.agent
        emit(AgentSelected(agent.intent, agent.intent.lower(), agent.name, agent.model, "router"))
        return agent

    def _conversation(self, agent: AgentSpec, chat_id: str, *, exclude_id: str) -> list[dict[str, Any]]:
        """System prompt plus the latest history that fits the token budget."""
        system = f"{agent.system_prompt}\n\n{artifact_summary(self._store, chat_id)}"
        history: list[Message] = []
        used = 0
        for message in reversed(self._store.list_messages(chat_id, limit=200)):
            if message.id == exclude_id or message.role not in ("user", "assistant") or not message.content:
                continue
            used += len(message.content)
            if used > self._history_budget_chars and history:
                break
            history.append(message)
        history.reverse()
        while history and history[-1].role == "assistant":
            history.pop()  # regenerating: earlier answers to the last question are not context
        return [{"role": "system", "content": system}] + [
            {"role": message.role, "content": message.content} for message in history
        ]

    async def _answer(
        self,
        agent: AgentSpec,
        messages: list[dict[str, Any]],
        executor: ToolExecutor,
        state: _TurnState,
        emit: Emit,
    ) -> None:
        tools = [TOOL_SCHEMAS[name] for name in agent.tools] if self._native_tools else []
        for round_number in range(self._max_tool_rounds + 1):
            # The last round offers no tools, so the turn always ends with an answer.
            offer = tools if tools and round_number < self._max_tool_rounds else None
            if state.text and not state.text.endswith("\n"):
                self._append_text(state, "\n\n", emit)
            round_text, calls = await self._stream_round(agent, messages, offer, state, emit)
            if calls:
                messages.append(
                    {
                        "role": "assistant",
                        "content": round_text or None,
                        "tool_calls": [
                            {
                                "id": c.id,
                                "type": "function",
                                "function": {"name": c.name, "arguments": c.arguments},
                            }
                            for c in calls
                        ],
                    }
                )
                for call in calls:
                    outcome = self._run_tool(executor, call.id, call.name, call.arguments, state, emit)
                    messages.append({"role": "tool", "tool_call_id": call.id, "content": outcome})
                continue
            fenced = _fenced_tool_calls(round_text) if "write" in agent.tools else []
            if not fenced:
                return
            results = []
            for name, arguments in fenced:
                call_id = f"call_{new_id()[-12:]}"
                emit(ToolCallStarted(call_id, name, _artifact_type_of(arguments)))
                results.append(self._run_tool(executor, call_id, name, arguments, state, emit))
            if (
                all(json.loads(result).get("ok") for result in results)
                or round_number >= self._max_tool_rounds
            ):
                return
            messages.append({"role": "assistant", "content": round_text})
            messages.append({"role": "user", "content": "Tool results:\n" + "\n".join(results)})

    async def _stream_round(
        self,
        agent: AgentSpec,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None,
        state: _TurnState,
        emit: Emit,
    ) -> tuple[str, list[_PendingCall]]:
        """Stream one model reply; text goes out as it comes, tool calls are assembled by index."""
        pieces: list[str] = []
        calls: dict[int, _PendingCall] = {}
        stream = self._gateway.stream(
            model=agent.model,
            messages=messages,
            max_tokens=agent.max_tokens,
            temperature=agent.temperature,
            tools=tools,
            on_rotation=emit,
        )
        last_yield = self._clock()
        async for chunk in stream:
            # Chunks that arrived together are parsed without awaiting; give the loop (and the
            # window drawing the answer) a turn every few ms so a fast stream never freezes it.
            if self._clock() - last_yield > _YIELD_EVERY_S:
                await asyncio.sleep(0)
                last_yield = self._clock()
            if getattr(chunk, "usage", None):
                state.add_usage(chunk.usage)
            if not chunk.choices:
                continue
            delta = chunk.choices[0].delta
            if delta.content:
                pieces.append(delta.content)
                self._append_text(state, delta.content, emit)
            for piece in delta.tool_calls or []:
                call = calls.setdefault(piece.index, _PendingCall(piece.index))
                if piece.id:
                    call.id = piece.id
                if piece.function is not None:
                    call.name += piece.function.name or ""
                    call.arguments += piece.function.arguments or ""
                # Announce as soon as we know which artifact, so the window opens its dock early.
                if not call.announced and call.name and (call.name != "write" or call.artifact_type()):
                    self._announce(call, emit)
        for call in calls.values():
            if not call.announced:
                self._announce(call, emit)
        return "".join(pieces), [calls[index] for index in sorted(calls)]

    def _announce(self, call: _PendingCall, emit: Emit) -> None:
        call.id = call.id or f"call_{new_id()[-12:]}"
        call.announced = True
        emit(ToolCallStarted(call.id, call.name or "unknown", call.artifact_type()))

    def _run_tool(
        self,
        executor: ToolExecutor,
        call_id: str,
        name: str,
        arguments: str | dict[str, Any],
        state: _TurnState,
        emit: Emit,
    ) -> str:
        outcome = executor.execute(name, arguments)
        emit(ToolResult(call_id, outcome.ok, outcome.artifact_id, outcome.version, outcome.error))
        state.tool_log.append(
            {
                "id": call_id,
                "name": name,
                "ok": outcome.ok,
                "artifact_id": outcome.artifact_id,
                "version": outcome.version,
                "error": outcome.error,
            }
        )
        return outcome.model_text

    def _append_text(self, state: _TurnState, text: str, emit: Emit) -> None:
        state.text += text
        emit(TextDelta(text))
        now = self._clock()
        if now - state.last_saved >= self._partial_save_interval_s:
            self._store.save_partial(state.message_id, state.text)
            state.last_saved = now

    def _close_message(self, state: _TurnState, status: str, reason: str) -> None:
        agent = state.agent
        try:
            self._store.finish_message(
                state.message_id,
                content=state.text,
                status="interrupted" if status == "interrupted" else "error",
                metadata={"usage": state.usage, "tools": state.tool_log, "stopped": reason},
                agent_intent=agent.intent if agent else None,
                agent_name=agent.name if agent else None,
                model=agent.model if agent else None,
            )
        except OhmError:
            # The turn's own error already tells the user; start-up recovery marks it interrupted later.
            log.info("could not record the end of an interrupted turn", exc_info=True)


def _fenced_tool_calls(text: str) -> list[tuple[str, dict[str, Any]]]:
    """``write`` calls written as fenced JSON by models without native tool calls."""
    calls: list[tuple[str, dict[str, Any]]] = []
    for block in _FENCED_JSON.findall(text):
        try:
            value = json.loads(block)
        except json.JSONDecodeError:
            continue
        if not isinstance(value, dict):
            continue
        if value.get("tool") == "write" or value.get("name") == "write":
            nested = value.get("arguments")
            arguments: dict[str, Any] = nested if isinstance(nested, dict) else value
            calls.append(("write", {k: v for k, v in arguments.items() if k not in ("tool", "name")}))
        elif "artifact_type" in value and "content" in value:
            calls.append(("write", value))
    return calls


def _artifact_type_of(arguments: dict[str, Any]) -> str | None:
    value = arguments.get("artifact_type")
    return value if isinstance(value, str) else None
