"""pytest fixtures for the Supabase stand-in, shared by the sync, UI and benchmark-style tests.

``pg_cluster`` is one throwaway PostgreSQL 15 cluster per test session (started only when a
test asks for it); ``standin`` serves the repo's migrations over it. Locally a machine without
PostgreSQL skips those tests; in CI (CI=true) that is a failure, never a silent skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

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
