"""`ohm ask` as a user runs it: a subprocess, env keys, the fake gateway over real HTTP."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from ohm_desktop.store import LocalStore
from tests.e2e.conftest import run_ohm
from tests.support.fake_gateway import FakeGateway, demo_responder

KEY = "sk-bytez-e2e-secret-key-9f3a"


def test_ask_json_streams_the_contract_events_and_leaves_versions(gateway: FakeGateway, isolated_dirs: Path) -> None:
    gateway.set_responder(demo_responder)
    env = {"OHM_GATEWAY_URL": gateway.url, "BYTEZ_API_KEY_1": KEY}
    first = run_ohm("ask", "--json", "I need a parts list for a line-following robot", env=env)
    assert first.returncode == 0, first.stderr
    events = [json.loads(line) for line in first.stdout.splitlines()]
    kinds = [e["type"] for e in events]
    assert kinds[0] == "agent_selected" and kinds[-2:] == ["metadata", "done"]
    assert "text" in kinds and kinds.index("tool_call") < kinds.index("tool_result")
    assert all(next(iter(e)) == "type" for e in events)
    assert events[0]["intent"] == "BOM" and events[0]["by"] == "router"
    result = next(e for e in events if e["type"] == "tool_result")
    assert result["ok"] is True and result["version"] == 1

    second = run_ohm("ask", "--json", "add a buzzer to the parts list", env=env)
    assert second.returncode == 0, second.stderr
    store = LocalStore.open(isolated_dirs / "data" / "ohm.sqlite3")
    chat = store.list_chats()[0]
    assert [v.version_number for v in store.list_versions(chat.id, "bom")] == [1, 2]
    for output in (first.stdout, first.stderr, second.stdout, second.stderr):
        assert KEY not in output


def test_ask_plain_streams_text_and_notices_go_to_stderr(gateway: FakeGateway) -> None:
    gateway.set_responder(demo_responder)
    done = run_ohm("ask", "parts list for a robot", env={"OHM_GATEWAY_URL": gateway.url, "BYTEZ_API_KEY_1": KEY})
    assert done.returncode == 0, done.stderr
    assert "{" not in done.stdout.splitlines()[0]
    assert "Parts Planner" in done.stderr and "saved version 1" in done.stderr


def test_ask_without_keys_exits_3_with_one_sentence(gateway: FakeGateway) -> None:
    done = run_ohm("ask", "hello", env={"OHM_GATEWAY_URL": gateway.url})
    assert done.returncode == 3
    assert "ohm keys add" in done.stderr and "Traceback" not in done.stderr


def test_ask_with_gateway_down_exits_4(isolated_dirs: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    done = run_ohm(
        "ask",
        "--agent",
        "CHAT",
        "hello",
        env={"OHM_GATEWAY_URL": f"http://127.0.0.1:{closed_port}/v1", "BYTEZ_API_KEY_1": KEY},
    )
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr and KEY not in done.stderr


def test_ask_with_unknown_agent_or_chat_exits_2(gateway: FakeGateway) -> None:
    env = {"OHM_GATEWAY_URL": gateway.url, "BYTEZ_API_KEY_1": KEY}
    assert run_ohm("ask", "--agent", "NOPE", "hi", env=env).returncode == 2
    assert run_ohm("ask", "--chat", "ffffffff", "hi", env=env).returncode == 2
    assert run_ohm("ask", "   ", env=env).returncode == 2
