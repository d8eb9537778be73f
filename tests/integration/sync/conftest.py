"""Sync scenarios against the Supabase stand-in over a real PostgreSQL 15.

One throwaway cluster and one stand-in server per test session (``pg_cluster`` and ``standin``
come from tests/support/supabase_fixtures.py); every test signs up its own
accounts, so RLS keeps tests from seeing each other's rows. A "workstation" is a data folder
with its own LocalStore and SyncService (memory session storage; the keyring path is tested
where it matters).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ohm_desktop.redaction import SecretRedactor
from ohm_desktop.store import LocalStore
from ohm_desktop.sync import SyncService
from ohm_desktop.sync.session_storage import MemorySessionStorage
from tests.support.supabase_standin import StandinProcess

PASSWORD = "correct horse battery"

pytestmark = pytest.mark.postgres


def new_email(tag: str = "user") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.test"


@dataclass
class Workstation:
    """One data folder: a store, its sync service and (when started) the sync task."""

    name: str
    store: LocalStore
    sync: SyncService
    task: asyncio.Task[None] | None = None
    redactor: SecretRedactor = field(default_factory=SecretRedactor)

    def start(self) -> None:
        self.task = asyncio.create_task(self.sync.run_forever(), name=f"sync-{self.name}")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    async def live(self, timeout_s: float = 15.0) -> None:
        await self.sync.wait_until(lambda s: s.state == "live", timeout_s)

    async def drained(self, timeout_s: float = 15.0) -> None:
        await self.sync.wait_until(lambda s: s.queued == 0, timeout_s)


async def eventually(check: Callable[[], bool], timeout_s: float = 15.0, what: str = "condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@pytest.fixture
async def workstations(tmp_path: Path, standin: StandinProcess) -> AsyncIterator[Callable[..., object]]:
    """``await make(name, email, signup=False)`` -> a signed-in Workstation (stopped and closed after)."""
    made: list[Workstation] = []

    async def make(name: str, email: str, *, signup: bool = False, url: str | None = None) -> Workstation:
        store = LocalStore.open(tmp_path / name / "ohm.sqlite3")
        redactor = SecretRedactor()
        sync = SyncService(
            store,
            supabase=(url or standin.url, standin.anon_key),
            redactor=redactor,
            session_storage=MemorySessionStorage(),
        )
        await sync.login(email, PASSWORD, signup=signup)
        station = Workstation(name, store, sync, redactor=redactor)
        made.append(station)
        return station

    yield make
    for station in made:
        await station.stop()
        station.store.close()


async def live_pair(workstations: Callable[..., Any]) -> tuple[Workstation, Workstation]:
    """Two workstations of one new account, both syncing live."""
    email = new_email()
    a: Workstation = await workstations("a", email, signup=True)
    b: Workstation = await workstations("b", email)
    a.start()
    b.start()
    await a.live()
    await b.live()
    return a, b


def versions_of(store: LocalStore, chat_id: str, kind: str = "bom") -> list[tuple[int, str, str]]:
    return [(v.version_number, v.id, v.change_summary) for v in store.list_versions(chat_id, kind)]  # type: ignore[arg-type]


def messages_of(store: LocalStore, chat_id: str) -> list[tuple[int, str, str]]:
    return [(m.seq, m.id, m.content) for m in store.list_messages(chat_id)]


async def share_and_accept(owner: Workstation, mate: Workstation, chat_id: str, mate_email: str) -> None:
    """The owner invites ``mate_email`` to the chat and the mate says yes (nobody is added otherwise)."""
    await owner.sync.share_chat(chat_id, mate_email)
    [invitation] = [i for i in await mate.sync.invitations() if i.chat_id == chat_id]
    await mate.sync.accept_invitation(invitation.id)
