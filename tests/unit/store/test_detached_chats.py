"""A chat kept on this workstation only (its owner removed us): nothing lost, nothing queued."""

from __future__ import annotations

from pathlib import Path

import pytest

from ohm_desktop.store import LocalStore

BOM = {"projectName": "Relay", "parts": [{"designator": "K1", "name": "SRD-05VDC relay", "quantity": 1}]}


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    opened = LocalStore.open(tmp_path / "ohm.sqlite3")
    yield opened  # type: ignore[misc]
    opened.close()


def _queued_for(store: LocalStore, chat_id: str) -> int:
    rows = store.outbox_batch(10_000, max_attempts=5)
    return sum(1 for row in rows if (row.row_id if row.table == "chats" else row.payload.get("chat_id")) == chat_id)


def test_detaching_drops_that_chats_queued_rows_and_keeps_its_content(store: LocalStore) -> None:
    shared, own = store.create_chat("shared"), store.create_chat("own")
    for chat in (shared, own):
        store.add_message(chat.id, "user", f"hello {chat.title}")
        store.write_version(chat.id, "bom", BOM, change_summary="first", created_by="you")
    changes: list[str] = []
    store.subscribe(lambda change: changes.append(f"{change.table}:{change.origin}"))

    assert store.detach_chat("scope", shared.id, "removed by its owner")
    assert not store.detach_chat("scope", shared.id, "again")  # already detached
    assert _queued_for(store, shared.id) == 0 and _queued_for(store, own.id) == 4
    assert store.detached_chats() == {shared.id: "removed by its owner"}
    assert [m.content for m in store.list_messages(shared.id)] == ["hello shared"]
    assert changes == ["chats:sync"]  # the chat list redraws the chat as local-only

    store.add_message(shared.id, "user", "still usable here")
    store.write_version(shared.id, "bom", BOM, change_summary="second", created_by="you")
    store.rename_chat(shared.id, "renamed here")
    assert _queued_for(store, shared.id) == 0


def test_reattaching_queues_the_whole_chat_again_but_not_a_streaming_reply(store: LocalStore) -> None:
    chat = store.create_chat("shared")
    store.add_message(chat.id, "user", "question")
    store.detach_chat("scope", chat.id, "removed")
    store.write_version(chat.id, "bom", BOM, change_summary="while detached", created_by="you")
    store.add_message(chat.id, "assistant", "", status="streaming")

    assert store.reattach_chat(chat.id) == 3  # artifact, its version, the finished message
    assert store.detached_chats() == {}
    assert _queued_for(store, chat.id) == 3
    assert store.reattach_chat(chat.id) == 0


def test_memberships_are_kept_per_scope_and_forgotten_on_detach(store: LocalStore) -> None:
    chat = store.create_chat("shared")
    store.record_sync_memberships("project|alice", [chat.id, "not-here-yet"])
    store.record_sync_memberships("project|bob", [chat.id])
    assert store.sync_memberships("project|alice") == {chat.id, "not-here-yet"}
    assert not store.detach_chat("project|alice", "not-here-yet", "")
    store.detach_chat("project|alice", chat.id, "removed")
    assert store.sync_memberships("project|alice") == set()
    assert store.sync_memberships("project|bob") == {chat.id}
