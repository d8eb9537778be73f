"""ChatSession against the real orchestrator and store and the fake gateway: one ordered stream."""

from __future__ import annotations

import asyncio
import socket

import pytest

from ohm_desktop.core.session import ChatSession, GatewayInfo, title_for
from ohm_desktop.core.session_events import (
    AnswerDelta,
    AnswerFinished,
    AnswerStarted,
    ArtifactVersionStored,
    ChatOpened,
    KeyNotice,
    MessagesStored,
    SessionEvent,
    SpecialistChosen,
    TurnFailed,
    UserMessagePending,
    UserMessageStored,
)
from ohm_desktop.runtime import Runtime, build_runtime
from tests.support.fake_gateway import FakeGateway, KeyBehaviour, demo_responder

KEY = "sk-bytez-session-test-key-0000bbbb"


@pytest.fixture
def runtime(gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv("OHM_GATEWAY_URL", gateway.url)
    monkeypatch.setenv("BYTEZ_API_KEY_1", KEY)
    return build_runtime()


def _session(runtime: Runtime) -> tuple[ChatSession, list[SessionEvent]]:
    session = ChatSession(
        runtime.store,
        lambda: runtime.orchestrator,
        key_health=runtime.key_pool.snapshot,
        gateway_info=lambda: GatewayInfo(runtime.gateway.base_url, False),
    )
    events: list[SessionEvent] = []
    session.subscribe(events.append)
    return session, events


def _run(runtime: Runtime, steps) -> None:  # type: ignore[no-untyped-def]
    async def main() -> None:
        try:
            await steps()
        finally:
            await runtime.aclose()

    asyncio.run(main())


def test_title_rule_keeps_eight_words_and_sixty_characters() -> None:
    assert title_for("  wire the   motor driver to the uno please and then more words") == "wire the motor driver to the uno please"
    long = title_for("a" * 80)
    assert len(long) == 60 and long.endswith("…")


def test_a_turn_is_one_ordered_stream_and_the_pending_row_is_replaced_by_id(runtime: Runtime, gateway: FakeGateway) -> None:
    gateway.set_responder(demo_responder)
    session, events = _session(runtime)

    async def steps() -> None:
        task = session.send("I need a parts list for a line-following robot")
        assert task is not None
        await task

    _run(runtime, steps)
    kinds = [type(e).__name__ for e in events]
    pending = next(e for e in events if isinstance(e, UserMessagePending))
    stored = next(e for e in events if isinstance(e, UserMessageStored))
    assert stored.temp_id == pending.temp_id and stored.message.role == "user"
    assert kinds.index("UserMessageStored") < kinds.index("AnswerStarted") < kinds.index("AnswerDelta")
    assert any(isinstance(e, ArtifactVersionStored) for e in events)
    finished = [e for e in events if isinstance(e, AnswerFinished)]
    assert len(finished) == 1 and finished[0].message is not None  # a turn ends once
    assert finished[0].message.agent_name == "Parts Planner" and not finished[0].cancelled
    assert kinds[-1] == "AnswerFinished"
    assert not any(isinstance(e, MessagesStored) for e in events)  # its own rows are not "other" changes


def test_ask_with_context_replaces_the_pending_row_though_the_stored_text_differs(runtime: Runtime, gateway: FakeGateway) -> None:
    session, events = _session(runtime)

    async def steps() -> None:
        session.new_chat()
        task = session.ask_with_context("What is my board doing?", "boot\nbrown-out reset\n")
        assert task is not None
        await task

    _run(runtime, steps)
    stored = [e for e in events if isinstance(e, UserMessageStored)]
    assert len(stored) == 1 and "Attached:" in stored[0].message.content
    assert not any(isinstance(e, MessagesStored) for e in events)


def test_gateway_down_fails_once_named_unreachable_with_retry_and_no_specialist_answering(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    runtime.gateway.base_url = f"http://127.0.0.1:{port}/v1"
    session, events = _session(runtime)

    async def steps() -> None:
        task = session.send("hello")
        assert task is not None
        await task

    _run(runtime, steps)
    failures = [e for e in events if isinstance(e, TurnFailed)]
    assert len(failures) == 1
    assert failures[0].kind == "gateway_unreachable"
    assert [a.id for a in failures[0].actions][:2] == ["retry", "open_gateway"]
    assert "ohm " not in failures[0].message
    assert not any(isinstance(e, AnswerStarted | AnswerDelta) for e in events)
    finished = next(e for e in events if isinstance(e, AnswerFinished))
    assert finished.message is None  # no empty "Assistant · failed" row
    assert len([e for e in events if isinstance(e, KeyNotice)]) <= 2
    assert all("from" not in e.text or e.text.count("key 1") < 2 for e in events if isinstance(e, KeyNotice))


def test_invalid_key_offers_keys_settings_not_retry(runtime: Runtime, gateway: FakeGateway) -> None:
    gateway.behave(KEY, KeyBehaviour(status=401))
    session, events = _session(runtime)

    async def steps() -> None:
        task = session.send("hello", agent="CHAT")
        assert task is not None
        await task

    _run(runtime, steps)
    failure = next(e for e in events if isinstance(e, TurnFailed))
    assert failure.kind == "key_invalid"
    assert "retry" not in [a.id for a in failure.actions] and "open_keys" in [a.id for a in failure.actions]
    assert not any(isinstance(e, SpecialistChosen) and e.name == "" for e in events)


def test_sync_burst_bigger_than_a_page_reopens_the_chat_once(runtime: Runtime) -> None:
    session, events = _session(runtime)
    store = runtime.store

    async def steps() -> None:
        chat_id = session.new_chat()
        events.clear()
        with store.transaction():
            for index in range(250):
                store.add_message(chat_id, "user", f"message {index}")
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    _run(runtime, steps)
    opened = [e for e in events if isinstance(e, ChatOpened)]
    assert len(opened) == 1 and len(opened[0].messages) == 200
    assert opened[0].messages[-1].content == "message 249"
