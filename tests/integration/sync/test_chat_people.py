"""People with access to a shared chat: listing them, removing a teammate, leaving, sharing again.

A removed teammate keeps their copy; it stops syncing (nothing of it waits refused in the
outbox), whether they hear of the removal live (a Realtime DELETE) or at their next catch-up.
"""

from __future__ import annotations

from typing import Any

import pytest

from ohm_desktop.errors import SyncSetupError
from tests.integration.sync.conftest import PASSWORD, eventually, new_email, share_and_accept

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(90)]


async def _shared_chat(workstations: Any, title: str = "Relay board") -> tuple[Any, Any, str, str]:
    owner_email, mate_email = new_email("owner"), new_email("mate")
    a = await workstations("a", owner_email, signup=True)
    t = await workstations("t", mate_email, signup=True)
    chat = a.store.create_chat(title)
    a.store.add_message(chat.id, "user", "the owner's first message")
    await share_and_accept(a, t, chat.id, mate_email)
    await t.sync.run_once()
    assert [m.content for m in t.store.list_messages(chat.id)] == ["the owner's first message"]
    return a, t, chat.id, mate_email


async def test_people_with_access_lists_the_owner_first_and_marks_you(workstations: Any) -> None:
    a, t, chat_id, mate_email = await _shared_chat(workstations)
    seen_by_owner = await a.sync.chat_people(chat_id)
    seen_by_mate = await t.sync.chat_people(chat_id)
    assert [(p.role, p.is_you) for p in seen_by_owner] == [("owner", True), ("member", False)]
    assert [(p.role, p.is_you) for p in seen_by_mate] == [("owner", False), ("member", True)]
    assert seen_by_owner[1].email == mate_email and seen_by_owner[0].email == seen_by_mate[0].email
    stranger = await workstations("c", new_email("carol"), signup=True)
    with pytest.raises(SyncSetupError, match="not shared with your account"):
        await stranger.sync.chat_people(chat_id)


async def test_a_teammate_removed_while_live_keeps_their_copy_and_it_stops_syncing(workstations: Any) -> None:
    a, t, chat_id, _ = await _shared_chat(workstations)
    a.start()
    t.start()
    await a.live()
    await t.live()
    [mate] = [p for p in await a.sync.chat_people(chat_id) if not p.is_you]
    await a.sync.remove_member(chat_id, mate.user_id)

    await eventually(lambda: chat_id in t.store.detached_chats(), 20, "the removal heard live")
    assert "“Relay board” is no longer shared with you" in (t.sync.status().last_error or "")
    t.store.add_message(chat_id, "user", "written after the removal")
    a.store.add_message(chat_id, "user", "the owner goes on")
    await a.drained()
    status = t.sync.status()
    assert status.queued == 0 and status.failed == 0  # nothing waits to be refused forever
    assert [m.content for m in t.store.list_messages(chat_id)] == [
        "the owner's first message",
        "written after the removal",
    ]
    await a.sync.wait_until(lambda s: s.state == "live", 5)
    assert [m.content for m in a.store.list_messages(chat_id)] == ["the owner's first message", "the owner goes on"]
    assert [p.role for p in await a.sync.chat_people(chat_id)] == ["owner"]


async def test_a_removal_while_the_teammate_was_offline_is_noticed_at_catch_up(workstations: Any) -> None:
    a, t, chat_id, _ = await _shared_chat(workstations)
    [mate] = [p for p in await a.sync.chat_people(chat_id) if not p.is_you]
    await a.sync.remove_member(chat_id, mate.user_id)

    await t.sync.run_once()  # nothing to push: the catch-up's membership check notices
    assert chat_id in t.store.detached_chats()
    assert "no longer shared with you" in (t.sync.status().last_error or "")
    t.store.add_message(chat_id, "user", "written after")
    assert t.sync.status().queued == 0


