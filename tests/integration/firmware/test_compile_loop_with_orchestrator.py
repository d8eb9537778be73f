"""The whole loop: a CODE turn writes a broken sketch, the compile check sends the errors to a
real DEBUG turn (orchestrator + fake gateway over HTTP), and the fixed version compiles."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ohm_desktop.core.events import TurnEvent
from ohm_desktop.core.orchestrator import TurnRequest
from ohm_desktop.firmware import CompileLoop, SketchCompiler
from ohm_desktop.firmware.debug_turn import orchestrator_ask_debug
from ohm_desktop.runtime import Runtime, build_runtime
from tests.integration.firmware.conftest import BROKEN_SKETCH, GOOD_SKETCH
from tests.support.fake_gateway import FakeGateway, Reply, SeenRequest, ToolCallSpec


@pytest.fixture
async def runtime(monkeypatch: pytest.MonkeyPatch, gateway: FakeGateway) -> AsyncIterator[Runtime]:
    monkeypatch.setenv("BYTEZ_API_KEY_1", "sk-bytez-test-key-firmware-0001")
    monkeypatch.setenv("OHM_GATEWAY_URL", gateway.url)
    rt = build_runtime()
    yield rt
    await rt.aclose()


def _write(text: str, summary: str) -> ToolCallSpec:
    content = {"board": "arduino:avr:uno", "files": [{"path": "sketch.ino", "content": text}]}
    return ToolCallSpec("write", {"artifact_type": "code", "content": content, "change_summary": summary})


def firmware_responder(seen_prompts: list[str]) -> Any:
    def respond(request: SeenRequest) -> Reply:
        if not request.stream:
            return Reply(text="CODE")
        if any(m.get("role") == "tool" for m in request.messages):
            return Reply(text="Done.")
        last_user = next(m for m in reversed(request.messages) if m.get("role") == "user")
        text = last_user["content"] if isinstance(last_user["content"], str) else json.dumps(last_user["content"])
        seen_prompts.append(text)
        if "does not compile" in text:
            return Reply(text="Declared the delay.", tool_calls=[_write(GOOD_SKETCH, "fix: compile errors")])
        return Reply(text="Here is the sketch.", tool_calls=[_write(BROKEN_SKETCH, "first sketch")])

    return respond


async def test_compile_errors_reach_a_real_debug_turn_and_its_fix_compiles(
    runtime: Runtime, gateway: FakeGateway, compiler: SketchCompiler
) -> None:
    prompts: list[str] = []
    gateway.set_responder(firmware_responder(prompts))
    debug_events: list[TurnEvent] = []
    loop = CompileLoop(runtime.store, compiler,
                       ask_debug=orchestrator_ask_debug(runtime.orchestrator,
                                                        on_event=lambda _chat, e: debug_events.append(e)),
                       consent=lambda: runtime.settings.compile_feedback)
    detach = loop.attach()
    chat = runtime.store.create_chat("blink")
    async for _ in runtime.orchestrator.run_turn(TurnRequest(chat.id, "write a blink sketch")):
        pass
    await loop.drain()
    detach()

    versions = runtime.store.list_versions(chat.id, "code")
    assert [(v.version_number, v.change_summary) for v in versions] == [(1, "first sketch"), (2, "fix: compile errors")]
    assert len(prompts) == 2 and "sketch.ino:7" in prompts[1] and "undefinedDelay" in prompts[1]
    selected = next(e for e in debug_events if e.type == "agent_selected")
    assert getattr(selected, "intent", None) == "DEBUG" and getattr(selected, "by", None) == "override"
    first, fixed = (loop.result_for(v.id) for v in versions)
    assert first is not None and first.status == "errors"
    assert fixed is not None and fixed.ok
    # Every round is visible in the chat: the DEBUG question and its answer are stored messages.
    roles = [(m.role, m.agent_intent) for m in runtime.store.list_messages(chat.id)]
    assert ("assistant", "DEBUG") in roles
