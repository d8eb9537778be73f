"""Two real `ohm sync` processes, two data folders, the session in the real keyring."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ohm_desktop.store import LocalStore
from tests.integration.sync.conftest import PASSWORD, new_email
from tests.support.secret_service import require_secret_service
from tests.support.supabase_standin import StandinProcess

pytestmark = [pytest.mark.postgres, pytest.mark.keyring, pytest.mark.timeout(120)]


def _env(root: Path, standin: StandinProcess) -> dict[str, str]:
    return dict(
        os.environ,
        OHM_DATA_DIR=str(root / "data"),
        OHM_CONFIG_DIR=str(root / "config"),
        OHM_SUPABASE_URL=standin.url,
        OHM_SUPABASE_ANON_KEY=standin.anon_key,
    )


def _ohm(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ohm_desktop.cli", *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


def _wait_for(check, timeout_s: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_two_ohm_sync_run_processes_share_a_chat_live(tmp_path: Path, standin: StandinProcess) -> None:
    require_secret_service()
    email = new_email()
    env_a, env_b = _env(tmp_path / "a", standin), _env(tmp_path / "b", standin)

    signup = _ohm(env_a, "sync", "login", "--email", email, "--signup", "--password-stdin", stdin=PASSWORD + "\n")
    assert signup.returncode == 0, signup.stderr
    assert "Signed in" in signup.stdout
    login = _ohm(env_b, "sync", "login", "--email", email, "--password-stdin", stdin=PASSWORD + "\n")
    assert login.returncode == 0, login.stderr
    status = _ohm(env_a, "sync", "status", "--json")
    assert json.loads(status.stdout)["signed_in_as"] == email
    for output in (signup.stdout + signup.stderr, login.stdout + login.stderr, status.stdout):
        assert PASSWORD not in output and "eyJ" not in output

    store_a = LocalStore.open(tmp_path / "a" / "data" / "ohm.sqlite3")
    chat = store_a.create_chat("From process A's data folder")
    store_a.add_message(chat.id, "user", "hello from A")
    processes = [
        subprocess.Popen([sys.executable, "-m", "ohm_desktop.cli", "sync", "run"], env=env, stderr=subprocess.PIPE, text=True)
        for env in (env_a, env_b)
    ]
    try:
        store_b = LocalStore.open(tmp_path / "b" / "data" / "ohm.sqlite3")
        _wait_for(lambda: len(store_b.list_messages(chat.id)) == 1 if store_b.list_chats() else False, 30, "A's chat on B")
        # Written while both run: the running A process finds it in the outbox and pushes it.
        store_a.write_version(chat.id, "bom", {"projectName": "live", "parts": []}, change_summary="v1", created_by="A")
        _wait_for(lambda: store_b.get_version(chat.id, "bom") is not None, 30, "A's version on B")
        store_b.add_message(chat.id, "user", "and back from B")
        _wait_for(lambda: len(store_a.list_messages(chat.id)) == 2, 30, "B's reply on A")
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        outputs = [process.communicate(timeout=20)[1] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert all("live" in output for output in outputs), outputs
    store_a.add_message(chat.id, "user", "sent by a one-off run")
    once = _ohm(env_a, "sync", "run", "--once")
    assert once.returncode == 0, once.stderr
    assert once.stdout.startswith("Sent 1 change(s), received")
    # The session lives in the keyring only: no token in any file Ohm wrote.
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"refresh_token" not in path.read_bytes(), path
    store_a.close()
    store_b.close()


def test_verbose_sync_logs_carry_no_token_or_password(tmp_path: Path, standin: StandinProcess) -> None:
    """Even `ohm -v` (every library's debug log, Realtime's join messages included) leaks no secret."""
    import asyncio

    from ohm_desktop.sync.service import SESSION_KEY
    from ohm_desktop.sync.session_storage import KeyringSessionStorage

    require_secret_service()
    email = new_email()
    env = _env(tmp_path / "v", standin)
    signup = _ohm(env, "-v", "sync", "login", "--email", email, "--signup", "--password-stdin", stdin=PASSWORD + "\n")
    assert signup.returncode == 0, signup.stderr
    store = LocalStore.open(tmp_path / "v" / "data" / "ohm.sqlite3")
    chat = store.create_chat("verbose")
    store.add_message(chat.id, "user", "logged loudly")
    store.close()
    live = subprocess.Popen([sys.executable, "-m", "ohm_desktop.cli", "-v", "sync", "run"], env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert live.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until it is live (however loaded the machine is)
        line = live.stderr.readline()
        seen.append(line)
        if not line or "sync: live" in line:
            break
    live.send_signal(signal.SIGTERM)
    _, rest = live.communicate(timeout=20)
    live_err = "".join(seen) + rest
    once = _ohm(env, "-v", "sync", "run", "--once")
    session = asyncio.run(KeyringSessionStorage(standin.url, tmp_path / "v" / "data").get_item(SESSION_KEY))
    assert session, "the session is in the keyring"
    tokens = json.loads(session)
    secrets = [PASSWORD, tokens["access_token"], tokens["refresh_token"]]
    logs = signup.stdout + signup.stderr + live_err + once.stdout + once.stderr
    assert "DEBUG" in logs and "sync: live" in live_err  # it really was verbose, and it really synced
    for secret in secrets:
        assert secret not in logs


def test_sharing_from_the_command_line_people_unshare_and_leave(tmp_path: Path, standin: StandinProcess) -> None:
    require_secret_service()
    owner, mate = new_email("owner"), new_email("mate")
    env_a, env_b = _env(tmp_path / "a", standin), _env(tmp_path / "b", standin)
    for env, email in ((env_a, owner), (env_b, mate)):
        done = _ohm(env, "sync", "login", "--email", email, "--signup", "--password-stdin", stdin=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
    store_a = LocalStore.open(tmp_path / "a" / "data" / "ohm.sqlite3")
    chat = store_a.create_chat("Bench power supply")
    store_a.close()

    shared = _ohm(env_a, "sync", "share", chat.id[:12], "--email", mate)
    assert shared.returncode == 0, shared.stderr
    assert _ohm(env_b, "sync", "run", "--once").returncode == 0
    people = _ohm(env_b, "sync", "people", chat.id, "--json")
    assert people.returncode == 0, people.stderr
    assert [(p["email"], p["role"], p["you"]) for p in json.loads(people.stdout)] == [
        (owner, "owner", False),
        (mate, "member", True),
    ]
    cannot = _ohm(env_b, "sync", "unshare", chat.id, "--email", owner)
    assert cannot.returncode == 2 and "Only the owner" in cannot.stderr
    nobody = _ohm(env_a, "sync", "unshare", chat.id, "--email", "nobody@example.test")
    assert nobody.returncode != 0 and "has no access" in nobody.stderr

    removed = _ohm(env_a, "sync", "unshare", chat.id, "--email", mate)
    assert removed.returncode == 0, removed.stderr
    assert [p["email"] for p in json.loads(_ohm(env_a, "sync", "people", chat.id, "--json").stdout)] == [owner]
    assert _ohm(env_a, "sync", "share", chat.id, "--email", mate).returncode == 0
    left = _ohm(env_b, "sync", "leave", chat.id)
    assert left.returncode == 0, left.stderr
    assert "no longer syncs" in left.stdout
    store_b = LocalStore.open(tmp_path / "b" / "data" / "ohm.sqlite3")
    assert chat.id in store_b.detached_chats()
    store_b.close()
    status = _ohm(env_b, "sync", "status", "--json")
    assert json.loads(status.stdout)["kept_here_only"] == ["Bench power supply"]
    assert "Kept on this workstation only (no longer shared with you): Bench power supply" in _ohm(
        env_b, "sync", "status"
    ).stdout
