"""A throwaway PostgreSQL 15 cluster in a temp dir (initdb + pg_ctl), reachable over a unix socket.

initdb and postgres refuse to run as root; CI runs as root, so then they run as the
``postgres`` system user (created by the Debian package) in a directory it owns.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PG_BIN_CANDIDATES = (Path("/usr/lib/postgresql/15/bin"), Path("/usr/local/pgsql/bin"))


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL 15 binaries are not installed on this machine."""


def find_pg_bin() -> Path:
    """The folder holding initdb/pg_ctl/postgres of PostgreSQL 15."""
    override = os.environ.get("OHM_PG_BIN")
    candidates = [Path(override)] if override else []
    candidates += list(PG_BIN_CANDIDATES)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    raise PostgresUnavailableError(
        "PostgreSQL 15 is not installed (no initdb in /usr/lib/postgresql/15/bin): "
        "apt-get install postgresql-15, or set OHM_PG_BIN"
    )


def _demote() -> tuple[Callable[[], None] | None, int | None, int | None]:
    """How to run a Postgres binary: as ``postgres`` when we are root, else as ourselves."""
    if os.geteuid() != 0:
        return None, None, None
    import pwd

    entry = pwd.getpwnam("postgres")

    def become_postgres() -> None:
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)

    return become_postgres, entry.pw_uid, entry.pw_gid


def _has_plugin_allowlist(pg_bin: Path) -> bool:
    """Whether this build has ``output_plugin_libraries`` (stock PostgreSQL 15 does not)."""
    done = subprocess.run([str(pg_bin / "postgres"), "--describe-config"], capture_output=True, text=True, check=False)
    return "output_plugin_libraries" in done.stdout


class PostgresCluster:
    """One cluster: ``start()`` (initdb on first use), ``stop()``, ``dsn``; ``remove()`` deletes it."""

    def __init__(self, root: Path | None = None, *, port: int = 5432) -> None:
        self.bin = find_pg_bin()
        self._preexec, uid, gid = _demote()
        # Not under pytest's tmp dirs: those are 0700 root-owned, unreadable for `postgres`.
        self.root = root or Path(tempfile.mkdtemp(prefix="ohm-standin-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "sock"
        self.port = port
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if uid is not None and gid is not None:
            for path in (self.root, self.socket_dir):
                os.chown(path, uid, gid)
        os.chmod(self.root, 0o755)

    @property
    def dsn(self) -> str:
        return f"host={self.socket_dir} port={self.port} user=postgres dbname=postgres"

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            preexec_fn=self._preexec,
            capture_output=True,
            text=True,
            cwd=self.root,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")

    def start(self) -> PostgresCluster:
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = (
            f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
            # Realtime reads changes through a wal2json logical slot (postgresql-15-wal2json).
            # (This PostgreSQL build lists which libraries may be output plugins.)
            " -c wal_level=logical -c max_replication_slots=20 -c max_wal_senders=20"
            + (" -c output_plugin_libraries=pgoutput,test_decoding,wal2json" if _has_plugin_allowlist(self.bin) else "")
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "postgres.log"), "-w", "start")
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def wait_ready(self, timeout_s: float = 10.0) -> None:
        import psycopg

        deadline = time.monotonic() + timeout_s
        while True:
            try:
                psycopg.connect(self.dsn).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
