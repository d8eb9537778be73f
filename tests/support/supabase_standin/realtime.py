"""Realtime under ``/realtime/v1/websocket``: Phoenix v1 JSON protocol, ``postgres_changes`` only.

What realtime-py sends and expects: ``phx_join`` with ``config.postgres_changes`` bindings and
``access_token``; a ``phx_reply`` ``{"status": "ok", "response": {"postgres_changes": [...ids]}}``
echoing each binding with a server id; then a ``system`` message "Subscribed to PostgreSQL";
``heartbeat`` on topic ``phoenix`` answered with ``phx_reply``; ``access_token`` to swap the JWT;
``phx_leave``. Changes arrive as ``postgres_changes`` with ``{"ids": [...], "data": {"schema",
"table", "commit_timestamp", "type", "record", "old_record", "columns", "errors"}}``.

Changes are captured the way real Realtime captures them: a temporary wal2json logical slot
polled through Realtime's own SQL (realtime_tenant_schema.sql: ``realtime.list_changes`` and
``realtime.apply_rls``), so RLS is checked per subscriber at poll time, DELETEs go to every
subscriber with the primary key only, a record over 1 MiB comes with only its fields of <= 64
bytes and ``errors: ["Error 413: Payload Too Large"]``, and ``commit_timestamp`` is the commit's.
The project's ``max_events_per_second`` drop is :class:`RateCounter`. Missed events are not
replayed: clients catch up over REST.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
import psycopg
from aiohttp import WSMsgType, web

from tests.support.supabase_standin.auth import Tokens
from tests.support.supabase_standin.database import Database
from tests.support.supabase_standin.rate_counter import RateCounter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RealtimeLimits:
    """A tenant's postgres_changes settings (lib/extensions/postgres_cdc_rls/db_settings.ex
    defaults; max_events_per_second is the tenant column, 100 on hosted projects)."""

    poll_interval_ms: int = 100
    poll_max_changes: int = 100
    max_record_bytes: int = 1_048_576
    max_events_per_second: float | None = 100.0
    rate_tick_s: float = 5.0


@dataclass
class Binding:
    id: int
    event: str
    schema: str
    table: str | None
    filter: str | None
    subscription_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def echo(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "event": self.event, "schema": self.schema}
        if self.table is not None:
            out["table"] = self.table
        if self.filter is not None:
            out["filter"] = self.filter
        return out


@dataclass
class Subscription:
    """One joined channel of one socket."""

    topic: str
    join_ref: str | None
    claims: dict[str, Any]
    access_token: str | None
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
    """The websocket endpoint plus the poller that turns WAL changes into messages."""

    def __init__(self, db: Database, tokens: Tokens, limits: RealtimeLimits | None = None) -> None:
        self.db = db
        self.tokens = tokens
        self.limits = limits or RealtimeLimits()
        self.rate = RateCounter(self.limits.max_events_per_second, tick_s=self.limits.rate_tick_s)
        #: Changes skipped because the rate limit was on (tests and benchmarks read it).
        self.dropped = 0
        self.sockets: set[Socket] = set()
        self._poller: asyncio.Task[None] | None = None
        self._expiry: asyncio.Task[None] | None = None
        self._by_subscription_id: dict[str, tuple[Socket, Subscription, Binding]] = {}

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/realtime/v1/websocket", self.websocket)]

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        conn = await self._connect_poller()
        async with self.db.connection() as db, db.transaction():
            # Subscriptions of server processes that are gone (killed: their slot went with them).
            await db.execute(
                "delete from realtime.subscription s where not exists (select 1 from pg_replication_slots r"
                " where r.slot_name = 'supabase_realtime_rls_standin_' || (s.claims ->> 'standin_server'))"
            )
        self.rate.start()
        self._poller = asyncio.create_task(self._poll_forever(conn))
        self._expiry = asyncio.create_task(self._expire_forever())

    async def stop(self) -> None:
        self.rate.stop()
        for task in (self._poller, self._expiry):
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
        await self._unsubscribe(subscription)
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            await socket.send(
                {"event": "phx_close", "topic": topic, "payload": {}, "ref": subscription.join_ref,
                 "join_ref": subscription.join_ref}
            )

    async def _shutdown_channel(self, socket: Socket, topic: str, message: str) -> None:
        """realtime_channel.ex ``shutdown_response/2``: a ``system`` error (extension "system"),
        then the channel process stops normally, which Phoenix reports as ``phx_close``."""
        await self._system(socket, topic, message, "error", extension="system")
        await self._close_channel(socket, topic)

    async def _expire_forever(self) -> None:
        """realtime_channel.ex ``handle_info(:confirm_token, ...)``: a channel whose JWT expired
        (``exp - Joken.current_time() > 0`` fails; no leeway) is shut down."""
        while True:
            await asyncio.sleep(0.5)
            now = time.time()
            for socket in list(self.sockets):
                for topic, subscription in list(socket.channels.items()):
                    exp = subscription.claims.get("exp")
                    if isinstance(exp, int | float) and exp <= now:
                        await self._shutdown_channel(socket, topic, f"Token has expired {int(now - exp)} seconds ago")

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
            for subscription in list(socket.channels.values()):
                await self._unsubscribe(subscription)
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
        # realtime_channel.ex assign_access_token/2: an "sb_" API key is not a user token;
        # the tenant's (anon) claims apply.
        if not token or token.startswith("sb_"):
            return fallback, ""
        try:
            return self.tokens.decode(token, leeway=0), ""
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
            await self._access_token(socket, base_claims, topic, payload.get("access_token"))
        elif event == "phx_leave":
            subscription = socket.channels.pop(topic, None)
            if subscription is not None:
                await self._unsubscribe(subscription)
            await self._reply(socket, message, "ok", {})
        else:
            await self._reply(socket, message, "ok", {})

    async def _access_token(self, socket: Socket, base_claims: dict[str, Any], topic: str, token: Any) -> None:
        """realtime_channel.ex ``handle_in("access_token", ...)``: never replied to. An ``sb_``
        key, the same token or null is ignored; a valid new token re-subscribes with the new
        claims (postgres_subscribe -> "Subscribed to PostgreSQL" again); an invalid or expired
        one shuts the channel down."""
        subscription = socket.channels.get(topic)
        if subscription is None or not isinstance(token, str) or token.startswith("sb_"):
            return
        if token == subscription.access_token:
            return
        claims, error = self._token_claims(token, base_claims)
        if claims is None:
            await self._shutdown_channel(socket, topic, error)
            return
        subscription.claims = claims
        subscription.access_token = token
        if subscription.bindings:
            await self._subscribe(subscription)
            await self._system(socket, topic, "Subscribed to PostgreSQL", "ok")

    async def _system(self, socket: Socket, topic: str, text: str, status: str, *, extension: str = "postgres_changes") -> None:
        await socket.send(
            {
                "event": "system",
                "topic": topic,
                "payload": {
                    "channel": topic.removeprefix("realtime:"),
                    "extension": extension,
                    "message": text,
                    "status": status,
                },
                "ref": None,
            }
        )

    async def _join(
        self, socket: Socket, base_claims: dict[str, Any], message: dict[str, Any], topic: str, payload: dict[str, Any]
    ) -> None:
        token = payload.get("access_token")
        claims, error = self._token_claims(token, base_claims)
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
        old = socket.channels.pop(topic, None)
        if old is not None:
            await self._unsubscribe(old)
        subscription = Subscription(
            topic, message.get("join_ref") or message.get("ref"), claims, token if isinstance(token, str) else None, bindings
        )
        socket.channels[topic] = subscription
        for binding in bindings:
            self._by_subscription_id[binding.subscription_id] = (socket, subscription, binding)
        await self._reply(socket, message, "ok", {"postgres_changes": [b.echo() for b in bindings]})
        if bindings:
            await self._subscribe(subscription)
            await self._system(socket, topic, "Subscribed to PostgreSQL", "ok")

    # ------------------------------------------------------------ change feed
    async def _subscribe(self, subscription: Subscription) -> None:
        """Realtime's SubscriptionManager: one realtime.subscription row per binding and table
        (lib/extensions/postgres_cdc_rls/subscriptions.ex, ``query/5``, same SQL)."""
        for binding in subscription.bindings:
            filters = [_parse_filter(part) for part in (binding.filter or "").split(",") if part]
            async with self.db.connection() as conn, conn.transaction():
                await conn.execute(
                    _SUBSCRIPTION_INSERT,
                    {
                        "publication": "supabase_realtime", "schema": binding.schema, "table": binding.table or "*",
                        "id": binding.subscription_id,
                        # Marks whose server this subscription is (start() drops other dead ones').
                        "claims": json.dumps({**subscription.claims, "standin_server": self.db.slot_suffix}),
                        "columns": [f[0] for f in filters], "ops": [f[1] for f in filters],
                        "values": [f[2] for f in filters], "negates": [False for _ in filters],
                        "action": binding.event if binding.event in ("INSERT", "UPDATE", "DELETE") else "*",
                        "selected": None,
                    },
                )

    async def _unsubscribe(self, subscription: Subscription) -> None:
        ids = [binding.subscription_id for binding in subscription.bindings]
        for binding in subscription.bindings:
            self._by_subscription_id.pop(binding.subscription_id, None)
        if ids:
            with contextlib.suppress(psycopg.Error):
                async with self.db.connection() as conn, conn.transaction():
                    await conn.execute("delete from realtime.subscription where subscription_id = any(%s::uuid[])", (ids,))

    @property
    def _slot(self) -> str:
        return f"supabase_realtime_rls_standin_{self.db.slot_suffix}"

    async def _connect_poller(self) -> psycopg.AsyncConnection[Any]:
        conn = await psycopg.AsyncConnection.connect(self.db.dsn, autocommit=True)
        await conn.execute(_PREPARE_REPLICATION, {"slot": self._slot})
        return conn

    async def _poll_forever(self, conn: psycopg.AsyncConnection[Any] | None) -> None:
        """Realtime's ReplicationPoller: a temporary wal2json slot drained by realtime.list_changes.

        lib/extensions/postgres_cdc_rls/replication_poller.ex, ``handle_info(:poll, ...)``: rows
        processed -> poll again at once; slot changes but none for subscribers -> after
        poll_interval_ms + 50..100 ms; idle -> poll_interval_ms * 5. Defaults from
        db_settings.ex: poll_interval_ms 100, poll_max_changes 100, poll_max_record_bytes 1 MiB.
        The slot exists only while this connection does: changes made while the server is down
        are never replayed, as with real Realtime.
        """
        while True:
            try:
                async with conn or await self._connect_poller() as conn:
                    while True:
                        processed, slot_changes = await self._poll_once(conn, self._slot)
                        if processed:
                            await asyncio.sleep(0)
                        elif slot_changes:
                            await asyncio.sleep((self.limits.poll_interval_ms + random.randint(50, 100)) / 1000)
                        else:
                            await asyncio.sleep(self.limits.poll_interval_ms * 5 / 1000)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("realtime poller failed; reconnecting")
                conn = None
                await asyncio.sleep(0.5)

    async def _poll_once(self, conn: psycopg.AsyncConnection[Any], slot: str) -> tuple[int, int]:
        cursor = await conn.execute(
            _LIST_CHANGES, ("supabase_realtime", slot, self.limits.poll_max_changes, self.limits.max_record_bytes)
        )
        rows = await cursor.fetchall()
        if not rows:
            return 0, 0
        slot_changes = int(rows[0][-1] or 0)
        real = [row for row in rows if row[0] is not None]
        if self.rate.triggered():
            # handle_list_changes_result: over the limit, the whole poll is consumed and skipped.
            self.dropped += len(real)
            return len(real), slot_changes
        for change_type, schema, table, columns, record, old_record, commit_timestamp, sub_ids, errors, _ in real:
            ours = [str(i) for i in sub_ids if str(i) in self._by_subscription_id]
            self.rate.add(len(ours))
            data = {
                "schema": schema,
                "table": table,
                "commit_timestamp": commit_timestamp,
                "type": change_type,
                "columns": json.loads(columns),
                # convert_errors/1: an empty list is sent as null
                "errors": list(errors) if errors else None,
            }
            if change_type != "DELETE":
                data["record"] = json.loads(record)
            if change_type != "INSERT":
                data["old_record"] = json.loads(old_record)
            await self._deliver(data, ours)
        return len(real), slot_changes

    async def _deliver(self, data: dict[str, Any], subscription_ids: list[str]) -> None:
        """MessageDispatcher.dispatch: per channel, the binding ids whose subscription saw it."""
        per_channel: dict[tuple[int, str], tuple[Socket, Subscription, list[int]]] = {}
        for subscription_id in subscription_ids:
            target = self._by_subscription_id.get(subscription_id)
            if target is None:
                continue
            socket, subscription, binding = target
            entry = per_channel.setdefault((id(socket), subscription.topic), (socket, subscription, []))
            if binding.id not in entry[2]:
                entry[2].append(binding.id)
        for socket, subscription, ids in per_channel.values():
            if socket.channels.get(subscription.topic) is not subscription:
                continue
            try:
                await socket.send(
                    {"event": "postgres_changes", "topic": subscription.topic, "payload": {"ids": ids, "data": data}, "ref": None}
                )
            except (ConnectionResetError, RuntimeError):
                self.sockets.discard(socket)


def _parse_filter(text: str) -> tuple[str, str, str]:
    column, _, rest = text.partition("=")
    op, _, value = rest.partition(".")
    return column, op, value


# lib/extensions/postgres_cdc_rls/replications.ex, prepare_replication/2 (temporary slot).
_PREPARE_REPLICATION = """
select case when not exists (select 1 from pg_replication_slots where slot_name = %(slot)s)
then (select 1 from pg_create_logical_replication_slot(%(slot)s, 'wal2json', 'true')) else 1 end
"""

# lib/extensions/postgres_cdc_rls/replications.ex, list_changes/5.
_LIST_CHANGES = """
SELECT wal->>'type' as type, wal->>'schema' as schema, wal->>'table' as table,
       COALESCE(wal->>'columns', '[]') as columns, COALESCE(wal->>'record', '{}') as record,
       COALESCE(wal->>'old_record', '{}') as old_record, wal->>'commit_timestamp' as commit_timestamp,
       subscription_ids, errors, slot_changes_count
