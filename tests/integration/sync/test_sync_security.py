"""RLS through the real migrations: another account sees and changes nothing of yours."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from postgrest.exceptions import APIError

from supabase import acreate_client
from tests.integration.sync.conftest import PASSWORD, eventually, new_email, share_and_accept
from tests.support.supabase_standin import StandinProcess

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(90)]

NOW = "2026-01-01T00:00:00.000000Z"


async def _client_for(standin: StandinProcess, email: str) -> Any:
    client = await acreate_client(standin.url, standin.anon_key)
    await client.auth.sign_in_with_password({"email": email, "password": PASSWORD})
    return client


async def test_user_c_cannot_read_or_write_a_chats_by_rest_or_realtime(workstations: Any, standin: StandinProcess) -> None:
    a = await workstations("a", new_email("alice"), signup=True)
    c_email = new_email("carol")
    c = await workstations("c", c_email, signup=True)
    a.start()
    c.start()
    await a.live()
    await c.live()

    chat = a.store.create_chat("Alice's secret board")
    a.store.add_message(chat.id, "user", "private")
    a.store.write_version(chat.id, "bom", {"projectName": "secret", "parts": []}, change_summary="v1", created_by="A")
    await a.drained()
    await asyncio.sleep(0.5)  # time for Realtime to (not) deliver anything to C
    assert c.store.list_chats() == []

    carol = await _client_for(standin, c_email)
    try:
        for table in ("chats", "messages", "artifacts", "artifact_versions", "chat_members"):
            rows = (await carol.table(table).select("*").execute()).data
            assert [r for r in rows if chat.id in (r.get("id"), r.get("chat_id"))] == [], table
        artifact = a.store.get_artifact(chat.id, "bom")
        assert artifact is not None
        attempts = {
            "messages": {"id": str(uuid.uuid4()), "chat_id": chat.id, "seq": 99, "role": "user", "content": "x",
                         "status": "complete", "metadata": {}, "created_at": NOW},
            "artifact_versions": {"id": str(uuid.uuid4()), "artifact_id": artifact.id, "chat_id": chat.id,
                                  "version_number": 9, "content": {}, "change_summary": "x", "created_by": "C",
                                  "created_at": NOW},
            "chat_members": {"chat_id": chat.id, "user_id": c.sync._user_id},
        }
        for table, row in attempts.items():
            with pytest.raises(APIError) as refused:
                await carol.table(table).insert(row).execute()
            assert refused.value.code in ("42501", "23503"), table
        # Updates and deletes of someone else's rows change nothing.
        await carol.table("chats").update({"title": "pwned"}).eq("id", chat.id).execute()
        with pytest.raises(APIError):
            await carol.table("artifact_versions").update({"change_summary": "pwned"}).eq("chat_id", chat.id).execute()
        with pytest.raises(APIError):
            await carol.table("messages").delete().eq("chat_id", chat.id).execute()
        with pytest.raises(APIError):  # C cannot invite herself either
            await carol.rpc("share_chat", {"p_chat_id": chat.id, "p_email": c_email}).execute()
    finally:
        await carol.auth.sign_out()
    alice_view = await _client_for(standin, a.sync._user_email)  # type: ignore[arg-type]
    try:
        rows = (await alice_view.table("chats").select("title").eq("id", chat.id).execute()).data
        assert rows == [{"title": "Alice's secret board"}]
        assert len((await alice_view.table("messages").select("id").eq("chat_id", chat.id).execute()).data) == 1
    finally:
        await alice_view.auth.sign_out()
    assert c.store.list_chats() == []


async def test_anonymous_key_reads_nothing(workstations: Any, standin: StandinProcess) -> None:
    a = await workstations("a", new_email(), signup=True)
    a.store.create_chat("not for anon")
    report = await a.sync.run_once()
    assert report.pushed >= 1
    anon = await acreate_client(standin.url, standin.anon_key)
    with pytest.raises(APIError) as refused:
        await anon.table("chats").select("*").execute()
    assert refused.value.code == "42501"


async def test_version_history_is_insert_only_even_for_its_owner(workstations: Any, standin: StandinProcess) -> None:
    email = new_email()
    a = await workstations("a", email, signup=True)
    chat = a.store.create_chat("immutable")
    a.store.write_version(chat.id, "bom", {"projectName": "p", "parts": []}, change_summary="v1", created_by="A")
    await a.sync.run_once()
    owner = await _client_for(standin, email)
    try:
        with pytest.raises(APIError):
            await owner.table("artifact_versions").update({"change_summary": "rewritten"}).eq("chat_id", chat.id).execute()
        with pytest.raises(APIError):
            await owner.table("artifact_versions").delete().eq("chat_id", chat.id).execute()
        rows = (await owner.table("artifact_versions").select("change_summary").eq("chat_id", chat.id).execute()).data
        assert rows == [{"change_summary": "v1"}]
    finally:
        await owner.auth.sign_out()


async def test_a_chat_shared_with_a_teammate_reaches_them_with_its_history(workstations: Any) -> None:
    a = await workstations("a", new_email("owner"), signup=True)
    teammate_email = new_email("mate")
    t = await workstations("t", teammate_email, signup=True)
    chat = a.store.create_chat("Shared bench")
    a.store.add_message(chat.id, "user", "before sharing")
    a.start()
    t.start()
    await a.live()
    await t.live()
    await a.drained()
    await share_and_accept(a, t, chat.id, teammate_email)
    await eventually(lambda: len(t.store.list_messages(chat.id)) == 1 if t.store.list_chats() else False,
                     20, "the shared chat with its history on the teammate's workstation")
    t.store.add_message(chat.id, "user", "teammate replies")
    await eventually(lambda: len(a.store.list_messages(chat.id)) == 2, 20, "the teammate's reply on A")


async def test_a_chat_shared_while_the_teammate_was_offline_arrives_whole_on_catch_up(workstations: Any) -> None:
    """Its old rows (far below the teammate's cursor) come by backfill, its new ones by the catch-up."""
    a = await workstations("a", new_email("owner"), signup=True)
    teammate_email = new_email("mate")
    t = await workstations("t", teammate_email, signup=True)
    chat = a.store.create_chat("Shared later")
    for n in range(3):
        a.store.add_message(chat.id, "user", f"old {n}")
    await a.sync.run_once()
    own = t.store.create_chat("Teammate's own bench")
    with t.store.transaction():
        for n in range(300):  # moves the teammate's cursors well past the catch-up overlap
            t.store.add_message(own.id, "user", f"own {n}")
    await t.sync.run_once()

    await share_and_accept(a, t, chat.id, teammate_email)
    for n in range(2):
        a.store.add_message(chat.id, "user", f"new {n}")
    await a.sync.run_once()
    await t.sync.run_once()
    assert [m.content for m in t.store.list_messages(chat.id)] == ["old 0", "old 1", "old 2", "new 0", "new 1"]
    assert t.store.count_messages(own.id) == 300


async def test_a_teammate_renaming_a_shared_chat_gets_the_owners_title_back_and_nothing_waits(workstations: Any) -> None:
    a = await workstations("a", new_email("owner"), signup=True)
    teammate_email = new_email("mate")
    t = await workstations("t", teammate_email, signup=True)
    chat = a.store.create_chat("Owner's title")
    await a.sync.run_once()
    await share_and_accept(a, t, chat.id, teammate_email)
    await t.sync.run_once()
    assert t.store.get_chat(chat.id).title == "Owner's title"

    t.store.rename_chat(chat.id, "Teammate's title")
    t.store.add_message(chat.id, "user", "a message still goes through")
    report = await t.sync.run_once()
    assert report.failed == 0 and t.sync.status().queued == 0
    assert "Only the owner of a shared chat can rename it" in (t.sync.status().last_error or "")
    assert t.store.get_chat(chat.id).title == "Owner's title"  # the owner's title wins
    await a.sync.run_once()
    assert a.store.get_chat(chat.id).title == "Owner's title"
    assert [m.content for m in a.store.list_messages(chat.id)] == ["a message still goes through"]


async def test_a_version_a_teammate_signed_you_reads_as_a_teammate_on_the_owners_workstation(workstations: Any) -> None:
    owner_email, teammate_email = new_email("owner"), new_email("mate")
    a = await workstations("a", owner_email, signup=True)
    a2 = await workstations("a2", owner_email)
    t = await workstations("t", teammate_email, signup=True)
    chat = a.store.create_chat("Who wrote this?")
    a.store.write_version(chat.id, "bom", {"projectName": "p", "parts": []}, change_summary="owner's", created_by="you")
    await a.sync.run_once()
    await share_and_accept(a, t, chat.id, teammate_email)
    await t.sync.run_once()
    t.store.write_version(chat.id, "bom", {"projectName": "p", "parts": []}, change_summary="mate's", created_by="you")
    await t.sync.run_once()
    await a2.sync.run_once()
    assert [(v.change_summary, v.created_by) for v in a2.store.list_versions(chat.id, "bom")] == [
        ("owner's", "you"),  # the same account on another workstation: still "you"
        ("mate's", "a teammate"),
    ]
    assert [v.created_by for v in t.store.list_versions(chat.id, "bom")] == ["a teammate", "you"]
