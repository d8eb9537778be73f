"""SIGKILL `ohm ask` at random points of a streamed turn: the store stays whole and the reply is marked interrupted."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ohm_desktop.artifacts import validate_content
from ohm_desktop.store import LocalStore
from tests.support.fake_gateway import DEMO_BOM, FakeGateway, Reply, SeenRequest, ToolCallSpec

ROOT = Path(__file__).resolve().parents[3]
KEY = "sk-bytez-crash-test-key-0000"
LONG_TEXT = "".join(f"Step {i}: solder the header pins and check continuity. " for i in range(500))
KILLS = int(os.environ.get("OHM_CRASH_ASK_KILLS", "10"))


def _slow_bom_turn(request: SeenRequest) -> Reply:
    """A long streamed answer (tiny chunks) that ends with a BOM write, then a closing line."""
    if not request.stream:
        return Reply(text="BOM")
    if any(message.get("role") == "tool" for message in request.messages):
        return Reply(text="Saved.")
    return Reply(
        text=LONG_TEXT,
        chunk_chars=6,
        tool_calls=[ToolCallSpec("write", {"artifact_type": "bom", "content": DEMO_BOM, "change_summary": "parts"})],
    )


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway(_slow_bom_turn).start()
    try:
        yield fake
    finally:
        fake.stop()


def _wait_for_partial_text(database: Path, ask: subprocess.Popen[str], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and ask.poll() is None:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as db:
            row = db.execute("SELECT MAX(LENGTH(content)) FROM messages WHERE status = 'streaming'").fetchone()
        if row and row[0]:
            return
        time.sleep(0.01)
    raise AssertionError("the streaming reply was never saved part-way")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_kill_ohm_ask_mid_stream_leaves_a_consistent_store(gateway: FakeGateway, isolated_dirs: Path) -> None:
    database = isolated_dirs / "data" / "ohm.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OHM_GATEWAY_URL": gateway.url, "BYTEZ_API_KEY_1": KEY}
    rng = random.Random(7)
    outcomes: list[str] = []
    for kill in range(KILLS):
        ask = subprocess.Popen(
            [sys.executable, "-m", "ohm_desktop.cli", "ask", "--json", "parts for a robot"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=isolated_dirs,
        )
        # Wait for the first streamed text, then kill somewhere in the rest of the turn.
        assert ask.stdout is not None
        first = ask.stdout.readline()
        assert '"type": "agent_selected"' in first or first.startswith('{"type"'), first + ask.stderr.read()
        # Keep reading its events: with the pipe full, `ohm ask` would block mid-turn and never save.
        drain = threading.Thread(target=ask.stdout.read, daemon=True)
        drain.start()
        if kill % 2:
            time.sleep(rng.uniform(0.0, 1.5))  # anywhere, the turn's first moments included
        else:
            # After text was saved: on a busy machine random delays alone can all land too early.
            _wait_for_partial_text(database, ask)
            time.sleep(rng.uniform(0.0, 0.3))
        ask.send_signal(signal.SIGKILL)
        ask.wait(timeout=30)
        drain.join(timeout=30)
        ask.stderr.close()
        store = LocalStore.open(database)
        try:
            assert store.integrity_check() == "ok"
            store.recover_interrupted()
            [chat] = store.list_chats()
            last = store.list_messages(chat.id, limit=1)[0]
            assert last.role == "assistant" and last.status in ("complete", "interrupted")
            assert store._db.execute("SELECT COUNT(*) FROM messages WHERE status = 'streaming'").fetchone()[0] == 0
            if last.status == "interrupted":
                assert LONG_TEXT.startswith(last.content), "the partial reply is not what was streamed"
                outcomes.append("interrupted-with-text" if last.content else "interrupted-empty")
            else:
                outcomes.append("complete")
            versions = store.list_versions(chat.id, "bom")
            assert [v.version_number for v in versions] == list(range(1, len(versions) + 1))
            assert all(validate_content("bom", v.content).ok for v in versions)
            shipped = store._db.execute("SELECT row_id FROM outbox WHERE table_name = 'artifact_versions'").fetchall()
            assert sorted(row[0] for row in shipped) == sorted(v.id for v in versions)
            outbox_messages = store._db.execute(
                "SELECT payload_json FROM outbox WHERE table_name = 'messages'"
            ).fetchall()
            assert all(json.loads(row[0])["status"] != "streaming" for row in outbox_messages)
        finally:
            store.close()
    assert "interrupted-with-text" in outcomes, f"no kill landed mid-stream after a partial save: {outcomes}"