async def test_changes_queued_before_a_removal_stay_local_instead_of_waiting_refused(workstations: Any) -> None:
    a, t, chat_id, _ = await _shared_chat(workstations)
    t.store.add_message(chat_id, "user", "queued while offline")
    [mate] = [p for p in await a.sync.chat_people(chat_id) if not p.is_you]
    await a.sync.remove_member(chat_id, mate.user_id)

    report = await t.sync.run_once()  # the push is refused by RLS: that is how it finds out
    assert report.failed == 0 and t.sync.status().queued == 0
    assert chat_id in t.store.detached_chats()
    assert t.store.list_messages(chat_id)[-1].content == "queued while offline"  # kept here
    await a.sync.run_once()
    assert [m.content for m in a.store.list_messages(chat_id)] == ["the owner's first message"]


async def test_only_the_owner_removes_someone_and_nobody_removes_the_owner(workstations: Any) -> None:
    a, t, chat_id, _ = await _shared_chat(workstations)
    third_email = new_email("third")
    third = await workstations("d", third_email, signup=True)
    await share_and_accept(a, third, chat_id, third_email)
    owner, mate, other = await a.sync.chat_people(chat_id)
    assert (owner.role, mate.role, other.role) == ("owner", "member", "member")

    with pytest.raises(SyncSetupError, match="Only the owner"):
        await t.sync.remove_member(chat_id, owner.user_id)
    with pytest.raises(SyncSetupError, match="Only the owner"):
        await t.sync.remove_member(chat_id, other.user_id if other.email == third_email else mate.user_id)
    with pytest.raises(SyncSetupError, match="Only the owner"):
        await a.sync.remove_member(chat_id, owner.user_id)
    with pytest.raises(SyncSetupError, match="you cannot leave it"):
        await a.sync.leave_chat(chat_id)
    assert len(await third.sync.chat_people(chat_id)) == 3


async def test_leaving_then_being_shared_again_brings_back_what_was_missed_both_ways(workstations: Any) -> None:
    a, t, chat_id, mate_email = await _shared_chat(workstations)
    await t.sync.leave_chat(chat_id)
    assert chat_id in t.store.detached_chats()
    assert [p.role for p in await a.sync.chat_people(chat_id)] == ["owner"]

    a.store.add_message(chat_id, "user", "while you were away")
    t.store.add_message(chat_id, "user", "written while detached")
    await a.sync.run_once()
    await t.sync.run_once()
    assert "while you were away" not in [m.content for m in t.store.list_messages(chat_id)]

    await share_and_accept(a, t, chat_id, mate_email)
    await t.sync.run_once()  # the membership comes back: the chat is read again, ours queued again
    assert chat_id not in t.store.detached_chats()
    await t.sync.run_once()
    await a.sync.run_once()
    expected = {"the owner's first message", "while you were away", "written while detached"}
    assert {m.content for m in t.store.list_messages(chat_id)} == expected
    assert {m.content for m in a.store.list_messages(chat_id)} == expected
    assert [m.seq for m in a.store.list_messages(chat_id)] == [m.seq for m in t.store.list_messages(chat_id)]


async def test_even_over_rest_the_owner_row_cannot_be_deleted(workstations: Any, standin: Any) -> None:
    """The first migration's delete policy allowed it, which cut an owner off their own messages."""
    from supabase import acreate_client

    owner_email = new_email("owner")
    a = await workstations("a", owner_email, signup=True)
    chat = a.store.create_chat("Mine")
    a.store.add_message(chat.id, "user", "still readable")
    await a.sync.run_once()
    client = await acreate_client(standin.url, standin.anon_key)
    await client.auth.sign_in_with_password({"email": owner_email, "password": PASSWORD})
    try:
        deleted = await client.table("chat_members").delete().eq("chat_id", chat.id).execute()
        assert deleted.data == []
        rows = (await client.table("messages").select("content").eq("chat_id", chat.id).execute()).data
        assert rows == [{"content": "still readable"}]
    finally:
        await client.auth.sign_out()


async def test_leaving_a_chat_one_was_already_removed_from_just_keeps_it_here(workstations: Any) -> None:
    a, t, chat_id, _ = await _shared_chat(workstations)
    [mate] = [p for p in await a.sync.chat_people(chat_id) if not p.is_you]
    await a.sync.remove_member(chat_id, mate.user_id)
    await t.sync.leave_chat(chat_id)  # not heard of the removal yet: nothing left to leave there
    assert t.store.detached_chats() == {chat_id: "You left this chat: your copy stays on this workstation and no longer syncs."}
