"""A project set up with the earlier migrations applies only 20261202000000_ohm_security.sql,
and rows the old rules let in (issue #12's forged versions) end up in ohm_quarantine."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from ohm_desktop.sync.service import OUTDATED_PROJECT
from tests.integration.sync.conftest import new_email
from tests.support.supabase_standin import PostgresCluster, StandinProcess
from tests.support.supabase_standin.database import MIGRATIONS_DIR
from tests.support.supabase_standin.platform_sql import PLATFORM_SQL

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

SECURITY = "20261202000000_ohm_security.sql"


@pytest.fixture
def old_project(pg_cluster: PostgresCluster) -> Iterator[psycopg.Connection]:
    name = f"upgrade_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_cluster.dsn, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    try:
        with psycopg.connect(pg_cluster.dsn.replace("dbname=postgres", f"dbname={name}"), autocommit=True) as conn:
            conn.execute(PLATFORM_SQL)
            for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
                if path.name < SECURITY:
                    conn.execute(path.read_text(encoding="utf-8"))  # type: ignore[call-overload]
            yield conn
    finally:
        with psycopg.connect(pg_cluster.dsn, autocommit=True) as admin:
            admin.execute(f'drop database "{name}" with (force)')


def _as(conn: psycopg.Connection, user: uuid.UUID, sql: str, *params: object) -> None:
    """One statement as an authenticated user, the way PostgREST runs it."""
    with conn.transaction():
        conn.execute("set local role authenticated")
        conn.execute("select set_config('request.jwt.claims', %s, true)", (f'{{"sub": "{user}", "role": "authenticated"}}',))
        conn.execute(sql, params)  # type: ignore[arg-type]


def test_the_old_rules_let_the_attack_in_and_the_new_migration_quarantines_it(old_project: psycopg.Connection) -> None:
    conn = old_project
    alice, carol = uuid.uuid4(), uuid.uuid4()
    for user, email in ((alice, "alice@example.test"), (carol, "carol@example.test")):
        conn.execute("insert into auth.users (id, email, encrypted_password, email_confirmed_at) values (%s, %s, 'x', now())",
                     (user, email))
    a_chat, c_chat, artifact = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = "2026-12-01T00:00:00Z"
    _as(conn, alice, "insert into chats (id, title, created_at, updated_at) values (%s, 'A', %s, %s)", a_chat, now, now)
    _as(conn, alice, "insert into artifacts (id, chat_id, type, created_at) values (%s, %s, 'bom', %s)", artifact, a_chat, now)
    version = "insert into artifact_versions (id, artifact_id, chat_id, version_number, content, change_summary, created_by, created_at)" \
              " values (gen_random_uuid(), %s, %s, %s, '{}', %s, 'Parts Planner', %s)"
    _as(conn, alice, version, artifact, a_chat, 1, "v1", now)
    # The attack, as issue #12 replayed it: C's own chat, shared with A without A's consent, then
    # a version under A's artifact naming C's chat.
    _as(conn, carol, "insert into chats (id, title, created_at, updated_at) values (%s, 'C', %s, %s)", c_chat, now, now)
    _as(conn, carol, "select share_chat(%s, 'alice@example.test')", c_chat)
    _as(conn, carol, version, artifact, c_chat, 2**31 - 1, "INJECTED", now)

    conn.execute((MIGRATIONS_DIR / SECURITY).read_text(encoding="utf-8"))  # type: ignore[call-overload]

    rows = conn.execute("select version_number, change_summary from artifact_versions where artifact_id = %s", (artifact,)).fetchall()
    assert rows == [(1, "v1")]
    quarantined = conn.execute("select table_name, reason, row_data ->> 'change_summary' from ohm_quarantine").fetchall()
    assert quarantined == [("artifact_versions", "filed under an artifact of another chat", "INJECTED")]
    # C's "share" made A a member of C's chat under the old rules; the migration keeps existing
    # memberships (A can leave), it only stops new ones being made without consent.
    members = conn.execute("select user_id from chat_members where chat_id = %s order by role", (c_chat,)).fetchall()
    assert sorted(row[0] for row in members) == sorted([alice, carol])


@pytest.fixture
def old_standin(pg_cluster: PostgresCluster, old_project: psycopg.Connection) -> Iterator[StandinProcess]:
    """A stand-in over a project that never applied the security migration."""
    old_project.execute("insert into standin.applied_migrations (name) select unnest(%s::text[])",
                        ([path.name for path in sorted(MIGRATIONS_DIR.glob("*.sql"))],))
    dbname = old_project.info.dbname
    process = StandinProcess(pg_cluster.dsn.replace("dbname=postgres", f"dbname={dbname}")).start()
    try:
        yield process
    finally:
        process.stop()


async def test_a_workstation_on_a_project_without_the_migration_says_what_to_apply(
    workstations: Callable[..., Any], old_standin: StandinProcess
) -> None:
    a = await workstations("a", new_email("old"), signup=True, url=old_standin.url)
    chat = a.store.create_chat("still syncs by catch-up")
    report = await a.sync.run_once()
    assert report.pushed >= 1 and report.failed == 0
    assert a.sync.status().last_error == OUTDATED_PROJECT
    a.start()
    await a.sync.wait_until(lambda s: s.state == "offline" and s.detail.startswith("Offline: " + OUTDATED_PROJECT), 30)
    assert a.store.get_chat(chat.id).title == "still syncs by catch-up"
