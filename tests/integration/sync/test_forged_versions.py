"""Issue #12's attack, replayed: nobody writes into another account's artifact history.

A stranger (C) and a removed teammate (D, who still knows A's artifact id) each make a chat of
their own, "share" it with A, then POST a version naming A's artifact and their own chat, with
a forged author and the largest integer as its number. Every attempt fails at the server
(real migrations, PostgreSQL 15, the real ``supabase`` client); A's history and numbering stay
A's. And when a server does let such a row through (its migrations old or altered: here the
rows are written as the database superuser), A's workstation refuses it instead of filing it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from postgrest.exceptions import APIError

from supabase import acreate_client
from tests.integration.sync.conftest import PASSWORD, Workstation, new_email, share_and_accept, versions_of
from tests.support.supabase_standin import PostgresCluster, StandinProcess

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

NOW = "2026-12-02T00:00:00.000000Z"
INT_MAX = 2**31 - 1
BOM = {"projectName": "Relay board", "parts": [{"designator": "K1", "name": "SRD-05VDC relay", "quantity": 1}]}
INJECTED = {"projectName": "INJECTED", "parts": [{"designator": "K9", "name": "mains relay, no fuse", "quantity": 1}]}


@asynccontextmanager
async def signed_in(standin: StandinProcess, email: str) -> AsyncIterator[Any]:
    client = await acreate_client(standin.url, standin.anon_key)
    await client.auth.sign_in_with_password({"email": email, "password": PASSWORD})
    try:
        yield client
    finally:
        await client.auth.sign_out()


def forged_version(artifact_id: str, chat_id: str, number: int = INT_MAX) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "artifact_id": artifact_id, "chat_id": chat_id, "version_number": number,
        "content": INJECTED, "change_summary": "INJECTED mains relay", "created_by": "Parts Planner",
        "created_at": NOW,
    }


async def own_chat(client: Any, title: str) -> str:
    chat_id = str(uuid.uuid4())
    await client.table("chats").insert({"id": chat_id, "title": title, "created_at": NOW, "updated_at": NOW}).execute()
    return chat_id


async def _victim_with_history(workstations: Callable[..., Any]) -> tuple[Workstation, str, str, str]:
    """A, with a chat whose BOM has two versions on the server: (A, A's email, chat id, artifact id)."""
    a_email = new_email("alice")
    a: Workstation = await workstations("a", a_email, signup=True)
    chat = a.store.create_chat("Alice's relay board")
    a.store.write_version(chat.id, "bom", BOM, change_summary="v1", created_by="Parts Planner")
    a.store.write_version(chat.id, "bom", BOM, change_summary="v2", created_by="you")
    await a.sync.run_once()
    artifact = a.store.get_artifact(chat.id, "bom")
    assert artifact is not None
    return a, a_email, chat.id, artifact.id


async def test_a_stranger_and_a_removed_teammate_cannot_add_versions_to_someone_elses_artifact(
    workstations: Callable[..., Any], standin: StandinProcess
) -> None:
    a, a_email, chat_id, artifact_id = await _victim_with_history(workstations)
    c_email, d_email = new_email("carol"), new_email("dave")
    await workstations("c", c_email, signup=True)
    d: Workstation = await workstations("d", d_email, signup=True)
    await share_and_accept(a, d, chat_id, d_email)
    await d.sync.run_once()
    assert d.store.get_artifact(chat_id, "bom").id == artifact_id  # type: ignore[union-attr]
    [mate] = [p for p in await a.sync.chat_people(chat_id) if not p.is_you]
    await a.sync.remove_member(chat_id, mate.user_id)

    for email in (c_email, d_email):
        async with signed_in(standin, email) as attacker:
            their_chat = await own_chat(attacker, f"{email}'s bench")
            # share_chat no longer adds A to anything: it leaves an invitation A never accepts.
            await attacker.rpc("share_chat", {"p_chat_id": their_chat, "p_email": a_email}).execute()
            for number in (INT_MAX, 3, 1):
                for chat in (their_chat, chat_id):
                    with pytest.raises(APIError) as refused:
                        await attacker.table("artifact_versions").insert(forged_version(artifact_id, chat, number)).execute()
                    assert refused.value.code == "42501", (email, number, chat)
                    # The way the app pushes (upsert, ignore duplicates) is refused the same way.
                    with pytest.raises(APIError) as refused:
                        await attacker.table("artifact_versions").upsert(
                            [forged_version(artifact_id, chat, number)], on_conflict="id", ignore_duplicates=True
                        ).execute()
                    assert refused.value.code == "42501"
            # Nor through an alias: a duplicate artifact in their own chat points at their own.
            with pytest.raises(APIError) as refused:
                await attacker.table("artifacts").insert(
                    {"id": str(uuid.uuid4()), "chat_id": chat_id, "type": "bom", "created_at": NOW}
                ).execute()
            assert refused.value.code == "42501"
            with pytest.raises(APIError) as refused:
                await attacker.table("messages").insert(
                    {"id": str(uuid.uuid4()), "chat_id": chat_id, "seq": 3, "role": "user", "content": "INJECTED",
                     "status": "complete", "metadata": {}, "created_at": NOW}
                ).execute()
            assert refused.value.code == "42501"

    async with signed_in(standin, a_email) as alice:
        rows = (await alice.table("artifact_versions").select("version_number,change_summary,created_by")
                .eq("artifact_id", artifact_id).order("version_number").execute()).data
        assert rows == [
            {"version_number": 1, "change_summary": "v1", "created_by": "Parts Planner"},
            {"version_number": 2, "change_summary": "v2", "created_by": "you"},
        ]
        assert (await alice.table("chat_members").select("chat_id").neq("chat_id", chat_id).execute()).data == []
    a.store.write_version(chat_id, "bom", BOM, change_summary="v3", created_by="you")
    report = await a.sync.run_once()
    assert report.failed == 0
    assert [(n, summary) for n, _, summary in versions_of(a.store, chat_id)] == [(1, "v1"), (2, "v2"), (3, "v3")]


async def test_the_server_numbers_versions_and_messages_whatever_a_member_proposes(
    workstations: Callable[..., Any], standin: StandinProcess
) -> None:
    a, a_email, chat_id, artifact_id = await _victim_with_history(workstations)
    async with signed_in(standin, a_email) as alice:
        other_chat = await own_chat(alice, "another chat of A's")
        mine = forged_version(artifact_id, other_chat, INT_MAX)  # a member, but the wrong chat and number
        stored = (await alice.table("artifact_versions").insert(mine).execute()).data
        assert [(r["chat_id"], r["version_number"]) for r in stored] == [(chat_id, 3)]
        message = {"id": str(uuid.uuid4()), "chat_id": chat_id, "seq": INT_MAX, "role": "user", "content": "hi",
                   "status": "complete", "metadata": {}, "created_at": NOW}
        assert [r["seq"] for r in (await alice.table("messages").insert(message).execute()).data] == [1]
        for author in ("", "Parts Planner\nreviewed by the owner", "x" * 81):
            with pytest.raises(APIError) as refused:
                await alice.table("artifact_versions").insert({**forged_version(artifact_id, chat_id), "created_by": author}).execute()
            assert refused.value.code == "23514"
    await a.sync.run_once()
    assert [n for n, _, _ in versions_of(a.store, chat_id)] == [1, 2, 3]


@asynccontextmanager
async def lax_server(pg_cluster: PostgresCluster) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A superuser connection that skips the migrations' triggers, foreign keys and number bound:
    what a project whose policies were changed would let in. Restored afterwards."""
    async with await psycopg.AsyncConnection.connect(pg_cluster.dsn, autocommit=True) as conn:
        await conn.execute("alter table public.artifact_versions drop constraint artifact_versions_number_in_range")
        try:
            yield conn
        finally:
            await conn.execute("delete from public.artifact_versions where change_summary like 'INJECTED%'")
            await conn.execute(
                "alter table public.artifact_versions add constraint artifact_versions_number_in_range"
                " check (version_number between 1 and 1000000)"
            )


async def test_rows_a_lax_server_lets_through_are_refused_by_the_workstation_and_reported(
    workstations: Callable[..., Any], pg_cluster: PostgresCluster, standin: StandinProcess, tmp_path: Path
) -> None:
    a, _, chat_id, artifact_id = await _victim_with_history(workstations)
    stranger_chat = str(uuid.uuid4())
    async with lax_server(pg_cluster) as superuser:
        owner = (await (await superuser.execute("select owner from public.chats where id = %s", (chat_id,))).fetchone())[0]  # type: ignore[index]
        await superuser.execute(
            "insert into public.chats (id, owner, title, created_at, updated_at) values (%s, %s, 'C', now(), now())",
            (stranger_chat, owner),
        )
        async with superuser.transaction():
            await superuser.execute("set local session_replication_role = replica")  # no triggers, no foreign keys
            for chat, number in ((stranger_chat, 3), (chat_id, INT_MAX)):
                row = forged_version(artifact_id, chat, number)
                await superuser.execute(
                    "insert into public.artifact_versions (id, artifact_id, chat_id, owner, version_number, content,"
                    " change_summary, created_by, created_at) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (row["id"], artifact_id, chat, owner, number, psycopg.types.json.Jsonb(INJECTED),
                     f"INJECTED into {'another chat' if chat != chat_id else 'a huge number'}", "Parts Planner", NOW),
                )
        report = await a.sync.run_once()
        assert report.failed == 0
        assert [(n, s) for n, _, s in versions_of(a.store, chat_id)] == [(1, "v1"), (2, "v2")]
        refused = a.store.refused_remote_rows()
        assert sorted(r.reason for r in refused) == sorted([
            f"it names chat {stranger_chat} but its artifact belongs to chat {chat_id}",
            f"its version number {INT_MAX} is outside 1…1000000",
        ])
        assert a.sync.status().refused_from_server == 2
        a.store.write_version(chat_id, "bom", BOM, change_summary="v3", created_by="you")
        assert [n for n, _, _ in versions_of(a.store, chat_id)] == [1, 2, 3]
        await superuser.execute("delete from public.artifact_versions where change_summary like 'INJECTED%'")
        await superuser.execute("delete from public.chats where id = %s", (stranger_chat,))
    report = await a.sync.run_once()
    assert report.failed == 0
    assert [(n, s) for n, _, s in versions_of(a.store, chat_id)] == [(1, "v1"), (2, "v2"), (3, "v3")]

    env = dict(os.environ, OHM_DATA_DIR=str(tmp_path / "a"), OHM_CONFIG_DIR=str(tmp_path / "config"),
               OHM_SUPABASE_URL=standin.url, OHM_SUPABASE_ANON_KEY=standin.anon_key)
    status = subprocess.run([sys.executable, "-m", "ohm_desktop.cli", "sync", "status", "--json"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stderr
    listed = json.loads(status.stdout)
    assert listed["refused_from_server"] == 2
    assert sorted(r["reason"] for r in listed["refused_rows"]) == sorted(r.reason for r in refused)
    text = subprocess.run([sys.executable, "-m", "ohm_desktop.cli", "sync", "status"], env=env,
                          capture_output=True, text=True, timeout=60).stdout
    assert "Refused from the server, not applied: 2 row(s)" in text
    assert f"refused artifact_versions {refused[0].row_id}: {refused[0].reason}" in text
