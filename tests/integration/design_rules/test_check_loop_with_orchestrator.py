"""The whole loop: a WIRING turn writes an LED with no resistor, the design check sends the error to
a real WIRING turn (orchestrator + fake gateway over HTTP), and the fixed wiring passes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ohm_desktop.core.events import TurnEvent
from ohm_desktop.core.orchestrator import TurnRequest
from ohm_desktop.design_rules.check_loop import DesignCheckLoop, DesignCheckUpdate
from ohm_desktop.firmware.design_repair_turn import orchestrator_ask_agent
from ohm_desktop.runtime import Runtime, build_runtime
from tests.support.fake_gateway import FakeGateway, Reply, SeenRequest, ToolCallSpec

BOM = {"projectName": "Blink", "parts": [{"designator": "U1", "name": "Arduino Uno R3", "quantity": 1},
                                        {"designator": "D1", "name": "Red LED", "quantity": 1},
                                        {"designator": "R1", "name": "Resistor", "value": "220", "quantity": 1}]}
BAD = {"connections": [{"from": "U1.D13", "to": "D1.A"}, {"from": "D1.K", "to": "U1.GND"}]}
GOOD = {"connections": [{"from": "U1.D13", "to": "R1.1"}, {"from": "R1.2", "to": "D1.A"},
                        {"from": "D1.K", "to": "U1.GND"}]}


@pytest.fixture
async def runtime(monkeypatch: pytest.MonkeyPatch, gateway: FakeGateway) -> AsyncIterator[Runtime]:
    monkeypatch.setenv("BYTEZ_API_KEY_1", "sk-bytez-test-key-design-0001")
    monkeypatch.setenv("OHM_GATEWAY_URL", gateway.url)
    rt = build_runtime()
    yield rt
    await rt.aclose()


def _write(content: dict[str, Any], summary: str) -> ToolCallSpec:
    return ToolCallSpec("write", {"artifact_type": "wiring", "content": content, "change_summary": summary})


def wiring_responder(prompts: list[str]) -> Any:
    def respond(request: SeenRequest) -> Reply:
        if not request.stream:
            return Reply(text="WIRING")
        if any(m.get("role") == "tool" for m in request.messages):
            return Reply(text="Done.")
        last_user = next(m for m in reversed(request.messages) if m.get("role") == "user")
        text = last_user["content"] if isinstance(last_user["content"], str) else json.dumps(last_user["content"])
        prompts.append(text)
        if "design check found" in text:
            return Reply(text="Added the resistor.", tool_calls=[_write(GOOD, "fix: series resistor")])
        return Reply(text="Here is the wiring.", tool_calls=[_write(BAD, "first wiring")])

    return respond


async def test_design_errors_reach_a_real_wiring_turn_and_its_fix_passes(runtime: Runtime,
                                                                         gateway: FakeGateway) -> None:
    prompts: list[str] = []
    gateway.set_responder(wiring_responder(prompts))
    events: list[TurnEvent] = []
    names = {agent.name: intent for intent, agent in runtime.registry.agents.items()}
    loop = DesignCheckLoop(runtime.store, ask_agent=orchestrator_ask_agent(runtime.orchestrator,
                                                                           on_event=lambda _c, e: events.append(e)),
                           consent=lambda: runtime.settings.compile_feedback, author_intents=names)
    updates: list[DesignCheckUpdate] = []
    loop.subscribe(updates.append)
    chat = runtime.store.create_chat("blink")
    runtime.store.write_version(chat.id, "bom", BOM, change_summary="parts", created_by="you")
    detach = loop.attach()
    async for _ in runtime.orchestrator.run_turn(TurnRequest(chat.id, "wire an LED to pin 13")):
        pass
    await loop.drain()
    detach()

    versions = runtime.store.list_versions(chat.id, "wiring")
    assert [(v.version_number, v.change_summary) for v in versions] == [(1, "first wiring"), (2, "fix: series resistor")]
    assert len(prompts) == 2 and "led-no-resistor" in prompts[1] and "connections[0]" in prompts[1]
    selected = next(e for e in events if e.type == "agent_selected")
    assert getattr(selected, "intent", None) == "WIRING" and getattr(selected, "by", None) == "override"
    assert updates[-1].state == "done" and not updates[-1].errors and updates[-1].version_number == 2
