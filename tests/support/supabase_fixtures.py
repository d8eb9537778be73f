"""pytest fixtures for the Supabase stand-in, shared by the sync, UI and benchmark-style tests.

``pg_cluster`` is one throwaway PostgreSQL 15 cluster per test session (started only when a
test asks for it); ``standin`` serves the repo's migrations over it. Locally a machine without
PostgreSQL skips those tests; in CI (CI=true) that is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest

from tests.support.supabase_standin import (
    PostgresCluster,
    PostgresUnavailableError,
    StandinProcess,
    find_pg_bin,
    free_port,
)


def _require_postgres() -> None:
    try:
        find_pg_bin()
    except PostgresUnavailableError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    _require_postgres()
    cluster = PostgresCluster().start()
    cluster.wait_ready()
    try:
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture(scope="session")
def standin(pg_cluster: PostgresCluster) -> Iterator[StandinProcess]:
    process = StandinProcess(pg_cluster.dsn).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def short_token_standin(pg_cluster: PostgresCluster) -> Iterator[StandinProcess]:
    """A second server over the same database whose access tokens live 6 seconds."""
    process = StandinProcess(pg_cluster.dsn, port=free_port(), access_ttl_s=6).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def own_project(pg_cluster: PostgresCluster) -> Iterator[Callable[..., StandinProcess]]:
    """``own_project(*options)`` -> a stand-in over a database of its own in the session's cluster.

    For tests that write tens of thousands of rows: every server's Realtime decodes the WAL of
    its database, so on the shared database the next tests' live events would queue behind
    that backlog (real Realtime would lag the same way).
    """
    made: list[tuple[StandinProcess, str]] = []

    def make(*options: str) -> StandinProcess:
        name = f"project_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(pg_cluster.dsn, autocommit=True) as conn:
            conn.execute(f'create database "{name}"')  # type: ignore[arg-type]
        dsn = pg_cluster.dsn.replace("dbname=postgres", f"dbname={name}")
        process = StandinProcess(dsn, port=free_port(), options=options).start()
        made.append((process, name))
        return process

    yield make
    for process, name in made:
        process.stop()
        with psycopg.connect(pg_cluster.dsn, autocommit=True) as conn:
            conn.execute(f'drop database "{name}" with (force)')  # type: ignore[arg-type]
