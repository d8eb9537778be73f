"""Two (or three) workstations against the stand-in: live, offline, conflicts, failures."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from ohm_desktop.store import StoreChange
from tests.integration.sync.conftest import eventually, live_pair, messages_of, new_email, versions_of
from tests.support.supabase_standin import StandinProcess
from tests.support.supabase_standin.proxy import CuttableProxy

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(90)]

BOM = {"projectName": "Relay board", "parts": [{"name": "Relay", "quantity": 1}]}


async def test_chat_message_and_version_written_on_a_appear_live_on_b(workstations: Any) -> None:
    email = new_email()
    a = await workstations("a", email, signup=True)
    b = await workstations("b", email)
    seen_on_b: list[StoreChange] = []
    b.store.subscribe(seen_on_b.append)
    a.start()
    b.start()
    await a.live()
    await b.live()

    chat = a.store.create_chat("Relay board")
    message = a.store.add_message(chat.id, "user", "Which relay for 230 V?")
    version = a.store.write_version(chat.id, "bom", BOM, change_summary="first BOM", created_by="BOM Specialist")

    await eventually(lambda: b.store.get_version(chat.id, "bom") is not None, what="the version on B")
    await eventually(lambda: len(b.store.list_messages(chat.id)) == 1, what="the message on B")
    assert b.store.get_chat(chat.id).title == "Relay board"
    assert b.store.get_message(message.id).content == "Which relay for 230 V?"
    got = b.store.get_version(chat.id, "bom")
    assert got is not None and (got.id, got.version_number, got.content) == (version.id, 1, BOM)
    assert {change.origin for change in seen_on_b} == {"sync"}
    # Pulled rows are never queued back.
    assert b.sync.status().queued == 0
    await a.drained()
    assert a.sync.status().state == "live"


async def test_b_catches_up_after_being_offline(workstations: Any) -> None:
    email = new_email()
    a = await workstations("a", email, signup=True)
    b = await workstations("b", email)
    a.start()
    b.start()
    await b.live()
    chat = a.store.create_chat("Before")
    await eventually(lambda: bool(b.store.list_chats()), what="the first chat on B")
    await b.stop()

    for n in range(30):
        a.store.add_message(chat.id, "user", f"while B was away {n}")
    a.store.write_version(chat.id, "code", {"files": [{"path": "sketch.ino", "content": "void setup(){}"}]},
                          change_summary="sketch", created_by="Firmware")
    later = a.store.create_chat("After")
    await a.drained()

    b.start()
    await b.live()
    assert len(b.store.list_messages(chat.id)) == 30
    assert b.store.get_version(chat.id, "code") is not None
    assert b.store.get_chat(later.id).title == "After"


async def test_changes_made_without_network_are_sent_when_it_returns(workstations: Any, standin: StandinProcess) -> None:
    proxy = await CuttableProxy("127.0.0.1", standin.port).start()
    try:
        email = new_email()
        a = await workstations("a", email, signup=True, url=proxy.url)
        b = await workstations("b", email)
        a.start()
        b.start()
        await a.live()
        await b.live()

        proxy.cut()
        chat = a.store.create_chat("Written offline")
        for n in range(5):
            a.store.add_message(chat.id, "user", f"offline note {n}")
        await a.sync.wait_until(lambda s: s.state == "offline", 15)
        assert a.sync.status().queued >= 6
        assert not b.store.list_chats()

        proxy.restore()
        await a.drained(30)
        await eventually(lambda: len(b.store.list_messages(chat.id)) == 5, 30, "offline writes on B")
        await a.live(30)
    finally:
        await proxy.close()


async def test_two_workstations_writing_the_same_version_number_keep_both_and_converge(workstations: Any) -> None:
    a, b = await live_pair(workstations)
    chat = a.store.create_chat("Conflict")
    a.store.write_version(chat.id, "bom", BOM, change_summary="v1", created_by="A")
    await eventually(lambda: len(versions_of(b.store, chat.id)) == 1, what="v1 on B")
    await a.stop()
    await b.stop()

    # Both write "version 2" while apart; then both reconnect at once.
    from_a = a.store.write_version(chat.id, "bom", {**BOM, "projectName": "A"}, change_summary="from A", created_by="A")
    from_b = b.store.write_version(chat.id, "bom", {**BOM, "projectName": "B"}, change_summary="from B", created_by="B")
    assert from_a.version_number == from_b.version_number == 2
    a.start()
    b.start()
    await a.drained()
    await b.drained()
    await eventually(
        lambda: len(versions_of(a.store, chat.id)) == 3 and versions_of(a.store, chat.id) == versions_of(b.store, chat.id),
        what="the same three versions on both",
    )
    history = versions_of(a.store, chat.id)
    assert [number for number, _, _ in history] == [1, 2, 3]
    assert {summary for _, _, summary in history} == {"v1", "from A", "from B"}
    assert a.store.get_artifact(chat.id, "bom").current_version == 3  # type: ignore[union-attr]
    assert b.store.get_artifact(chat.id, "bom").current_version == 3  # type: ignore[union-attr]


async def test_simultaneous_live_versions_and_messages_converge(workstations: Any) -> None:
    a, b = await live_pair(workstations)
    chat = a.store.create_chat("Busy chat")
    await eventually(lambda: bool(b.store.list_chats()), what="chat on B")
    for n in range(10):  # interleaved writers, no waiting: numbers collide on the server
        a.store.write_version(chat.id, "wiring", {"connections": [{"from": f"A{n}", "to": "GND"}]},
                              change_summary=f"a{n}", created_by="A")
        b.store.write_version(chat.id, "wiring", {"connections": [{"from": f"B{n}", "to": "GND"}]},
                              change_summary=f"b{n}", created_by="B")
        a.store.add_message(chat.id, "user", f"a says {n}")
        b.store.add_message(chat.id, "user", f"b says {n}")
        await asyncio.sleep(0)
    await a.drained()
    await b.drained()
    await eventually(
        lambda: len(versions_of(a.store, chat.id, "wiring")) == 20
        and versions_of(a.store, chat.id, "wiring") == versions_of(b.store, chat.id, "wiring")
        and len(messages_of(a.store, chat.id)) == 20
        and messages_of(a.store, chat.id) == messages_of(b.store, chat.id),
        30,
        "identical histories",
    )
    assert [n for n, _, _ in versions_of(a.store, chat.id, "wiring")] == list(range(1, 21))
    assert [seq for seq, _, _ in messages_of(a.store, chat.id)] == list(range(1, 21))


async def test_first_versions_of_one_artifact_from_two_workstations_merge(workstations: Any) -> None:
    email = new_email()
    a = await workstations("a", email, signup=True)
    b = await workstations("b", email)
    a.start()
    b.start()
    chat = a.store.create_chat("Two BOMs")
    await eventually(lambda: bool(b.store.list_chats()), what="chat on B")
    await a.stop()
    await b.stop()
    a.store.write_version(chat.id, "bom", BOM, change_summary="A's first", created_by="A")
    b.store.write_version(chat.id, "bom", BOM, change_summary="B's first", created_by="B")
    assert a.store.get_artifact(chat.id, "bom").id != b.store.get_artifact(chat.id, "bom").id  # type: ignore[union-attr]
    a.start()
    await a.drained()
    b.start()
    await b.drained()
    await eventually(
        lambda: len(versions_of(a.store, chat.id)) == 2 and versions_of(a.store, chat.id) == versions_of(b.store, chat.id),
        what="one artifact with both versions on both",
    )
    assert a.store.get_artifact(chat.id, "bom").id == b.store.get_artifact(chat.id, "bom").id  # type: ignore[union-attr]


async def test_realtime_socket_killed_mid_stream_loses_nothing(workstations: Any, standin: StandinProcess) -> None:
    a, b = await live_pair(workstations)
    chat = a.store.create_chat("Stream")
    for n in range(120):
        a.store.add_message(chat.id, "user", f"line {n}")
        if n in (30, 80):
            assert standin.drop_realtime_sockets() >= 1
        await asyncio.sleep(0.005)
    await a.drained(30)
    await eventually(lambda: len(b.store.list_messages(chat.id)) == 120, 30, "all 120 messages on B")
    await b.live(30)


async def test_clients_recover_when_the_server_restarts(workstations: Any, standin: StandinProcess) -> None:
    a, b = await live_pair(workstations)
    chat = a.store.create_chat("Survives restarts")
    await eventually(lambda: bool(b.store.list_chats()), what="chat on B")

    standin.restart()
    a.store.add_message(chat.id, "user", "after the restart")
    await eventually(lambda: len(b.store.list_messages(chat.id)) == 1, 45, "the message on B after restart")
    await a.live(45)
    await b.live(45)


async def test_handover_record_is_applied_once_whichever_way_it_arrives(
    workstations: Any, standin: StandinProcess
) -> None:
    a, b = await live_pair(workstations)
    chat = a.store.create_chat("Handover")
    changes_a: list[StoreChange] = []
    changes_b: list[StoreChange] = []
    a.store.subscribe(changes_a.append)
    b.store.subscribe(changes_b.append)

    reply = a.store.add_message(chat.id, "assistant", "", status="streaming")  # the "thinking…" record
    a.store.finish_message(reply.id, content="Use an SRD-05VDC relay.", status="complete")
    await a.drained()
    await eventually(lambda: any(c.row_id == reply.id for c in changes_b), what="the reply on B")
    # Force a catch-up too, so the same record reaches B a second way.
    states: list[str] = []
    b.sync.subscribe(lambda status: states.append(status.state))
    standin.drop_realtime_sockets()
    await eventually(lambda: "live" in states[states.index("connecting"):] if "connecting" in states else False,
                     30, "B reconnected and caught up")

    assert [c.origin for c in changes_b if c.row_id == reply.id] == ["sync"]
    # A's own echo (push response, Realtime, catch-up) changes nothing there.
    assert [c.origin for c in changes_a if c.row_id == reply.id] == ["local", "local"]
    assert b.store.get_message(reply.id).content == "Use an SRD-05VDC relay."


async def test_sync_restarts_realtime_after_the_library_gives_up(
    workstations: Any, standin: StandinProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ohm_desktop.sync import SyncService

    monkeypatch.setattr(SyncService, "REALTIME_OPTIONS", {"max_retries": 2, "initial_backoff": 0.1})
    a, b = await live_pair(workstations)
    chat = a.store.create_chat("Long outage")
    await eventually(lambda: bool(b.store.list_chats()), what="chat on B")

    standin.stop(kill=True)
    await b.sync.wait_until(lambda s: s.state == "offline", 20)
    await eventually(lambda: b.sync._client is not None and b.sync._realtime_gave_up(b.sync._client), 20,
                     "realtime-py to give up")
    a.store.add_message(chat.id, "user", "written during the outage")
    await asyncio.sleep(1.0)
    standin.start()
    await eventually(lambda: len(b.store.list_messages(chat.id)) == 1, 45, "the outage message on B")
    await b.live(45)
    await a.live(45)


async def test_a_workstation_whose_clock_is_hours_off_still_converges(
    workstations: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catch-up and ordering follow the server's sequence, never the writers' clocks."""
    import ohm_desktop.store.local_store as local_store

    email = new_email()
    a = await workstations("a", email, signup=True)
    b = await workstations("b", email)
    chat = a.store.create_chat("Skewed clocks")
    await a.sync.run_once()
    await b.sync.run_once()  # B has seen everything up to here

    # A's clock runs three hours ahead, B's a day behind: each writes while the other is away.
    from datetime import UTC, datetime, timedelta

    def skewed(delta: timedelta) -> str:
        return (datetime.now(UTC) + delta).isoformat(timespec="microseconds").replace("+00:00", "Z")

    monkeypatch.setattr(local_store, "utc_now", lambda: skewed(timedelta(hours=3)))
    a.store.add_message(chat.id, "user", "from A, stamped in the future")
    a.store.write_version(chat.id, "bom", BOM, change_summary="A's BOM", created_by="A")
    await a.sync.run_once()
    monkeypatch.setattr(local_store, "utc_now", lambda: skewed(timedelta(days=-1)))
    b.store.add_message(chat.id, "user", "from B, stamped in the past")
    await b.sync.run_once()
    await a.sync.run_once()

    assert messages_of(a.store, chat.id) == messages_of(b.store, chat.id)
    assert [content for _, _, content in messages_of(b.store, chat.id)] == [
        "from A, stamped in the future", "from B, stamped in the past"
    ]
    assert versions_of(b.store, chat.id) == versions_of(a.store, chat.id) != []


async def test_a_channel_closed_by_the_server_is_subscribed_again(
    workstations: Any, standin: StandinProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """phx_close (an expired token, a restarted tenant) leaves the socket up: realtime-py never rejoins."""
    from ohm_desktop.sync import SyncService

    monkeypatch.setattr(SyncService, "CHANNEL_REJOIN_S", 1.0)
    a, b = await live_pair(workstations)
    chat = a.store.create_chat("Channel closed")
    await eventually(lambda: bool(b.store.list_chats()), what="chat on B")

    assert standin.close_realtime_channels() >= 2
    await b.sync.wait_until(lambda s: s.state != "live", 10)
    a.store.add_message(chat.id, "user", "written while B's channel was closed")
    await eventually(lambda: len(b.store.list_messages(chat.id)) == 1, 30, "the message on B")
    await b.live(30)
    a.store.add_message(chat.id, "user", "and live again")
    await eventually(lambda: len(b.store.list_messages(chat.id)) == 2, 15, "the next message live on B")
