"""PostgREST's statement timeout and clocks that disagree: sync slows down, never stops."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ohm_desktop.core.redaction import SecretRedactor
from ohm_desktop.store import LocalStore
from ohm_desktop.sync import SyncService
from ohm_desktop.sync.session_storage import MemorySessionStorage
from tests.integration.sync.conftest import PASSWORD, eventually, new_email
from tests.support.supabase_standin import PostgresCluster, StandinProcess, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]


@pytest.fixture
def slow_inserts(pg_cluster: PostgresCluster) -> Iterator[tuple[StandinProcess, str]]:
    """A project of its own whose REST statements time out after 300 ms, where inserting a
    message whose content starts with "slow" takes 50 ms (a heavy trigger, a cold disk)."""
    name = f"slow_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_cluster.dsn, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')  # type: ignore[arg-type]
    dsn = pg_cluster.dsn.replace("dbname=postgres", f"dbname={name}")
    process = StandinProcess(dsn, port=free_port(), options=("--statement-timeout-ms", "300")).start()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "create function public.test_slow_insert() returns trigger language plpgsql as $$"
            " begin if new.content like 'slow%' then perform pg_sleep(0.05); end if; return new; end $$;"
            " create trigger test_slow before insert on public.messages for each row execute function public.test_slow_insert()"
        )
    try:
        yield process, dsn
    finally:
        process.stop()
        with psycopg.connect(pg_cluster.dsn, autocommit=True) as conn:
            conn.execute(f'drop database "{name}" with (force)')  # type: ignore[arg-type]


async def test_a_batch_the_server_times_out_on_is_split_until_it_passes(tmp_path: Path, slow_inserts: Any) -> None:
    standin, dsn = slow_inserts
    store = LocalStore.open(tmp_path / "a" / "ohm.sqlite3")
    sync = SyncService(store, supabase=(standin.url, standin.anon_key), redactor=SecretRedactor(),
                       session_storage=MemorySessionStorage(), push_batch=40)
    try:
        await sync.login(new_email(), PASSWORD, signup=True)
        chat = store.create_chat("Slow")
        with store.transaction():
            for n in range(40):  # 40 x 50 ms = 2 s in one statement: over the 300 ms timeout
                store.add_message(chat.id, "user", f"slow {n}")
        report = await sync.run_once()
        assert (report.pushed, report.failed) == (41, 0)
        with psycopg.connect(dsn) as conn:
            row = conn.execute("select count(*) from public.messages where chat_id = %s", (chat.id,)).fetchone()
        assert row == (40,)
    finally:
        store.close()


class _SkewedClock:
    """``time`` as seen by supabase_auth on a workstation whose clock is ``offset_s`` off."""

    def __init__(self, offset_s: float) -> None:
        self.offset_s = offset_s

    def time(self) -> float:
        return time.time() + self.offset_s

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@pytest.mark.parametrize("offset_s", [-3600.0, 3600.0], ids=["clock-an-hour-behind", "clock-an-hour-ahead"])
async def test_a_workstation_clock_hours_off_still_syncs_live(
    tmp_path: Path, short_token_standin: StandinProcess, monkeypatch: pytest.MonkeyPatch, offset_s: float
) -> None:
    import supabase_auth._async.gotrue_client as gotrue_client

    storage = MemorySessionStorage()
    supabase = (short_token_standin.url, short_token_standin.anon_key)
    store = LocalStore.open(tmp_path / "a" / "ohm.sqlite3")
    task: asyncio.Task[None] | None = None
    try:
        await SyncService(store, supabase=supabase, redactor=SecretRedactor(), session_storage=storage).login(
            new_email(), PASSWORD, signup=True
        )
        await asyncio.sleep(6.5)  # the stored access token (6 s) has expired at the server
        monkeypatch.setattr(gotrue_client, "time", _SkewedClock(offset_s))
        sync = SyncService(store, supabase=supabase, redactor=SecretRedactor(), session_storage=storage)
        states: list[str] = []
        sync.subscribe(lambda status: states.append(status.state))
        task = asyncio.create_task(sync.run_forever())
        await sync.wait_until(lambda s: s.state == "live", 20)
        chat = store.create_chat("Skewed")
        for n in range(8):  # more than one token lifetime while live
            store.add_message(chat.id, "user", f"tick {n}")
            await asyncio.sleep(1)
        await eventually(lambda: sync.status().queued == 0, 15, "everything pushed")
        assert "offline" not in states, sync.status().last_error
        assert sync.status().state == "live" and sync.status().last_error is None
        assert 1 <= sync.token_refreshes <= 4  # on first use, then once per lifetime: no refresh loop
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        store.close()
