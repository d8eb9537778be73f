"""Volume (10,000 queued rows), token refresh before expiry, and the error sentences."""

from __future__ import annotations

import time
from typing import Any

import pytest

from ohm_desktop.errors import SyncError
from ohm_desktop.redaction import SecretRedactor
from ohm_desktop.store import LocalStore
from ohm_desktop.sync import SyncService
from ohm_desktop.sync.session_storage import MemorySessionStorage
from tests.integration.sync.conftest import PASSWORD, eventually, new_email
from tests.support.supabase_standin import StandinProcess, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]


async def test_ten_thousand_queued_rows_drain_and_arrive(workstations: Any, own_project: Any) -> None:
    project = own_project()  # its own database: the next tests' live events do not queue behind these
    email = new_email()
    a = await workstations("a", email, signup=True, url=project.url)
    b = await workstations("b", email, url=project.url)
    chat = a.store.create_chat("Long log")
    with a.store.transaction():  # queued while offline, as after a long day without network
        for n in range(10_000):
            a.store.add_message(chat.id, "user", f"measurement {n}: 3.3 V")
    assert a.sync.status().queued == 10_001
    b.start()
    await b.live()
    started = time.monotonic()
    a.start()
    await a.drained(60)
    drained_s = time.monotonic() - started
    await eventually(lambda: b.store.count_messages(chat.id) == 10_000, 60, "10,000 messages on B")
    assert [m.seq for m in b.store.list_messages(chat.id, limit=3)] == [9998, 9999, 10000]
    assert drained_s < 60


async def test_access_token_is_refreshed_before_it_expires(tmp_path: Any, short_token_standin: StandinProcess) -> None:
    store = LocalStore.open(tmp_path / "a" / "ohm.sqlite3")
    redactor = SecretRedactor()
    sync = SyncService(
        store,
        supabase=(short_token_standin.url, short_token_standin.anon_key),
        redactor=redactor,
        session_storage=MemorySessionStorage(),
    )
    try:
        await sync.login(new_email(), PASSWORD, signup=True)
        import asyncio

        task = asyncio.create_task(sync.run_forever())
        await sync.wait_until(lambda s: s.state == "live", 15)
        chat = store.create_chat("tokens")
        for n in range(9):  # spans more than one token lifetime
            store.add_message(chat.id, "user", f"tick {n}")
            await asyncio.sleep(1)
        await sync.wait_until(lambda s: s.queued == 0, 15)
        assert sync.token_refreshes >= 1
        assert sync.status().state == "live"
        assert sync.status().last_error is None
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        store.close()


async def test_wrong_password_is_one_clear_sentence(workstations: Any, standin: StandinProcess, tmp_path: Any) -> None:
    email = new_email()
    await workstations("a", email, signup=True)
    store = LocalStore.open(tmp_path / "x" / "ohm.sqlite3")
    sync = SyncService(store, supabase=(standin.url, standin.anon_key), redactor=SecretRedactor(),
                       session_storage=MemorySessionStorage())
    with pytest.raises(SyncError) as wrong:
        await sync.login(email, "not the password")
    assert "rejected that email and password" in wrong.value.message
    assert "not the password" not in wrong.value.message
    with pytest.raises(SyncError) as taken:
        await sync.login(email, PASSWORD, signup=True)
    assert "already exists" in taken.value.message
    store.close()


async def test_unreachable_server_and_missing_login_are_clear_sentences(tmp_path: Any) -> None:
    store = LocalStore.open(tmp_path / "x" / "ohm.sqlite3")
    dead = f"http://127.0.0.1:{free_port()}"
    sync = SyncService(store, supabase=(dead, "anon-key"), redactor=SecretRedactor(),
                       session_storage=MemorySessionStorage())
    with pytest.raises(SyncError) as down:
        await sync.login("someone@example.test", PASSWORD)
    assert "Cannot reach Supabase" in down.value.message
    with pytest.raises(SyncError) as signed_out:
        await sync.run_once()
    assert "not signed in" in signed_out.value.message
    off = SyncService(store, supabase=None, redactor=SecretRedactor())
    assert off.status().state == "off"
    with pytest.raises(SyncError) as unconfigured:
        await off.run_once()
    assert "OHM_SUPABASE_URL" in unconfigured.value.message
    store.close()


async def test_exit_codes_tell_a_network_outage_from_what_the_user_must_fix(
    workstations: Any, standin: StandinProcess
) -> None:
    from ohm_desktop.errors import SyncSetupError
    from tests.support.supabase_standin.proxy import CuttableProxy

    proxy = await CuttableProxy("127.0.0.1", standin.port).start()
    try:
        a = await workstations("a", new_email(), signup=True, url=proxy.url)
        a.store.create_chat("queued while the network is down")
        proxy.cut()
        with pytest.raises(SyncError) as outage:
            await a.sync.run_once()
        assert not isinstance(outage.value, SyncSetupError) and outage.value.exit_code == 4
        assert "cannot be reached" in outage.value.message and "1 change(s) stay queued" in outage.value.message
        proxy.restore()
        assert (await a.sync.run_once()).pushed == 1
        await a.sync.logout()
        with pytest.raises(SyncSetupError) as signed_out:
            await a.sync.run_once()
        assert signed_out.value.exit_code == 2 and "not signed in" in signed_out.value.message
    finally:
        await proxy.close()
