"""Who may do what, written out cell by cell: every table × every verb × every kind of caller.

Callers: the chat's owner, a member (invited, accepted), a removed member (accepted, then
removed), a stranger (signed in, never invited) and anon (the project's public key only).
Each REST cell is one request by the real ``supabase`` client against the stand-in (real
migrations, real PostgreSQL 15 RLS); the outcome it must have is written in the tables below —
not computed — so a policy that widens or narrows access changes a line someone has to read.

Outcomes: ``sees`` / ``empty`` (a select returns the chat's rows / none of them), ``inserted``,
``changed`` / ``no rows`` (an update or delete touched rows / none), ``denied`` (refused:
42501, or 401 for anon).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest
from postgrest.exceptions import APIError

from supabase import acreate_client
from tests.integration.sync.conftest import PASSWORD, new_email
from tests.support.supabase_standin import PostgresCluster, StandinProcess

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]

NOW = "2026-12-02T00:00:00.000000Z"
ROLES = ("owner", "member", "removed", "stranger", "anon")

# Rows run top to bottom. chat_members' delete comes last: the member's cell deletes its own
# membership (leaving), the owner's takes off a spare teammate.
REST_MATRIX = """
table               verb    owner     member    removed   stranger  anon
chats               select  sees      sees      empty     empty     denied
chats               insert  inserted  denied    denied    denied    denied
chats               update  changed   no_rows   no_rows   no_rows   denied
chats               delete  denied    denied    denied    denied    denied
messages            select  sees      sees      empty     empty     denied
messages            insert  inserted  inserted  denied    denied    denied
messages            update  denied    denied    denied    denied    denied
messages            delete  denied    denied    denied    denied    denied
artifacts           select  sees      sees      empty     empty     denied
artifacts           insert  inserted  inserted  denied    denied    denied
artifacts           update  denied    denied    denied    denied    denied
artifacts           delete  denied    denied    denied    denied    denied
artifact_versions   select  sees      sees      empty     empty     denied
artifact_versions   insert  inserted  inserted  denied    denied    denied
artifact_versions   update  denied    denied    denied    denied    denied
artifact_versions   delete  denied    denied    denied    denied    denied
artifact_aliases    select  sees      sees      empty     empty     denied
artifact_aliases    insert  denied    denied    denied    denied    denied
artifact_aliases    update  denied    denied    denied    denied    denied
artifact_aliases    delete  denied    denied    denied    denied    denied
chat_invitations    select  sees      empty     empty     empty     denied
chat_invitations    insert  denied    denied    denied    denied    denied
chat_invitations    update  denied    denied    denied    denied    denied
chat_invitations    delete  denied    denied    denied    denied    denied
membership_changes  select  sees      sees      sees      empty     denied
membership_changes  insert  denied    denied    denied    denied    denied
membership_changes  update  denied    denied    denied    denied    denied
membership_changes  delete  denied    denied    denied    denied    denied
ohm_quarantine      select  denied    denied    denied    denied    denied
ohm_quarantine      insert  denied    denied    denied    denied    denied
ohm_quarantine      update  denied    denied    denied    denied    denied
ohm_quarantine      delete  denied    denied    denied    denied    denied
chat_members        select  sees      sees      empty     empty     denied
chat_members        insert  denied    denied    denied    denied    denied
chat_members        update  denied    denied    denied    denied    denied
chat_members        delete  changed   changed   no_rows   no_rows   denied
"""

# The migrations' functions, called about the chat (rpc/<name>).
RPC_MATRIX = """
function            owner     member    removed   stranger  anon
chat_people         ok        ok        denied    denied    denied
share_chat          ok        denied    denied    denied    denied
remove_chat_member  denied    denied    denied    denied    denied
is_chat_member      true      true      false     false     denied
ohm_require_member  denied    denied    denied    denied    denied
"""

# What each caller's Realtime subscription (every published table, every event) receives while
# the owner takes a teammate off the chat, writes a message and a version, renames the chat, and
# invites someone then takes the invitation back. "being_removed" is that teammate. The last
# event (a DELETE, which Realtime sends to every subscriber unfiltered, key only) marks the end.
REALTIME_EXPECTED: dict[str, list[tuple[str, str]]] = {
    "owner": [
        ("messages", "INSERT"), ("artifact_versions", "INSERT"), ("chats", "UPDATE"),
        ("chat_invitations", "INSERT"), ("chat_invitations", "DELETE"),
    ],
    "member": [
        ("messages", "INSERT"), ("artifact_versions", "INSERT"), ("chats", "UPDATE"), ("chat_invitations", "DELETE"),
    ],
    "being_removed": [("membership_changes", "INSERT"), ("chat_invitations", "DELETE")],
    "removed": [("chat_invitations", "DELETE")],
    "stranger": [("chat_invitations", "DELETE")],
    # anon holds no grant on these tables: Realtime's apply_rls sends its DELETE notices with
    # "Error 401: Unauthorized" and an empty old_record (vendored realtime_tenant_schema.sql) — the
    # fact of a delete, never a key. How many of those it gets depends on timing it cannot see, so
    # its cell is checked as "nothing but keyless DELETE notices" (ANON_MAY_RECEIVE).
    "anon": [],
}
ANON_MAY_RECEIVE = {("chat_invitations", "DELETE")}
PUBLISHED = ["artifact_versions", "artifacts", "chat_invitations", "chats", "membership_changes", "messages"]


def parse(matrix: str) -> list[list[str]]:
    return [line.split() for line in matrix.strip().splitlines()[1:]]


@dataclass
class World:
    """One chat with a message, a BOM (one version, one alias), a pending invitation, and callers."""

    chat_id: str
    artifact_id: str
    clients: dict[str, Any]
    users: dict[str, str]
    spare_email: str
    extra_clients: list[Any] = field(default_factory=list)


async def _signed_up(standin: StandinProcess, email: str) -> tuple[Any, str]:
    client = await acreate_client(standin.url, standin.anon_key)
    response = await client.auth.sign_up({"email": email, "password": PASSWORD})
    await client.realtime.set_auth(response.session.access_token)
    return client, str(response.user.id)


async def _join(owner: Any, guest: Any, chat_id: str, email: str) -> None:
    await owner.rpc("share_chat", {"p_chat_id": chat_id, "p_email": email}).execute()
    [invitation] = (await guest.table("chat_invitations").select("id").eq("chat_id", chat_id).execute()).data
    await guest.rpc("accept_invitation", {"p_invitation_id": invitation["id"]}).execute()


@asynccontextmanager
async def world(standin: StandinProcess) -> AsyncIterator[World]:
    clients: dict[str, Any] = {}
    users: dict[str, str] = {}
    emails = {role: new_email(role) for role in (*ROLES[:4], "spare", "being_removed")}
    for role, email in emails.items():
        clients[role], users[role] = await _signed_up(standin, email)
    clients["anon"] = await acreate_client(standin.url, standin.anon_key)
    owner = clients["owner"]
    chat_id, artifact_id = str(uuid.uuid4()), str(uuid.uuid4())
    await owner.table("chats").insert({"id": chat_id, "title": "Matrix bench", "created_at": NOW, "updated_at": NOW}).execute()
    await owner.table("messages").insert(_row("messages", chat_id, artifact_id)).execute()
    await owner.table("artifacts").insert({"id": artifact_id, "chat_id": chat_id, "type": "bom", "created_at": NOW}).execute()
    await owner.table("artifacts").insert({"id": str(uuid.uuid4()), "chat_id": chat_id, "type": "bom", "created_at": NOW}).execute()
    await owner.table("artifact_versions").insert(_row("artifact_versions", chat_id, artifact_id)).execute()
    for role in ("member", "removed", "spare", "being_removed"):
        await _join(owner, clients[role], chat_id, emails[role])
    await owner.rpc("remove_chat_member", {"p_chat_id": chat_id, "p_user_id": users["removed"]}).execute()
    await owner.rpc("share_chat", {"p_chat_id": chat_id, "p_email": new_email("nobody")}).execute()  # stays pending
    try:
        yield World(chat_id, artifact_id, clients, users, emails["spare"])
    finally:
        for client in clients.values():
            await client.remove_all_channels()
            await client.auth.sign_out()


def _row(table: str, chat_id: str, artifact_id: str, owner: str | None = None) -> dict[str, Any]:
    new = str(uuid.uuid4())
    return {
        "chats": {"id": new, "title": "someone else's name", "created_at": NOW, "updated_at": NOW, "owner": owner},
        "messages": {"id": new, "chat_id": chat_id, "seq": 1, "role": "user", "content": "hello", "status": "complete",
                     "metadata": {}, "created_at": NOW},
        "artifacts": {"id": new, "chat_id": chat_id, "type": "code", "created_at": NOW},
        "artifact_versions": {"id": new, "artifact_id": artifact_id, "chat_id": chat_id, "version_number": 1,
                              "content": {"projectName": "p", "parts": []}, "change_summary": "matrix",
                              "created_by": "Parts Planner", "created_at": NOW},
        "artifact_aliases": {"alias_id": new, "artifact_id": artifact_id, "chat_id": chat_id},
        "chat_invitations": {"chat_id": chat_id, "invitee_email": "x@example.test", "invited_by": owner,
                             "inviter_email": "x@example.test", "chat_title": "x"},
        "membership_changes": {"user_id": owner, "chat_id": chat_id, "change": "added"},
        "ohm_quarantine": {"table_name": "x", "reason": "x", "row_data": {}},
        "chat_members": {"chat_id": chat_id, "user_id": owner, "role": "member"},
    }[table]


UPDATES: dict[str, dict[str, Any]] = {
    "chats": {"title": "renamed by the matrix"},
    "messages": {"content": "rewritten"},
    "artifacts": {"type": "wiring"},
    "artifact_versions": {"change_summary": "rewritten"},
    "artifact_aliases": {"artifact_id": str(uuid.UUID(int=0))},
    "chat_invitations": {"chat_title": "rewritten"},
    "membership_changes": {"change": "removed"},
    "ohm_quarantine": {"reason": "rewritten"},
    "chat_members": {"role": "owner"},
}


def _scoped(query: Any, table: str, w: World) -> Any:
    """Narrow a query to the chat under test."""
    if table == "chats":
        return query.eq("id", w.chat_id)
    if table == "ohm_quarantine":
        return query.gte("id", 0)
    return query.eq("chat_id", w.chat_id)


async def _rest_outcome(w: World, table: str, verb: str, role: str) -> str:
    client = w.clients[role]
    builder = client.table(table)
    try:
        if verb == "select":
            rows = (await _scoped(builder.select("*"), table, w).execute()).data
            return "sees" if rows else "empty"
        if verb == "insert":
            await builder.insert(_row(table, w.chat_id, w.artifact_id, w.users.get("owner"))).execute()
            return "inserted"
        if verb == "update":
            rows = (await _scoped(builder.update(UPDATES[table]), table, w).execute()).data
        else:
            query = _scoped(builder.delete(), table, w)
            if table == "chat_members" and role in ("owner", "member"):
                query = query.eq("user_id", w.users["spare" if role == "owner" else "member"])
            rows = (await query.execute()).data
        return "changed" if rows else "no_rows"
    except APIError as exc:
        return "denied" if exc.code == "42501" else f"error {exc.code}: {exc.message}"


async def _rpc_outcome(w: World, function: str, role: str) -> str:
    arguments = {
        "chat_people": {"p_chat_id": w.chat_id},
        "share_chat": {"p_chat_id": w.chat_id, "p_email": new_email("invitee")},
        "remove_chat_member": {"p_chat_id": w.chat_id, "p_user_id": w.users["owner"]},  # nobody removes the owner
        "is_chat_member": {"p_chat_id": w.chat_id},
        "ohm_require_member": {"p_chat_id": w.chat_id, "p_what": "probes"},
    }[function]
    try:
        data = (await w.clients[role].rpc(function, arguments).execute()).data
    except APIError as exc:
        return "denied" if exc.code == "42501" else f"error {exc.code}: {exc.message}"
    if function == "is_chat_member":
        return str(data).lower()
    return "ok"


async def test_every_table_verb_and_caller_over_rest(standin: StandinProcess) -> None:
    async with world(standin) as w:
        for function, *expected in parse(RPC_MATRIX):  # first: the last REST cell ends a membership
            outcomes = [await _rpc_outcome(w, function, role) for role in ROLES]
            assert outcomes == expected, f"rpc {function}: expected {expected}, got {outcomes}"
        for table, verb, *expected in parse(REST_MATRIX):
            outcomes = [await _rest_outcome(w, table, verb, role) for role in ROLES]
            assert outcomes == expected, f"{table} {verb}: expected {expected}, got {outcomes}"


async def test_realtime_sends_each_caller_only_what_concerns_them(
    standin: StandinProcess, pg_cluster: PostgresCluster
) -> None:
    async with await psycopg.AsyncConnection.connect(pg_cluster.dsn) as conn:
        rows = await (await conn.execute(
            "select tablename from pg_publication_tables where pubname = 'supabase_realtime' order by tablename"
        )).fetchall()
    assert [row[0] for row in rows] == PUBLISHED  # chat_members is not published

    async with world(standin) as w:
        received: dict[str, list[tuple[str, str]]] = {role: [] for role in REALTIME_EXPECTED}
        delete_keys: list[list[str]] = []
        # Which DELETEs each subscriber heard, by the deleted row's id: waiting for one sentinel's own
        # DELETE (not a count) so that an earlier DELETE still on its way (the world's setup accepts an
        # invitation) cannot stand in for it.
        deleted_ids: dict[str, set[str]] = {role: set() for role in REALTIME_EXPECTED}

        def heard(role: str, table: str, payload: Any) -> None:
            data = payload["data"]
            received[role].append((table, getattr(data["type"], "value", data["type"])))
            if data["type"] == "DELETE":
                delete_keys.append(sorted((data.get("old_record") or {}).keys()))
                deleted_ids[role].add(str((data.get("old_record") or {}).get("id")))

        for role in REALTIME_EXPECTED:
            client = w.clients[role]
            channel = client.channel(f"matrix-{role}-{uuid.uuid4().hex[:6]}")
            for table in PUBLISHED:
                channel.on_postgres_changes("*", _guard(lambda p, r=role, t=table: heard(r, t, p)), table=table)
            joined = asyncio.Event()
            await channel.subscribe(lambda state, _error, j=joined: j.set() if str(state.value) == "SUBSCRIBED" else None)
            await asyncio.wait_for(joined.wait(), 20)

        owner = w.clients["owner"]

        async def invite_and_take_back() -> str:
            """A DELETE every subscriber receives: everything committed before it arrived before it."""
            email = new_email("sentinel")
            invited = received["owner"].count(("chat_invitations", "INSERT"))
            await owner.rpc("share_chat", {"p_chat_id": w.chat_id, "p_email": email}).execute()
            # Realtime judges visibility when it sends: taken back too soon, the inviter's copy never comes.
            await until_true(lambda: received["owner"].count(("chat_invitations", "INSERT")) > invited)
            [sentinel] = (await owner.table("chat_invitations").select("id").eq("invitee_email", email).execute()).data
            await owner.rpc("decline_invitation", {"p_invitation_id": sentinel["id"]}).execute()
            return str(sentinel["id"])

        async def all_heard(sentinel_id: str) -> None:
            await until_true(lambda: all(sentinel_id in deleted_ids[role] for role in deleted_ids if role != "anon"))

        await all_heard(await invite_and_take_back())  # the world's own setup may still be on its way: let it pass
        for events in received.values():
            events.clear()
        delete_keys.clear()
        await owner.rpc("remove_chat_member", {"p_chat_id": w.chat_id, "p_user_id": w.users["being_removed"]}).execute()
        await owner.table("messages").insert(_row("messages", w.chat_id, w.artifact_id)).execute()
        await owner.table("artifact_versions").insert(_row("artifact_versions", w.chat_id, w.artifact_id)).execute()
        await owner.table("chats").update({"title": "renamed live"}).eq("id", w.chat_id).execute()
        await all_heard(await invite_and_take_back())

        anon_heard = received.pop("anon")
        assert set(anon_heard) <= ANON_MAY_RECEIVE, anon_heard
        assert received == {role: events for role, events in REALTIME_EXPECTED.items() if role != "anon"}
        # The key only (a random uuid) for every account; nothing at all for anon.
        assert sorted(delete_keys) == [[]] * len(anon_heard) + [["id"]] * (len(REALTIME_EXPECTED) - 1)


async def until_true(check: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting for Realtime"
        await asyncio.sleep(0.02)


def _guard(callback: Callable[[Any], None]) -> Callable[[Any], None]:
    """realtime-py ends its listener when a callback raises: keep it alive and fail the test instead."""

    def guarded(payload: Any) -> None:
        try:
            callback(payload)
        except Exception:  # pragma: no cover - the assertion on what arrived reports it
            logging.getLogger(__name__).exception("realtime callback failed")

    return guarded
