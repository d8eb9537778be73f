"""LocalStore.apply_remote: server rows in, server numbering wins, nothing queued, no echo."""

from __future__ import annotations

from typing import Any

from ohm_desktop.ids import new_id
from ohm_desktop.store import LocalStore, MissingParent, StoreChange

T = "2026-01-01T00:00:00.000000Z"


def _chat(chat_id: str, title: str = "Remote chat") -> dict[str, Any]:
    return {"id": chat_id, "title": title, "created_at": T, "updated_at": T, "deleted_at": None}


def _message(chat_id: str, seq: int, content: str, message_id: str | None = None) -> dict[str, Any]:
    return {
        "id": message_id or new_id(), "chat_id": chat_id, "seq": seq, "role": "user", "content": content,
        "status": "complete", "agent_intent": None, "agent_name": None, "model": None, "metadata": {}, "created_at": T,
    }


def _version(artifact_id: str, chat_id: str, number: int, summary: str, version_id: str | None = None) -> dict[str, Any]:
    return {
        "id": version_id or new_id(), "artifact_id": artifact_id, "chat_id": chat_id, "version_number": number,
        "content": {"projectName": summary, "parts": []}, "change_summary": summary, "created_by": "B",
        "message_id": None, "created_at": T,
    }


def _queued(store: LocalStore) -> int:
    return store.outbox_counts(max_attempts=5)[0]


def test_remote_rows_are_stored_announced_as_sync_and_never_queued() -> None:
    store = LocalStore.open_in_memory()
    changes: list[StoreChange] = []
    store.subscribe(changes.append)
    chat_id = new_id()
    assert store.apply_remote("chats", [_chat(chat_id)]) == []
    store.apply_remote("messages", [_message(chat_id, 1, "hello")])
    assert [m.content for m in store.list_messages(chat_id)] == ["hello"]
    assert {c.origin for c in changes} == {"sync"}
    assert _queued(store) == 0


def test_applying_the_same_row_again_changes_and_announces_nothing() -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat("mine")
    message = store.add_message(chat.id, "user", "hi")
    changes: list[StoreChange] = []
    store.subscribe(changes.append)
    echo = _message(chat.id, message.seq, message.content, message.id)
    store.apply_remote("messages", [echo, echo])
    store.apply_remote("chats", [_chat(chat.id, "mine") | {"created_at": chat.created_at, "updated_at": chat.created_at}])
    assert changes == []


def test_a_server_message_taking_a_local_seq_moves_the_local_one_to_the_end() -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat("shared")
    mine = store.add_message(chat.id, "user", "written here")  # seq 1, not pushed yet
    theirs = _message(chat.id, 1, "written there")
    store.apply_remote("messages", [theirs])
    assert [(m.seq, m.content) for m in store.list_messages(chat.id)] == [(1, "written there"), (2, "written here")]
    # Our own row comes back from the server renumbered: the server's number is final.
    store.apply_remote("messages", [_message(chat.id, 2, mine.content, mine.id)])
    assert [(m.seq, m.id) for m in store.list_messages(chat.id)] == [(1, theirs["id"]), (2, mine.id)]


def test_version_collision_keeps_both_and_current_follows_the_highest() -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat("bom")
    store.write_version(chat.id, "bom", {"projectName": "v1", "parts": []}, change_summary="v1", created_by="A")
    local_v2 = store.write_version(chat.id, "bom", {"projectName": "A2", "parts": []}, change_summary="A2", created_by="A")
    artifact = store.get_artifact(chat.id, "bom")
    assert artifact is not None
    remote_v2 = _version(artifact.id, chat.id, 2, "B2")
    store.apply_remote("artifact_versions", [remote_v2])
    assert [(v.version_number, v.change_summary) for v in store.list_versions(chat.id, "bom")] == [
        (1, "v1"), (2, "B2"), (3, "A2"),
    ]
    assert store.get_artifact(chat.id, "bom").current_version == 3  # type: ignore[union-attr]
    assert store.get_version(chat.id, "bom", 3).id == local_v2.id  # type: ignore[union-attr]
    assert _queued(store) == 4  # chat, artifact and the two local versions; nothing from the pull


def test_a_remote_artifact_for_the_same_chat_and_type_takes_over_the_local_one() -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat("bom")
    local = store.write_version(chat.id, "bom", {"projectName": "A", "parts": []}, change_summary="A1", created_by="A")
    kept = new_id()
    store.apply_remote("artifacts", [{"id": kept, "chat_id": chat.id, "type": "bom", "created_at": T}])
    artifact = store.get_artifact(chat.id, "bom")
    assert artifact is not None and artifact.id == kept
    assert [v.id for v in store.list_versions(chat.id, "bom")] == [local.id]
    assert store.integrity_check() == "ok"
    assert store._db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_rows_whose_parent_is_missing_are_reported_not_stored() -> None:
    store = LocalStore.open_in_memory()
    chat_id, artifact_id = new_id(), new_id()
    assert store.apply_remote("messages", [_message(chat_id, 1, "orphan")]) == [MissingParent("chats", chat_id)]
    assert store.apply_remote("artifact_versions", [_version(artifact_id, chat_id, 1, "x")]) == [
        MissingParent("artifacts", artifact_id)
    ]
    assert store.list_chats() == []


def test_chat_updates_from_the_server_apply_and_keep_the_latest_activity_time() -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat("old title")
    store.add_message(chat.id, "user", "activity")
    active = store.get_chat(chat.id).updated_at
    store.apply_remote("chats", [_chat(chat.id, "renamed elsewhere") | {"created_at": chat.created_at, "deleted_at": T}])
    now = store.get_chat(chat.id)
    assert (now.title, now.deleted_at, now.updated_at) == ("renamed elsewhere", T, active)


def test_outbox_failures_are_counted_and_rows_kept_until_retried() -> None:
    store = LocalStore.open_in_memory()
    store.create_chat("x")
    [row] = store.outbox_batch(10, max_attempts=2)
    store.outbox_record_failure([row.seq], "refused")
    store.outbox_record_failure([row.seq], "refused")
    assert store.outbox_batch(10, max_attempts=2) == []
    assert store.outbox_counts(max_attempts=2) == (0, 1)
    assert store.outbox_retry_failed() == 1
    assert store.outbox_counts(max_attempts=2) == (1, 0)


def test_sync_cursor_only_moves_forward_and_is_per_scope() -> None:
    store = LocalStore.open_in_memory()
    store.advance_sync_cursor("p|u1", "messages", 40)
    store.advance_sync_cursor("p|u1", "messages", 12)
    assert store.sync_cursor("p|u1", "messages") == 40
    assert store.sync_cursor("p|u2", "messages") == 0
