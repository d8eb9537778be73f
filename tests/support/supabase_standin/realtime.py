"""Realtime under ``/realtime/v1/websocket``: Phoenix v1 JSON protocol, ``postgres_changes`` only.

What realtime-py sends and expects: ``phx_join`` with ``config.postgres_changes`` bindings and
``access_token``; a ``phx_reply`` ``{"status": "ok", "response": {"postgres_changes": [...ids]}}``
echoing each binding with a server id; then a ``system`` message "Subscribed to PostgreSQL";
``heartbeat`` on topic ``phoenix`` answered with ``phx_reply``; ``access_token`` to swap the JWT;
``phx_leave``. Changes arrive as ``postgres_changes`` with ``{"data": {"schema", "table",
"commit_timestamp", "type", "record", "old_record", "columns", "errors"}, "ids": [...]}``.

Like real Realtime (walrus), a change is sent to a subscriber only if the subscriber's JWT can
SELECT the row (its primary key is queried as that role, so RLS decides); deletes carry only
the old primary key. Missed events are not replayed: clients catch up over REST. A channel
whose JWT expires without an ``access_token`` update is told so and closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
import psycopg
from aiohttp import WSMsgType, web
from psycopg import sql

from tests.support.supabase_standin.auth import Tokens
from tests.support.supabase_standin.database import Database

log = logging.getLogger(__name__)


@dataclass
class Binding:
    id: int
    event: str
    schema: str
    table: str | None
    filter: str | None

    def echo(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "event": self.event, "schema": self.schema}
        if self.table is not None:
            out["table"] = self.table
        if self.filter is not None:
            out["filter"] = self.filter
        return out

    def matches(self, change: dict[str, Any]) -> bool:
        if self.schema != change["schema_name"] or (self.table not in (None, "*", change["table_name"])):
            return False
        if self.event not in ("*", change["type"]):
            return False
        return self.filter is None or _filter_matches(self.filter, change["record"] or change["old_record"] or {})


def _compare(op: str, actual: Any, expected: str) -> bool:
    if actual is None:
        return False
    text = actual if isinstance(actual, str) else json.dumps(actual)
    if op == "eq":
        return text == expected
    if op == "neq":
        return text != expected
    if op == "in":
        return text in [item.strip().strip('"') for item in expected.strip("()").split(",")]
    try:
        left, right = float(text), float(expected)
    except ValueError:
        left, right = text, expected  # type: ignore[assignment]
    return {"lt": left < right, "lte": left <= right, "gt": left > right, "gte": left >= right}.get(op, False)


def _filter_matches(filter_text: str, record: dict[str, Any]) -> bool:
    for condition in filter_text.split(","):  # realtime-py documents comma-joined AND conditions
        column, _, rest = condition.partition("=")
        op, _, value = rest.partition(".")
        if op == "in":
            value = rest[3:]
        if not _compare(op, record.get(column), value):
            return False
    return True


@dataclass
class Subscription:
    """One joined channel of one socket."""

    topic: str
    join_ref: str | None
    claims: dict[str, Any]
    bindings: list[Binding] = field(default_factory=list)


@dataclass(eq=False)
class Socket:
    ws: web.WebSocketResponse
    request: web.Request
    channels: dict[str, Subscription] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, message: dict[str, Any]) -> None:
        async with self.lock:
            await self.ws.send_str(json.dumps(message))


class RealtimeEndpoint:
    """The websocket endpoint plus the dispatcher that turns captured changes into messages."""

    def __init__(self, db: Database, tokens: Tokens) -> None:
        self.db = db
        self.tokens = tokens
        self.sockets: set[Socket] = set()
        self._listener: asyncio.Task[None] | None = None
        self._expiry: asyncio.Task[None] | None = None
        self._pending: asyncio.Queue[int] = asyncio.Queue()
        self._columns: dict[tuple[str, str], list[dict[str, str]]] = {}

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/realtime/v1/websocket", self.websocket)]

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        for table in self.db.tables.values():
            self._columns[(table.schema, table.name)] = [{"name": c.name, "type": c.udt} for c in table.columns]
        self._listener = asyncio.create_task(self._listen())
        self._expiry = asyncio.create_task(self._expire_forever())

    async def stop(self) -> None:
        for task in (self._listener, self._expiry):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for socket in list(self.sockets):
            await socket.ws.close()

    async def close_channels(self) -> int:
        """Close every joined channel the way the server does (``phx_close``), sockets left open."""
        count = 0
        for socket in list(self.sockets):
            for topic in list(socket.channels):
                await self._close_channel(socket, topic)
                count += 1
        return count

    async def _close_channel(self, socket: Socket, topic: str) -> None:
        subscription = socket.channels.pop(topic, None)
        if subscription is None:
            return
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            await socket.send(
                {"event": "phx_close", "topic": topic, "payload": {}, "ref": subscription.join_ref,
                 "join_ref": subscription.join_ref}
            )

    async def _expire_forever(self) -> None:
        """Like Realtime: a channel whose JWT expired (and was not replaced) gets an error and is closed."""
        while True:
            await asyncio.sleep(0.5)
            now = time.time()
            for socket in list(self.sockets):
                for topic, subscription in list(socket.channels.items()):
                    exp = subscription.claims.get("exp")
                    if isinstance(exp, int | float) and exp < now:
                        await self._system(socket, topic, f"Token has expired {int(now - exp)} seconds ago", "error")
                        await self._close_channel(socket, topic)

    def drop_all(self) -> int:
        """Cut every socket without a close frame (what a network failure looks like)."""
        count = 0
        for socket in list(self.sockets):
            transport = socket.request.transport
            if transport is not None:
                transport.abort()
                count += 1
        return count

    # ------------------------------------------------------------ websocket
    def _socket_claims(self, request: web.Request) -> dict[str, Any] | None:
        apikey = request.query.get("apikey") or request.headers.get("apikey")
        if not apikey:
            return None
        try:
            return self.tokens.decode(apikey)
        except jwt.InvalidTokenError:
            return None

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        base_claims = self._socket_claims(request)
        if base_claims is None:
            return web.json_response({"message": "Invalid API key"}, status=401)
        ws = web.WebSocketResponse(heartbeat=None, max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        socket = Socket(ws, request)
        self.sockets.add(socket)
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    await self._handle(socket, base_claims, json.loads(message.data))
                except (ConnectionResetError, RuntimeError):
                    break
        finally:
            self.sockets.discard(socket)
        return ws

    async def _reply(self, socket: Socket, message: dict[str, Any], status: str, response: dict[str, Any]) -> None:
        await socket.send(
            {
                "event": "phx_reply",
                "topic": message.get("topic"),
                "payload": {"status": status, "response": response},
                "ref": message.get("ref"),
                "join_ref": message.get("join_ref"),
            }
        )

    def _token_claims(self, token: str | None, fallback: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
        if not token:
            return fallback, ""
        try:
            return self.tokens.decode(token), ""
        except jwt.ExpiredSignatureError:
            return None, "Token has expired 0 seconds ago"
        except jwt.InvalidTokenError as exc:
            return None, f"Invalid token: {exc}"

    async def _handle(self, socket: Socket, base_claims: dict[str, Any], message: dict[str, Any]) -> None:
        topic = str(message.get("topic", ""))
        event = message.get("event")
        payload = message.get("payload") or {}
        if topic == "phoenix" and event == "heartbeat":
            await self._reply(socket, message, "ok", {})
            return
        if event == "phx_join":
            await self._join(socket, base_claims, message, topic, payload)
        elif event == "access_token":
            subscription = socket.channels.get(topic)
            claims, error = self._token_claims(payload.get("access_token"), base_claims)
            if subscription is not None and claims is not None:
                subscription.claims = claims
            elif subscription is not None:
                await self._system(socket, topic, error, "error")
            await self._reply(socket, message, "ok", {})
        elif event == "phx_leave":
            socket.channels.pop(topic, None)
            await self._reply(socket, message, "ok", {})
        else:
            await self._reply(socket, message, "ok", {})

    async def _system(self, socket: Socket, topic: str, text: str, status: str) -> None:
        await socket.send(
            {
                "event": "system",
                "topic": topic,
                "payload": {
                    "channel": topic.removeprefix("realtime:"),
                    "extension": "postgres_changes",
                    "message": text,
                    "status": status,
                },
                "ref": None,
            }
        )

    async def _join(
        self, socket: Socket, base_claims: dict[str, Any], message: dict[str, Any], topic: str, payload: dict[str, Any]
    ) -> None:
        claims, error = self._token_claims(payload.get("access_token"), base_claims)
        if claims is None:
            await self._reply(socket, message, "error", {"reason": error})
            return
        config = payload.get("config") or {}
        bindings: list[Binding] = []
        for spec in config.get("postgres_changes") or []:
            schema = spec.get("schema") or "public"
            table = spec.get("table")
            if table not in (None, "*") and (schema, table) not in self.db.realtime_tables:
                await self._reply(
                    socket,
                    message,
                    "error",
                    {"reason": f"Unable to subscribe to changes with given parameters: {schema}.{table} is not in publication supabase_realtime"},
                )
                return
            bindings.append(
                Binding(random.randint(1, 2**31 - 1), spec.get("event", "*"), schema, table, spec.get("filter"))
            )
        socket.channels[topic] = Subscription(topic, message.get("join_ref") or message.get("ref"), claims, bindings)
        await self._reply(socket, message, "ok", {"postgres_changes": [b.echo() for b in bindings]})
        if bindings:
            await self._system(socket, topic, "Subscribed to PostgreSQL", "ok")

    # ------------------------------------------------------------ change feed
    async def _listen(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.db.dsn, autocommit=True) as conn:
                    await conn.execute("listen standin_realtime")
                    # Changes captured while nobody listened (e.g. before a restart) are stale:
                    # real Realtime does not replay them either.
                    await conn.execute("delete from standin_realtime.changes")
                    dispatcher = asyncio.create_task(self._dispatch_forever())
                    try:
                        async for notify in conn.notifies():
                            self._pending.put_nowait(int(notify.payload))
                    finally:
                        dispatcher.cancel()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("realtime listener failed; reconnecting")
                await asyncio.sleep(0.5)

    async def _dispatch_forever(self) -> None:
        while True:
            ids = [await self._pending.get()]
            while not self._pending.empty() and len(ids) < 1000:
                ids.append(self._pending.get_nowait())
            try:
                await self._dispatch(ids)
            except Exception:
                log.exception("realtime dispatch failed")

    async def _dispatch(self, ids: list[int]) -> None:
        async with self.db.connection() as conn, conn.transaction(), conn.cursor() as cur:
            await cur.execute(
                "delete from standin_realtime.changes where id = any(%s) returning id, schema_name, table_name, type, "
                "record, old_record, to_char(commit_timestamp at time zone 'UTC', "
                "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
                (ids,),
            )
            fetched = await cur.fetchall()
        by_id = {
            row[0]: {
                "id": row[0], "schema_name": row[1], "table_name": row[2], "type": row[3],
                "record": row[4], "old_record": row[5], "commit_timestamp": row[6],
            }
            for row in fetched
        }
        changes = [by_id[i] for i in ids if i in by_id]  # notification order = commit order
        if not changes or not self.sockets:
            return
        # Who may see what: one query per (subscriber identity, table) for the whole batch.
        wanted: dict[tuple[str, str, str], set[int]] = {}
        targets: list[tuple[Socket, Subscription, dict[str, Any], list[int]]] = []
        for socket in list(self.sockets):
            for subscription in list(socket.channels.values()):
                for change in changes:
                    matched = [b.id for b in subscription.bindings if b.matches(change)]
                    if not matched:
                        continue
                    targets.append((socket, subscription, change, matched))
                    identity = json.dumps(subscription.claims, sort_keys=True)
                    wanted.setdefault((identity, change["schema_name"], change["table_name"]), set()).add(change["id"])
        visible: dict[tuple[str, str, str], set[int]] = {}
        for (identity, schema, table), change_ids in wanted.items():
            visible[(identity, schema, table)] = await self._visible(
                json.loads(identity), schema, table, [by_id[i] for i in change_ids]
            )
        for socket, subscription, change, matched in targets:
            identity = json.dumps(subscription.claims, sort_keys=True)
            if change["id"] not in visible[(identity, change["schema_name"], change["table_name"])]:
                continue
            data: dict[str, Any] = {
                "schema": change["schema_name"],
                "table": change["table_name"],
                "commit_timestamp": change["commit_timestamp"],
                "type": change["type"],
                "columns": self._columns.get((change["schema_name"], change["table_name"]), []),
                "errors": None,
            }
            if change["type"] != "DELETE":
                data["record"] = change["record"]
            if change["type"] != "INSERT":
                data["old_record"] = self._key_only(change)
            try:
                await socket.send(
                    {"event": "postgres_changes", "topic": subscription.topic, "payload": {"data": data, "ids": matched}, "ref": None}
                )
            except (ConnectionResetError, RuntimeError):
                self.sockets.discard(socket)

    def _key_only(self, change: dict[str, Any]) -> dict[str, Any]:
        table = self.db.tables.get(change["table_name"])
        old = change["old_record"] or {}
        return {k: old.get(k) for k in (table.primary_key if table else [])}

    async def _visible(
        self, claims: dict[str, Any], schema: str, table_name: str, changes: list[dict[str, Any]]
    ) -> set[int]:
        """Which of these changes the subscriber's role can SELECT now (deletes: always)."""
        table = self.db.tables.get(table_name)
        result = {c["id"] for c in changes if c["type"] == "DELETE"}
        rows = [c for c in changes if c["type"] != "DELETE"]
        if not rows or table is None:
            return result
        if claims.get("role") == "service_role":
            return result | {c["id"] for c in rows}
        keys = table.primary_key
        key_cols = sql.SQL(", ").join(sql.Identifier(k) for k in keys)
        query = sql.SQL(
            "select to_jsonb(k)::text from (select {cols} from {table} where ({cols}) in "
            "(select {cols} from json_populate_recordset(null::{table}, %s::json))) k"
        ).format(cols=key_cols, table=table.qualified)
        records = [c["record"] for c in rows]
        try:
            async with self.db.as_role(claims) as cur:
                await cur.execute(query, (json.dumps(records),))
                seen = {json.dumps(json.loads(row[0]), sort_keys=True) for row in await cur.fetchall()}
        except psycopg.Error:
            log.exception("visibility check failed")
            return result
        for change in rows:
            key = json.dumps({k: change["record"].get(k) for k in keys}, sort_keys=True)
            if key in seen:
                result.add(change["id"])
        return result
