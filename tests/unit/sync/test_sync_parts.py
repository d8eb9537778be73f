"""The small parts of sync: wire format, status text, backoff, guarded callbacks, the CLI off path."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ohm_desktop.cli import main
from ohm_desktop.redaction import SecretRedactor
from ohm_desktop.store import LocalStore
from ohm_desktop.sync import SyncService, SyncStatus
from ohm_desktop.sync.backoff import Backoff
from ohm_desktop.sync.wire import local_timestamp, to_local


def test_server_rows_come_back_in_the_local_shape_and_timestamp_format() -> None:
    record = {
        "id": "c1", "owner": "u", "title": "t", "created_at": "2026-01-02T03:04:05.123456+00:00",
        "updated_at": "2026-01-02T05:04:05+02:00", "deleted_at": None, "server_seq": 7,
    }
    assert to_local("chats", record) == {
        "id": "c1", "title": "t", "created_at": "2026-01-02T03:04:05.123456Z",
        "updated_at": "2026-01-02T03:04:05.000000Z", "deleted_at": None,
    }
    assert local_timestamp("2026-01-02T03:04:05.1Z") == "2026-01-02T03:04:05.100000Z"


def test_status_label_names_state_and_queue() -> None:
    assert SyncStatus("live").label == "live"
    assert SyncStatus("offline", queued=12, failed=1).label == "offline (12 queued, 1 failed)"


def test_backoff_grows_to_its_cap_and_resets() -> None:
    backoff = Backoff(0.5, 4.0, jitter=0.0)
    assert [backoff.next() for _ in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    backoff.reset()
    assert backoff.next() == 0.5


def test_a_failing_realtime_callback_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    sync = SyncService(LocalStore.open_in_memory(), supabase=None, redactor=SecretRedactor())

    def explode(payload: object) -> None:
        raise ValueError("bad payload")

    with caplog.at_level(logging.ERROR):
        assert sync._guarded(explode)({"data": {}}) is None
    assert "explode failed" in caplog.text


def test_without_supabase_sync_is_off_and_says_how_to_turn_it_on(capsys: pytest.CaptureFixture[str]) -> None:
    sync = SyncService(LocalStore.open_in_memory(), supabase=None, redactor=SecretRedactor())
    assert sync.status().state == "off"
    assert main(["sync", "status"]) == 0
    assert "OHM_SUPABASE_URL" in capsys.readouterr().out
    assert main(["sync", "run", "--once"]) == 2  # the user has to act: exit 2, not a network failure
    assert "OHM_SUPABASE_URL" in capsys.readouterr().err


def test_login_without_a_terminal_asks_for_password_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("OHM_SUPABASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("OHM_SUPABASE_ANON_KEY", "anon")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["sync", "login", "--email", "me@example.test"]) == 2
    assert "--password-stdin" in capsys.readouterr().err


async def test_leaving_says_you_left_even_when_the_servers_delete_arrives_first(monkeypatch: pytest.MonkeyPatch) -> None:
    from ohm_desktop.sync.chat_people import LEFT_REASON

    store = LocalStore.open_in_memory()
    chat = store.create_chat("Owner's motor driver")
    sync = SyncService(store, supabase=None, redactor=SecretRedactor())
    monkeypatch.setattr(sync, "_url", "http://supabase.test", raising=False)
    monkeypatch.setattr(sync, "_user_id", "mate", raising=False)

    async def remove_member_and_see_the_delete_first(*_args: object, **_kwargs: object) -> None:
        sync._detach(chat.id)  # the Realtime DELETE of our membership, handled before the RPC's reply

    monkeypatch.setattr(sync, "_call", remove_member_and_see_the_delete_first)
    await sync.leave_chat(chat.id)
    assert store.detached_chats() == {chat.id: LEFT_REASON}
    assert sync.status().last_error is None  # leaving is no error to show
