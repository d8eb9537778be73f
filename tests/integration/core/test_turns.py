"""Whole turns through the public Orchestrator API against the fake gateway (real HTTP/SSE)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

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
from ohm_desktop.core.orchestrator import TurnRequest
from ohm_desktop.runtime import Runtime, build_runtime
from tests.support.fake_gateway import FakeGateway, Reply, SeenRequest, ToolCallSpec

BOM = {
    "projectName": "Line follower",
    "parts": [
        {"designator": "U1", "name": "Arduino Uno R3", "quantity": 1, "mpn": "A000066"},
        {"designator": "U2", "name": "TB6612FNG motor driver", "quantity": 1},
        {"designator": "IR1", "name": "TCRT5000 reflective sensor", "quantity": 3},
    ],
}


def is_router(request: SeenRequest) -> bool:
    return not request.stream


def tool_results(request: SeenRequest) -> list[dict[str, Any]]:
    return [json.loads(m["content"]) for m in request.messages if m.get("role") == "tool"]


def bom_responder(intent: str = "BOM", content: dict[str, Any] = BOM):
    def respond(request: SeenRequest) -> Reply:
        if is_router(request):
            return Reply(text=intent)
        if tool_results(request):
            return Reply(text="Saved the parts list.")
        return Reply(
            text="Here is a parts list for your robot.",
            tool_calls=[ToolCallSpec("write", {"artifact_type": "bom", "content": content, "change_summary": "First list"})],
        )

    return respond


async def collect(runtime: Runtime, request: TurnRequest) -> list[TurnEvent]:
    return [event async for event in runtime.orchestrator.run_turn(request)]


@pytest.fixture
async def runtime(env_keys: list[str]) -> Runtime:
    rt = build_runtime()
    yield rt  # type: ignore[misc]
    await rt.aclose()


async def test_turn_routes_streams_writes_and_finishes(runtime: Runtime, gateway: FakeGateway) -> None:
    gateway.set_responder(bom_responder())
    chat = runtime.store.create_chat("robot")
    events = await collect(runtime, TurnRequest(chat.id, "I need a parts list for a line-following robot"))
    kinds = [e.type for e in events]
    assert kinds[0] == "agent_selected" and kinds[-2:] == ["metadata", "done"]
    assert kinds.index("tool_call") < kinds.index("tool_result")
    selected = events[0]
    assert isinstance(selected, AgentSelected) and selected.intent == "BOM" and selected.by == "router"
    started = next(e for e in events if isinstance(e, ToolCallStarted))
    assert (started.name, started.artifact_type) == ("write", "bom")
    result = next(e for e in events if isinstance(e, ToolResult))
    assert result.ok and result.version == 1 and result.id == started.id
    text = "".join(e.delta for e in events if isinstance(e, TextDelta))
    assert "parts list for your robot" in text and "Saved the parts list." in text
    metadata = next(e for e in events if isinstance(e, Metadata))
    stored = runtime.store.get_message(metadata.message_id)
    assert stored.status == "complete" and stored.content == text and stored.agent_name == "Parts Planner"
    assert metadata.usage.get("total_tokens", 0) > 0
    version = runtime.store.get_version(chat.id, "bom")
    assert version is not None and version.content == BOM and version.created_by == "Parts Planner"
    # The specialist got the tool schemas and max_tokens; the router got neither tools nor a stream.
    specialist = [r for r in gateway.requests if r.stream]
    assert specialist[0].tools and specialist[0].max_tokens == runtime.registry.agents["BOM"].max_tokens
    assert specialist[0].model == "anthropic/claude-opus-4-5"
    assert [r.messages[-1]["content"] for r in gateway.requests if is_router(r)] == [
        "I need a parts list for a line-following robot"
    ]

    await collect(runtime, TurnRequest(chat.id, "add a buzzer"))
    assert runtime.store.get_artifact(chat.id, "bom").current_version == 2  # type: ignore[union-attr]


async def test_override_skips_the_router(runtime: Runtime, gateway: FakeGateway) -> None:
    gateway.set_responder(lambda r: Reply(text="Use a 220 ohm resistor."))
    chat = runtime.store.create_chat()
    events = await collect(runtime, TurnRequest(chat.id, "which resistor for an LED?", agent_override="chat"))
    assert isinstance(events[0], AgentSelected) and events[0].by == "override" and events[0].intent == "CHAT"
    assert not [r for r in gateway.requests if is_router(r)]


async def test_garbled_router_reply_falls_back_to_chat(runtime: Runtime, gateway: FakeGateway) -> None:
    gateway.set_responder(lambda r: Reply(text="%%%% ?? I am not sure!!") if is_router(r) else Reply(text="Hi!"))
    chat = runtime.store.create_chat()
    events = await collect(runtime, TurnRequest(chat.id, "hello there"))
    assert isinstance(events[0], AgentSelected) and events[0].intent == "CHAT"
    assert isinstance(events[-1], Done)


async def test_invalid_artifact_goes_back_to_the_model_which_fixes_it(runtime: Runtime, gateway: FakeGateway) -> None:
    bad = {"projectName": "x", "parts": [{"name": "Resistor", "quantity": 0}]}

    def respond(request: SeenRequest) -> Reply:
        if is_router(request):
            return Reply(text="BOM")
        results = tool_results(request)
        if not results:
            return Reply(tool_calls=[ToolCallSpec("write", {"artifact_type": "bom", "content": bad, "change_summary": "a"})])
        if len(results) == 1:
            assert "content.parts.0.quantity" in results[0]["error"]
            return Reply(tool_calls=[ToolCallSpec("write", {"artifact_type": "bom", "content": BOM, "change_summary": "b"})])
        return Reply(text="Fixed.")

    gateway.set_responder(respond)
    chat = runtime.store.create_chat()
    events = await collect(runtime, TurnRequest(chat.id, "parts please"))
    results = [e for e in events if isinstance(e, ToolResult)]
    assert [r.ok for r in results] == [False, True]
    assert [v.version_number for v in runtime.store.list_versions(chat.id, "bom")] == [1]


async def test_tool_rounds_are_bounded_and_the_turn_ends_with_text(runtime: Runtime, gateway: FakeGateway) -> None:
    def respond(request: SeenRequest) -> Reply:
        if is_router(request):
            return Reply(text="BOM")
        if request.tools is None:
            return Reply(text="Stopping here.")
        return Reply(tool_calls=[ToolCallSpec("read", {"artifact_type": "all"})])

    gateway.set_responder(respond)
    chat = runtime.store.create_chat()
    events = await collect(runtime, TurnRequest(chat.id, "parts please"))
    rounds = [r for r in gateway.requests if r.stream]
    assert len(rounds) == runtime.settings.max_tool_rounds + 1
    assert rounds[-1].tools is None
    assert "Stopping here." in "".join(e.delta for e in events if isinstance(e, TextDelta))


async def test_fenced_json_fallback_writes_for_models_without_tool_calls(runtime: Runtime, gateway: FakeGateway) -> None:
    block = json.dumps({"tool": "write", "artifact_type": "bom", "content": BOM, "change_summary": "fenced"})
    gateway.set_responder(
        lambda r: Reply(text="BOM") if is_router(r) else Reply(text=f"Here you go.\n```json\n{block}\n```\n")
    )
    chat = runtime.store.create_chat()
    events = await collect(runtime, TurnRequest(chat.id, "parts"))
    assert [e.type for e in events if e.type in ("tool_call", "tool_result")] == ["tool_call", "tool_result"]
    assert runtime.store.get_version(chat.id, "bom").change_summary == "fenced"  # type: ignore[union-attr]


async def test_cancelled_turn_keeps_partial_answer_marked_interrupted(runtime: Runtime, gateway: FakeGateway) -> None:
    gateway.set_responder(
        lambda r: Reply(text="CHAT") if is_router(r) else Reply(text="word " * 4000, chunk_chars=5)
    )
    chat = runtime.store.create_chat()
    seen: list[TurnEvent] = []

    async def consume() -> None:
        async for event in runtime.orchestrator.run_turn(TurnRequest(chat.id, "tell me a long story")):
            seen.append(event)

    task = asyncio.create_task(consume())
    while sum(isinstance(e, TextDelta) for e in seen) < 20:
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    messages = runtime.store.list_messages(chat.id)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[1].status == "interrupted"
    assert messages[1].content.startswith("word word")


async def test_context_is_attached_to_the_stored_user_message(runtime: Runtime, gateway: FakeGateway) -> None:
    gateway.set_responder(lambda r: Reply(text="Looks like a brown-out."))
    chat = runtime.store.create_chat()
    await collect(runtime, TurnRequest(chat.id, "why does it reset?", agent_override="DEBUG", context="Brownout\nBrownout"))
    user = runtime.store.list_messages(chat.id)[0]
    assert "why does it reset?" in user.content and "Brownout\nBrownout" in user.content
    assert "Brownout" in gateway.requests[-1].messages[-1]["content"]


async def test_regenerate_answers_the_last_user_message_again(runtime: Runtime, gateway: FakeGateway) -> None:
    gateway.set_responder(lambda r: Reply(text="answer"))
    chat = runtime.store.create_chat()
    await collect(runtime, TurnRequest(chat.id, "question", agent_override="CHAT"))
    await collect(runtime, TurnRequest(chat.id, "", agent_override="CHAT", regenerate=True))
    roles = [m.role for m in runtime.store.list_messages(chat.id)]
    assert roles == ["user", "assistant", "assistant"]


async def test_config_only_agent_is_routed(env_keys: list[str], gateway: FakeGateway, isolated_dirs: Path) -> None:
    config = isolated_dirs / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "agents.toml").write_text(
        '[agents.SECURE]\nname = "Security Sentinel"\ndescription = "Security audits"\n'
        'keywords = ["vulnerability"]\nmodel = "anthropic/claude-sonnet-4-5"\n'
        'system_prompt = "You audit firmware security."\ntools = ["read"]\n'
    )
    gateway.set_responder(lambda r: Reply(text="SECURE") if is_router(r) else Reply(text="Rotate the default password."))
    runtime = build_runtime()
    try:
        chat = runtime.store.create_chat()
        events = await collect(runtime, TurnRequest(chat.id, "is my ESP32 OTA update hackable?"))
    finally:
        await runtime.aclose()
    assert isinstance(events[0], AgentSelected) and events[0].name == "Security Sentinel"
    router_request = next(r for r in gateway.requests if is_router(r))
    assert "SECURE: Security audits" in router_request.messages[0]["content"]
    specialist = next(r for r in gateway.requests if r.stream)
    assert specialist.messages[0]["content"].startswith("You audit firmware security.")


async def test_no_keys_is_an_error_event_and_the_user_message_is_kept(
    gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OHM_GATEWAY_URL", gateway.url)
    runtime = build_runtime()
    try:
        chat = runtime.store.create_chat()
        events = await collect(runtime, TurnRequest(chat.id, "parts for a robot"))
        error = next(e for e in events if isinstance(e, ErrorEvent))
        assert error.kind == "no_usable_key" and "ohm keys add" in error.message
        messages = runtime.store.list_messages(chat.id)
        assert [(m.role, m.status) for m in messages] == [("user", "complete"), ("assistant", "error")]
        assert "ohm keys add" in messages[1].metadata["stopped"]
    finally:
        await runtime.aclose()


async def test_offline_profile_needs_no_key_and_writes_through_fenced_json(
    gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path
) -> None:
    from ohm_desktop.config import Paths, Settings, save_settings

    monkeypatch.setenv("OHM_GATEWAY_URL", gateway.url)  # stands in for llama-server on :8080
    save_settings(Paths.from_environment(), Settings(active_profile="llama-cpp"))
    block = json.dumps({"tool": "write", "artifact_type": "bom", "content": BOM, "change_summary": "local"})
    gateway.set_responder(lambda r: Reply(text="bom") if is_router(r) else Reply(text=f"```json\n{block}\n```"))
    runtime = build_runtime()
    try:
        chat = runtime.store.create_chat()
        events = await collect(runtime, TurnRequest(chat.id, "parts list please"))
        assert runtime.store.get_version(chat.id, "bom") is not None
    finally:
        await runtime.aclose()
    assert isinstance(events[0], AgentSelected) and events[0].model == "local"
    assert all(r.model == "local" for r in gateway.requests)
    assert all(r.tools is None for r in gateway.requests)  # small local models get no tool schemas
