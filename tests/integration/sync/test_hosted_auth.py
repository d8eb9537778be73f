"""Hosted Supabase Auth defaults end to end through `ohm sync login` (real GoTrue behaviour in
the stand-in: tests/support/supabase_standin/auth.py cites internal/api/signup.go, password.go,
token.go and internal/tokens/service.go)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ohm_desktop.core.errors import SyncSetupError
from ohm_desktop.core.redaction import SecretRedactor
from ohm_desktop.store import LocalStore
from ohm_desktop.sync import SyncService
from ohm_desktop.sync.service import SESSION_KEY
from ohm_desktop.sync.session_storage import MemorySessionStorage
from tests.integration.sync.conftest import PASSWORD, new_email
from tests.support.secret_service import require_secret_service
from tests.support.supabase_standin import PostgresCluster, StandinProcess, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.keyring, pytest.mark.timeout(120)]


@pytest.fixture
def hosted(pg_cluster: PostgresCluster) -> Iterator[StandinProcess]:
    """Email confirmation on, passwords of 12+ characters with a digit, no refresh-token reuse."""
    process = StandinProcess(
        pg_cluster.dsn,
        port=free_port(),
        options=("--confirm-email", "--min-password-length", "12", "--required-characters", "0123456789",
                 "--refresh-reuse-interval", "0"),
    ).start()
    try:
        yield process
    finally:
        process.stop()


STRONG = PASSWORD + " 42"


def _ohm(root: Path, standin: StandinProcess, *args: str, password: str = STRONG, key: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        OHM_DATA_DIR=str(root / "data"),
        OHM_CONFIG_DIR=str(root / "config"),
        OHM_SUPABASE_URL=standin.url,
        OHM_SUPABASE_ANON_KEY=key or standin.anon_key,
    )
    return subprocess.run(
        [sys.executable, "-m", "ohm_desktop.cli", *args, "--password-stdin"] if args[1] == "login"
        else [sys.executable, "-m", "ohm_desktop.cli", *args],
        env=env, input=password + "\n", capture_output=True, text=True, timeout=60,
    )


def test_sign_up_waits_for_the_confirmation_link(tmp_path: Path, hosted: StandinProcess) -> None:
    require_secret_service()
    email = new_email()
    signup = _ohm(tmp_path, hosted, "sync", "login", "--email", email, "--signup")
    assert signup.returncode == 2 and "wants the email confirmed first" in signup.stderr, signup.stderr
    early = _ohm(tmp_path, hosted, "sync", "login", "--email", email)
    assert early.returncode == 2 and "email is not confirmed yet" in early.stderr, early.stderr
    hosted.confirm_email(email)
    login = _ohm(tmp_path, hosted, "sync", "login", "--email", email)
    assert login.returncode == 0 and "Signed in" in login.stdout, login.stderr
    again = _ohm(tmp_path / "other", hosted, "sync", "login", "--email", email, "--signup")
    # Existing email: GoTrue's made-up user, not an error; the sentence does not pretend it is new.
    assert again.returncode == 2 and "did not create a new account" in again.stderr, again.stderr
    for run in (signup, early, login, again):
        assert STRONG not in run.stdout + run.stderr and "Traceback" not in run.stderr


def test_a_weak_password_is_refused_with_the_reasons(tmp_path: Path, hosted: StandinProcess) -> None:
    require_secret_service()
    weak = _ohm(tmp_path, hosted, "sync", "login", "--email", new_email(), "--signup", password="shortpw")
    assert weak.returncode == 2, weak.stderr
    assert "too weak (it is too short; it lacks a required kind of character)" in weak.stderr
    assert "shortpw" not in weak.stderr


def test_a_publishable_key_works_like_the_anon_key(tmp_path: Path, hosted: StandinProcess) -> None:
    require_secret_service()
    email = new_email()
    key = hosted.publishable_key
    assert key.startswith("sb_publishable_")
    _ohm(tmp_path, hosted, "sync", "login", "--email", email, "--signup", key=key)
    hosted.confirm_email(email)
    assert _ohm(tmp_path, hosted, "sync", "login", "--email", email, key=key).returncode == 0
    store = LocalStore.open(tmp_path / "data" / "ohm.sqlite3")
    store.add_message(store.create_chat("Keys").id, "user", "hello")
    store.close()
    once = _ohm(tmp_path, hosted, "sync", "run", "--once", key=key)
    assert once.returncode == 0, once.stderr
    assert "Sent 2 change(s)" in once.stdout


async def test_a_refresh_token_used_twice_ends_the_session_with_one_sentence(tmp_path: Path, hosted: StandinProcess) -> None:
    email = new_email()
    first = MemorySessionStorage()
    supabase = (hosted.url, hosted.anon_key)
    store = LocalStore.open(tmp_path / "a" / "ohm.sqlite3")
    try:
        signup = SyncService(store, supabase=supabase, redactor=SecretRedactor(), session_storage=first)
        with pytest.raises(SyncSetupError):
            await signup.login(email, STRONG, signup=True)
        hosted.confirm_email(email)
        await signup.login(email, STRONG)
        copied = MemorySessionStorage()  # the same session on a second machine (a copied keyring)
        stored = await first.get_item(SESSION_KEY)
        assert stored is not None
        await copied.set_item(SESSION_KEY, stored)
        # A stored token of unknown age is refreshed on first use: this rotates the refresh token.
        await SyncService(store, supabase=supabase, redactor=SecretRedactor(), session_storage=first).run_once()
        reuse = SyncService(store, supabase=supabase, redactor=SecretRedactor(), session_storage=copied)
        with pytest.raises(SyncSetupError) as ended:
            await reuse.run_once()
        assert "session has ended" in ended.value.message
    finally:
        store.close()
