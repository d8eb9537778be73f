"""What hosted Realtime does over time, and sync losing nothing to it.

The stand-in runs Realtime's own SQL on a wal2json slot: a record over 1 MiB arrives truncated
with ``errors: ["Error 413: Payload Too Large"]``; over ``max_events_per_second`` whole polls
are dropped; an ``access_token`` push re-subscribes with a new "Subscribed to PostgreSQL".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from ohm_desktop.sync.status import SyncStatus
from tests.integration.sync.conftest import eventually, new_email
from tests.support.supabase_standin import StandinProcess

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]


@pytest.fixture
def rate_limited_standin(own_project: Callable[..., StandinProcess]) -> StandinProcess:
    """A project whose Realtime drops changes over 5 events/s, averaged on 0.5 s ticks (Realtime:
    100/s on 5 s ticks; the same 12-tick window, just sooner). So low that the burst goes over it
    however slowly a loaded machine delivers."""
    return own_project("--max-events-per-second", "5", "--rate-tick", "0.5")


def _fast_catch_up(*stations: Any) -> None:
    """Catch up soon after live rows (as the app does, only sooner), never merely periodically:
    what arrives must come through the check that live bursts trigger."""
    for station in stations:
        station.sync.CATCH_UP_AFTER_LIVE_S = 0.5
        station.sync.CATCH_UP_LIVE_MAX_S = 3.0
        station.sync.CATCH_UP_EVERY_S = 3600.0


async def test_a_1_2_mb_message_and_a_2_mb_version_arrive_intact(workstations: Any) -> None:
    email = new_email()
    a = await workstations("a", email, signup=True)
    b = await workstations("b", email)
    a.start()
    b.start()
    await a.live()
    await b.live()
    chat = a.store.create_chat("Logic analyser capture")
    capture = "".join(f"{n:08x} SDA=1 SCL=0\n" for n in range(1_200_000 // 22))
    assert len(capture.encode()) > 1_100_000
    message = a.store.add_message(chat.id, "user", capture)
    parts = [{"designator": f"R{n}", "name": "Resistor " + "x" * 180, "quantity": 1} for n in range(10_000)]
    version = a.store.write_version(
        chat.id, "bom", {"projectName": "Huge", "parts": parts}, change_summary="all of them", created_by="test"
    )
    fetched_before = b.sync.rows_fetched
    await eventually(lambda: b.store.count_messages(chat.id) == 1, 60, "the 1.2 MB message on B")
    await eventually(lambda: len(b.store.list_versions(chat.id, "bom")) == 1, 60, "the 2 MB version on B")
    assert b.store.get_message(message.id).content == capture
    got = b.store.get_version(chat.id, "bom")
    assert got is not None and got.content == version.content
    # Realtime sent both without their content (413): B read them by primary key.
    assert b.sync.rows_fetched - fetched_before >= 2
    assert b.sync.status().quarantined == 0
    assert b.sync.status().state == "live"


async def test_a_burst_over_the_event_rate_arrives_complete(
    workstations: Any, rate_limited_standin: StandinProcess
) -> None:
    email = new_email()
    a = await workstations("a", email, signup=True, url=rate_limited_standin.url)
    b = await workstations("b", email, url=rate_limited_standin.url)
    _fast_catch_up(a, b)
    a.start()
    b.start()
    await a.live()
    await b.live()
    chat = a.store.create_chat("Burst")
    with a.store.transaction():
        for n in range(5_000):
            a.store.add_message(chat.id, "user", f"sample {n}")
    await a.drained(120)
    await eventually(lambda: b.store.count_messages(chat.id) == 5_000, 120, "5,000 messages on B")
    assert rate_limited_standin.realtime_stats()["dropped"] > 0  # the limit really dropped changes
    assert [m.content for m in b.store.list_messages(chat.id)][-1] == "sample 4999"


async def test_twenty_thousand_rows_written_while_b_is_away_all_arrive(
    workstations: Any, own_project: Callable[..., StandinProcess]
) -> None:
    project = own_project()
    email = new_email()
    a = await workstations("a", email, signup=True, url=project.url)
    b = await workstations("b", email, url=project.url)
    chat = a.store.create_chat("Overnight log")
    with a.store.transaction():
        for n in range(20_000):
            a.store.add_message(chat.id, "user", f"reading {n}")
    report = await a.sync.run_once()
    assert report.pushed == 20_001
    b.start()
    await eventually(lambda: b.store.count_messages(chat.id) == 20_000, 180, "20,000 messages on B")
    await b.live(30)
    assert b.store.list_messages(chat.id, limit=1)[0].content == "reading 19999"


async def test_token_refresh_while_live_neither_flickers_nor_catches_up_everything(
    workstations: Any, short_token_standin: StandinProcess
) -> None:
    email = new_email()
    a = await workstations("a", email, signup=True, url=short_token_standin.url)
    b = await workstations("b", email, url=short_token_standin.url)
    a.start()
    b.start()
    await a.live()
    await b.live()
    states: list[str] = []
    b.sync.subscribe(lambda status: states.append(status.state))
    fetched_before = b.sync.rows_fetched
    chat = a.store.create_chat("Across refreshes")
    refreshes_before = b.sync.token_refreshes
    n = 0
    while b.sync.token_refreshes < refreshes_before + 2:  # tokens live 6 s: two refreshes
        a.store.add_message(chat.id, "user", f"tick {n}")
        n += 1
        await asyncio.sleep(0.5)
    await eventually(lambda: b.store.count_messages(chat.id) == n, 30, "every tick on B")
    assert set(states) == {"live"}, states
    # The re-subscribes were no reconnect: their checks listed positions and read over REST at
    # most a row whose live event was still on its way when it was listed, never the history.
    assert b.sync.rows_fetched - fetched_before < n
    last: SyncStatus = b.sync.status()
    assert last.last_error is None
