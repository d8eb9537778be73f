"""The stand-in's Postgres side: a small connection pool, per-request roles and the catalog.

Every request runs in its own transaction as the role its JWT names (``anon``,
``authenticated`` or ``service_role``) with ``request.jwt.claims`` set, exactly what
PostgREST does, so the user's RLS policies decide what a request may see and write.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from tests.support.supabase_standin.platform_sql import PLATFORM_SQL

REPO_ROOT = Path(__file__).resolve().parents[3]
MIGRATIONS_DIR = REPO_ROOT / "supabase" / "migrations"
REALTIME_SQL = Path(__file__).with_name("realtime_tenant_schema.sql")
ROLES = ("anon", "authenticated", "service_role")


@dataclass(frozen=True)
class Column:
    name: str
    type_sql: str  # format_type(): what a value is cast to
    udt: str  # pg_type.typname, what Realtime reports in "columns"


@dataclass
class Table:
    schema: str
    name: str
    columns: list[Column]
    primary_key: list[str]
    by_name: dict[str, Column] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_name = {column.name: column for column in self.columns}

    @property
    def qualified(self) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(self.name))


@dataclass(frozen=True)
class Function:
    name: str
    arg_names: list[str]
    arg_types: list[str]
    #: ``returns table (...)`` / ``setof``: PostgREST answers with a JSON array of rows.
    returns_set: bool = False
    #: ``returns void``: PostgREST answers 204 No Content.
    returns_void: bool = False


class Database:
    """A fixed-size pool of connections to one database, plus its ``public`` catalog."""

    def __init__(self, dsn: str, *, size: int = 8) -> None:
        self.dsn = dsn
        self._size = size
        self._idle: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()
        self.tables: dict[str, Table] = {}
        self.functions: dict[str, Function] = {}
        self.realtime_tables: set[tuple[str, str]] = set()
        #: Names this server's replication slot (two servers over one database each have one).
        self.slot_suffix = uuid.uuid4().hex[:12]

    async def open(self) -> None:
        for _ in range(self._size):
            self._idle.put_nowait(await psycopg.AsyncConnection.connect(self.dsn))

    async def close(self) -> None:
        while not self._idle.empty():
            await self._idle.get_nowait().close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        conn = await self._idle.get()
        try:
            if conn.closed or conn.broken:
                conn = await psycopg.AsyncConnection.connect(self.dsn)
            yield conn
        finally:
            try:
                if not conn.closed and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    await conn.rollback()
            except BaseException:
                # Cancelled mid-rollback (a client went away): never lose the pool slot; a
                # closed connection is replaced by the next user.
                await conn.close()
                raise
            finally:
                self._idle.put_nowait(conn)

    @asynccontextmanager
    async def as_role(
        self, claims: dict[str, Any], *, statement_timeout_ms: int | None = None
    ) -> AsyncIterator[psycopg.AsyncCursor[Any]]:
        """A cursor inside a transaction running as the claims' role with the claims set."""
        role = claims.get("role", "anon")
        if role not in ROLES:
            role = "anon"
        async with self.connection() as conn, conn.transaction(), conn.cursor() as cur:
            await cur.execute(sql.SQL("set local role {}").format(sql.Identifier(role)))
            if statement_timeout_ms is not None and role != "service_role":
                await cur.execute(sql.SQL("set local statement_timeout = {}").format(sql.Literal(statement_timeout_ms)))
            await cur.execute(
                "select set_config('request.jwt.claims', %s, true), set_config('request.method', 'POST', true)",
                (json.dumps(claims),),
            )
            yield cur

    # ------------------------------------------------------------ setup
    async def prepare(self, migrations_dir: Path = MIGRATIONS_DIR) -> None:
        """Platform SQL and Realtime's schema, then every migration not applied yet; load the catalog."""
        async with await psycopg.AsyncConnection.connect(self.dsn, autocommit=True) as conn:
            await conn.execute(PLATFORM_SQL)
            if (await (await conn.execute("select to_regnamespace('realtime')")).fetchone()) == (None,):
                async with conn.transaction():
                    await conn.execute(REALTIME_SQL.read_text(encoding="utf-8"))  # type: ignore[arg-type]
            applied = {row[0] for row in await (await conn.execute("select name from standin.applied_migrations")).fetchall()}
            for path in sorted(migrations_dir.glob("*.sql")):
                if path.name in applied:
                    continue
                async with conn.transaction():
                    await conn.execute(path.read_text(encoding="utf-8"))  # type: ignore[arg-type]
                    await conn.execute("insert into standin.applied_migrations (name) values (%s)", (path.name,))
            await self._load_catalog(conn)

    async def _load_catalog(self, conn: psycopg.AsyncConnection[Any]) -> None:
        rows = await (
            await conn.execute(
                """
                select c.relname, a.attname, format_type(a.atttypid, a.atttypmod), t.typname,
                       coalesce(a.attnum = any(i.indkey), false)
                from pg_class c
                join pg_namespace n on n.oid = c.relnamespace
                join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                join pg_type t on t.oid = a.atttypid
                left join pg_index i on i.indrelid = c.oid and i.indisprimary
                where n.nspname = 'public' and c.relkind in ('r', 'v', 'p')
                order by c.relname, a.attnum
                """
            )
        ).fetchall()
        tables: dict[str, Table] = {}
        for table_name, column, type_sql, udt, is_pk in rows:
            table = tables.setdefault(table_name, Table("public", table_name, [], []))
            table.columns.append(Column(column, type_sql, udt))
            if is_pk:
                table.primary_key.append(column)
        for table in tables.values():
            table.by_name = {column.name: column for column in table.columns}
        self.tables = tables
        functions = await (
            await conn.execute(
                """
                select p.proname, coalesce(p.proargnames, '{}'),
                       array(select format_type(t, null) from unnest(p.proargtypes) t),
                       p.proretset, p.prorettype = 'void'::regtype
                from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                where n.nspname = 'public'
                """
            )
        ).fetchall()
        self.functions = {
            name: Function(name, list(names), list(types), bool(is_set), bool(is_void))
            for name, names, types, is_set, is_void in functions
        }
        published = await (
            await conn.execute("select schemaname, tablename from pg_publication_tables where pubname = 'supabase_realtime'")
        ).fetchall()
        self.realtime_tables = {(schema, name) for schema, name in published}
