"""Supabase's own linters on a database built from every migration in supabase/migrations.

splinter (the dashboard's Advisors; tests/support/splinter/splinter.sql) must find nothing a
migration does not name as intended, with a line ``-- splinter: allow <cache_key> -- why`` (one
finding) or ``-- splinter: allow-lint <name> -- why`` (a whole lint). plpgsql_check
(postgresql-15-plpgsql-check, what ``supabase db lint`` runs) must find no error in any PL/pgSQL
function of ``public``. New migrations are covered without editing this file.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support.supabase_standin import PostgresCluster
from tests.support.supabase_standin.database import MIGRATIONS_DIR, Database

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

SPLINTER_SQL = Path(__file__).resolve().parents[2] / "support" / "splinter" / "splinter.sql"
_ALLOW = re.compile(r"^--\s*splinter:\s*(allow|allow-lint)\s+(.+?)\s+--\s+\S", re.MULTILINE)


@pytest.fixture(scope="module")
def migrated(pg_cluster: PostgresCluster) -> Iterator[str]:
    """A new database in the session's cluster with the platform SQL and every migration."""
    name = f"lint_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_cluster.dsn, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')  # type: ignore[arg-type]
    dsn = pg_cluster.dsn.replace("dbname=postgres", f"dbname={name}")
    asyncio.run(Database(dsn).prepare())
    yield dsn
    with psycopg.connect(pg_cluster.dsn, autocommit=True) as conn:
        conn.execute(f'drop database "{name}" with (force)')  # type: ignore[arg-type]


def _intended() -> tuple[set[str], set[str]]:
    keys: set[str] = set()
    lints: set[str] = set()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        for kind, value in _ALLOW.findall(path.read_text(encoding="utf-8")):
            (lints if kind == "allow-lint" else keys).add(value.strip())
    return keys, lints


def test_splinter_finds_nothing_the_migrations_do_not_call_intended(migrated: str) -> None:
    keys, lints = _intended()
    with psycopg.connect(migrated) as conn:
        # Hosted PostgREST's exposed schemas: lints 0026-0029 look only at those.
        conn.execute("select set_config('pgrst.db_schemas', 'public, graphql_public', false)")
        # splinter.sql starts with `set local search_path = ''`; run it apart (one result per execute).
        query = SPLINTER_SQL.read_text(encoding="utf-8").replace("set local search_path = '';", "", 1)
        conn.execute("set local search_path = ''")
        rows = conn.execute(query).fetchall()  # type: ignore[arg-type]
    findings = [(str(row[0]), str(row[9]), str(row[6])) for row in rows]
    unexpected = [f"{name}: {detail}" for name, key, detail in findings if key not in keys and name not in lints]
    assert unexpected == []


def test_plpgsql_check_finds_no_error_in_any_function(migrated: str) -> None:
    with psycopg.connect(migrated, autocommit=True) as conn:
        conn.execute("create extension if not exists plpgsql_check")
        functions = conn.execute(
            """
            select p.oid, p.oid::regprocedure::text, coalesce(trig.tgrelid, 0)
            from pg_proc p
            join pg_namespace n on n.oid = p.pronamespace
            join pg_language l on l.oid = p.prolang and l.lanname = 'plpgsql'
            left join lateral (select t.tgrelid from pg_trigger t where t.tgfoid = p.oid limit 1) trig on true
            where n.nspname = 'public' and (p.prorettype <> 'trigger'::regtype or trig.tgrelid is not null)
            """
        ).fetchall()
        assert {"share_chat(uuid,text)", "ohm_before_version_insert()"} <= {name for _, name, _ in functions}
        rows = [
            (name, level, message)
            for oid, name, relid in functions
            for level, message in conn.execute(
                "select level, message from plpgsql_check_function_tb(%s, %s)", (oid, relid)
            ).fetchall()
        ]
    errors = [f"{function}: {message}" for function, level, message in rows if level == "error"]
    assert errors == []
