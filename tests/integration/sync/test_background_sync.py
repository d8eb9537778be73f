"""BackgroundSync: how the window runs sync (start when signed in, sign-out, revoked session, reconfigure)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from ohm_desktop.errors import SyncError
from ohm_desktop.redaction import SecretRedactor
from ohm_desktop.store import LocalStore
from ohm_desktop.sync import SyncService, SyncStatus
from ohm_desktop.sync.background import BackgroundSync
from ohm_desktop.sync.service import SESSION_ENDED
from ohm_desktop.sync.session_storage import MemorySessionStorage
from supabase import acreate_client
from tests.integration.sync.conftest import PASSWORD, eventually, new_email
from tests.support.supabase_standin import StandinProcess

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(90)]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    opened = LocalStore.open(tmp_path / "data" / "ohm.sqlite3")
    yield opened
    opened.close()


def _background(store: LocalStore, project: tuple[str, str] | None, storage: MemorySessionStorage) -> BackgroundSync:
    redactor = SecretRedactor()
    return BackgroundSync(
        store,
        project,
        redactor,
        data_dir=store.path.parent if store.path else Path("."),
        service_factory=lambda supabase: SyncService(store, supabase=supabase, redactor=redactor, session_storage=storage),
    )


async def test_starts_only_once_signed_in_and_sign_out_stops_it(store: LocalStore, standin: StandinProcess) -> None:
    sync = _background(store, (standin.url, standin.anon_key), MemorySessionStorage())
    seen: list[SyncStatus] = []
    sync.subscribe(seen.append)
    try:
        assert await sync.start() is False  # configured, but nobody signed in: stays off, quietly
        assert not sync.running and sync.status().state == "off"
        chat = store.create_chat("queued before sign-in")

        email = await sync.login(new_email(), PASSWORD, signup=True)
        assert sync.running
        await sync.service.wait_until(lambda s: s.state == "live" and s.queued == 0, 20)
        assert {s.state for s in seen} >= {"off", "connecting", "live"}
        assert sync.status().user_email == email

        # "Sync now" then "Sign out" at once: the stop must not be lost while the loops wake up
        # (3.11's asyncio.wait_for dropped that cancellation and sign-out hung for good).
        assert sync.sync_now() is True
        async with asyncio.timeout(15):
            await sync.logout()
        assert not sync.running and sync.status().state == "off"
        assert await sync.service.signed_in_email() is None
        store.rename_chat(chat.id, "renamed while signed out")
        assert sync.status().queued == 1  # kept for the next sign-in
        assert sync.sync_now() is False
    finally:
        await sync.aclose()


async def test_signing_out_everywhere_stops_sync_with_one_sentence_and_keeps_changes(
    store: LocalStore, short_token_standin: StandinProcess
) -> None:
    sync = _background(store, (short_token_standin.url, short_token_standin.anon_key), MemorySessionStorage())
    try:
        email = new_email()
        await sync.login(email, PASSWORD, signup=True)
        await sync.service.wait_until(lambda s: s.state == "live", 20)
        # Another device signs out globally: every refresh token of the account is revoked.
        other = await acreate_client(short_token_standin.url, short_token_standin.anon_key)
        await other.auth.sign_in_with_password({"email": email, "password": PASSWORD})
        await other.auth.sign_out()

        await eventually(lambda: not sync.running, 30, "sync to stop when its refresh is refused")
        status = sync.status()
        assert status.state == "off" and status.detail == SESSION_ENDED and status.last_error == SESSION_ENDED
        store.create_chat("written after the session ended")
        assert sync.status().queued == 1
    finally:
        await sync.aclose()


async def test_reconfigure_moves_to_another_project_and_to_none(store: LocalStore, standin: StandinProcess) -> None:
    storage = MemorySessionStorage()
    sync = _background(store, None, storage)
    try:
        assert sync.status().state == "off" and not await sync.start()
        with pytest.raises(SyncError, match="OHM_SUPABASE_URL"):
            await sync.login(new_email(), PASSWORD)

        assert await sync.reconfigure((standin.url, standin.anon_key)) is False  # configured, not signed in yet
        await sync.login(new_email(), PASSWORD, signup=True)
        await sync.service.wait_until(lambda s: s.state == "live", 20)
        first = sync.service

        # Same project again: nothing restarts.
        assert await sync.reconfigure((standin.url, standin.anon_key)) is True
        assert sync.service is first and sync.running

        assert await sync.reconfigure(None) is False
        assert not sync.running and sync.status().state == "off"
        assert "stays on this workstation" in sync.status().detail
        # The stored session is reused when the project comes back.
        assert await sync.reconfigure((standin.url, standin.anon_key)) is True
        await sync.service.wait_until(lambda s: s.state == "live", 20)
        await asyncio.sleep(0)
    finally:
        await sync.aclose()
