"""A server row this workstation cannot apply is kept aside with a notice; the rest go on."""

from __future__ import annotations

from typing import Any

from ohm_desktop.core.redaction import SecretRedactor
from ohm_desktop.store import LocalStore
from ohm_desktop.store.ids import new_id
from ohm_desktop.store.quarantine import quarantined_rows
from ohm_desktop.sync import SyncService
from ohm_desktop.sync.session_storage import MemorySessionStorage

T = "2026-01-01T00:00:00.000000+00:00"


def _message(chat_id: str, seq: int, server_seq: int, content: str | None) -> dict[str, Any]:
    return {
        "id": new_id(), "chat_id": chat_id, "owner": "u", "seq": seq, "role": "user", "content": content,
        "status": "complete", "agent_intent": None, "agent_name": None, "model": None, "metadata": {},
        "created_at": T, "server_seq": server_seq,
    }


async def test_a_row_that_cannot_be_applied_is_quarantined_and_the_others_still_arrive() -> None:
    store = LocalStore.open_in_memory()
    sync = SyncService(store, supabase=("http://127.0.0.1:9", "anon"), redactor=SecretRedactor(),
                       session_storage=MemorySessionStorage())
    sync._user_id = "u"  # signed in (no network in this test)
    chat = store.create_chat("Capture")
    good, broken, later = _message(chat.id, 1, 10, "ok"), _message(chat.id, 2, 11, None), _message(chat.id, 3, 12, "also ok")

    await sync._apply_rows("messages", [good, broken, later])  # the inbox's and catch-up's apply path

    assert [m.content for m in store.list_messages(chat.id)] == ["ok", "also ok"]
    kept = quarantined_rows(store)
    assert [(row.table, row.row_id, row.server_seq) for row in kept] == [("messages", broken["id"], 11)]
    assert "NOT NULL" in kept[0].error
    status = sync.status()
    assert status.quarantined == 1
    assert status.last_error is not None and "kept aside" in status.last_error

    store.advance_sync_cursor(sync._scope(), "messages", 12)
    sync.retry_failed()  # the next catch-up reads it again: the cursor goes back below it
    assert quarantined_rows(store) == []
    assert store.sync_cursor(sync._scope(), "messages") == 10
    store.close()
