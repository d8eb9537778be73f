"""The loop: a CODE turn writes a sketch that compiles but never prints; the short simulation sends
its serial output and pin summary to a real DEBUG turn (orchestrator + fake gateway over HTTP), and
the fixed version runs clean, so the loop stops there."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ohm_desktop.core.orchestrator import TurnRequest
from ohm_desktop.firmware import CompileLoop, SketchCompiler
from ohm_desktop.firmware.debug_turn import orchestrator_ask_debug
from ohm_desktop.runtime import Runtime, build_runtime
from ohm_desktop.simulation import HarnessBuilder, SimulationResult, Simulator
from ohm_desktop.simulation.loop_check import SimulationCheck
from tests.support import line_follower
from tests.support.fake_gateway import FakeGateway, Reply, SeenRequest, ToolCallSpec

# Waits for serial input that never comes on the bench: prints nothing, never enables the motors.
SILENT = line_follower.SKETCH.replace('Serial.begin(115200);', 'Serial.begin(115200); while (!Serial.available()) {}')


@pytest.fixture
async def runtime(monkeypatch: pytest.MonkeyPatch, gateway: FakeGateway) -> AsyncIterator[Runtime]:
    monkeypatch.setenv("BYTEZ_API_KEY_1", "sk-bytez-test-key-simulate-0001")
    monkeypatch.setenv("OHM_GATEWAY_URL", gateway.url)
    rt = build_runtime()
    yield rt
    await rt.aclose()


def _write(text: str, summary: str) -> ToolCallSpec:
    content = {"board": "arduino:avr:uno", "files": [{"path": "line_follower.ino", "content": text}]}
    return ToolCallSpec("write", {"artifact_type": "code", "content": content, "change_summary": summary})


def responder(prompts: list[str]) -> Any:
    def respond(request: SeenRequest) -> Reply:
        if not request.stream:
            return Reply(text="CODE")
        if any(m.get("role") == "tool" for m in request.messages):
            return Reply(text="Done.")
        last_user = next(m for m in reversed(request.messages) if m.get("role") == "user")
        text = last_user["content"] if isinstance(last_user["content"], str) else json.dumps(last_user["content"])
        prompts.append(text)
        if "(code version 1) compiles but misbehaves" in text:
            return Reply(text="It blocked on Serial.available().", tool_calls=[_write(line_follower.SKETCH, "fix: no wait")])
        return Reply(text="Here is the sketch.", tool_calls=[_write(SILENT, "first sketch")])

    return respond


async def test_simulation_problems_reach_debug_and_the_fix_runs_clean(
    runtime: Runtime, gateway: FakeGateway, compiler: SketchCompiler, harness: HarnessBuilder
) -> None:
    prompts: list[str] = []
    gateway.set_responder(responder(prompts))
    chat = runtime.store.create_chat("line follower")
    runtime.store.write_version(chat.id, "bom", line_follower.BOM, change_summary="parts", created_by="Parts Planner")
    runtime.store.write_version(chat.id, "wiring", line_follower.WIRING, change_summary="wires",
                                created_by="Wiring Planner")
    check = SimulationCheck(Simulator(compiler, harness), runtime.store, seconds=1.0)
    runs: list[SimulationResult] = []
    check.subscribe(lambda _chat, result: runs.append(result))
    loop = CompileLoop(runtime.store, compiler, ask_debug=orchestrator_ask_debug(runtime.orchestrator),
                       consent=lambda: runtime.settings.compile_feedback, after_compile=check)
    detach = loop.attach()
    async for _ in runtime.orchestrator.run_turn(TurnRequest(chat.id, "write the line follower firmware")):
        pass
    await loop.drain()
    detach()

    versions = runtime.store.list_versions(chat.id, "code")
    assert [v.change_summary for v in versions] == ["first sketch", "fix: no wait"]
    report = prompts[1]
    assert "It printed nothing on Serial" in report
    assert "D5 drives U3 L298N motor driver in the wiring, but the firmware never set it" in report
    assert "Serial output:" in report and "(nothing)" in report and "Pins:" in report
    assert "Not simulated: U5 DHT11" in report
    assert len(runs) == 2 and runs[1].serial.startswith("line follower ready")
    assert "D5" in runs[1].pin_stats