FROM realtime.list_changes(%s, %s, %s, %s)
"""

# lib/extensions/postgres_cdc_rls/subscriptions.ex, query/5.
_SUBSCRIPTION_INSERT = """
with sub_tables as (
    select rr.entity
    from pg_publication_tables pub,
         lateral (select format('%%I.%%I', pub.schemaname, pub.tablename)::regclass entity) rr
    where pub.pubname = %(publication)s
      and pub.schemaname like (case %(schema)s when '*' then '%%' else %(schema)s end) escape ''
      and pub.tablename like (case %(table)s when '*' then '%%' else %(table)s end) escape ''
)
insert into realtime.subscription as x (subscription_id, entity, filters, claims, action_filter, selected_columns)
select %(id)s::text::uuid, sub_tables.entity,
       (select coalesce(array_agg(row(c, o::realtime.equality_op, v, n)::realtime.user_defined_filter),
                        '{}'::realtime.user_defined_filter[])
        from unnest(%(columns)s::text[], %(ops)s::text[], %(values)s::text[], %(negates)s::boolean[]) as f(c, o, v, n)),
       %(claims)s::jsonb, %(action)s, %(selected)s::text[]
from sub_tables
on conflict (subscription_id, entity, filters, action_filter, coalesce(selected_columns, '{}'))
do update set claims = excluded.claims, created_at = now()
"""
