"""The CLI's first-hour defects (issue #17), each through the real `ohm` process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ohm_desktop.store import LocalStore
from tests.e2e.conftest import ROOT, run_ohm
from tests.support.fake_gateway import FakeGateway, Reply

KEY = "sk-bytez-cli-first-hour-0000dddd"


def test_ask_json_into_head_ends_quietly_and_the_answer_is_complete(gateway: FakeGateway, isolated_dirs: Path) -> None:
    gateway.set_responder(lambda r: Reply(text="CHAT") if not r.stream else Reply(text="word " * 20000, chunk_chars=4))
    env = dict(os.environ, OHM_GATEWAY_URL=gateway.url, BYTEZ_API_KEY_1=KEY, PYTHONPATH=str(ROOT))
    ohm = subprocess.Popen(
        [sys.executable, "-m", "ohm_desktop.cli", "ask", "--json", "tell me about resistors"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    head = subprocess.run(["head", "-2"], stdin=ohm.stdout, capture_output=True, timeout=60)
    assert ohm.stdout is not None
    ohm.stdout.close()  # only head reads it: when head exits, the pipe is broken
    _out, err = ohm.communicate(timeout=60)
    assert len(head.stdout.splitlines()) == 2
    assert b"Traceback" not in err and b"BrokenPipe" not in err, err.decode()[-2000:]
    assert ohm.returncode == 0
    store = LocalStore.open(isolated_dirs / "data" / "ohm.sqlite3")
    [chat] = store.list_chats()
    answer = store.list_messages(chat.id)[-1]
    assert answer.status == "complete" and answer.content.count("word") == 20000  # not "interrupted"


def test_chats_list_ids_are_unique_and_accepted_back(isolated_dirs: Path) -> None:
    store = LocalStore.open(isolated_dirs / "data" / "ohm.sqlite3")
    for title in ("robot", "weather station", "level shifter"):
        store.create_chat(title)  # within the same minute: UUIDv7 prefixes are the same
    store.close()
    listed = run_ohm("chats", "list")
    assert listed.returncode == 0, listed.stderr
    ids = [line.split()[0] for line in listed.stdout.splitlines() if line.strip()]
    assert len(ids) == 3 and len(set(ids)) == 3
    for chat_id in ids:
        shown = run_ohm("artifacts", "list", chat_id)
        assert shown.returncode == 0, shown.stderr


def test_keys_add_with_a_keyring_that_keeps_nothing_is_one_sentence() -> None:
    done = run_ohm("keys", "add", "--stdin", input_text="sk-bytez-null-backend-key-0000eeee\n",
                   env={"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"})
    assert done.returncode == 3
    assert "No OS keyring is available" in done.stderr and "StopIteration" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
