"""A protocol-faithful Supabase stand-in over a REAL PostgreSQL 15 (for tests and benchmarks).

The real ``supabase`` client talks to it unchanged: GoTrue's password/refresh grants and
signup, a PostgREST subset and Realtime's Phoenix websocket with ``postgres_changes``. Every
request runs as the JWT's role with ``request.jwt.claims`` set, so the repo's own
``supabase/migrations`` and their RLS policies are what gets tested.

:class:`StandinProcess` runs the server in a child process over a :class:`PostgresCluster`
the caller owns, so a test can kill and restart the server (same port, same data).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.support.supabase_standin.postgres_cluster import (
    PostgresCluster,
    PostgresUnavailableError,
    find_pg_bin,
)

REPO_ROOT = Path(__file__).resolve().parents[3]

__all__ = ["PostgresCluster", "PostgresUnavailableError", "StandinProcess", "find_pg_bin", "free_port"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class StandinProcess:
    """``python -m tests.support.supabase_standin --dsn …`` as a child process."""

    dsn: str
    port: int = 0
    access_ttl_s: int = 3600
    #: Extra command-line options (see ``python -m tests.support.supabase_standin --help``).
    options: tuple[str, ...] = ()
    url: str = ""
    anon_key: str = ""
    service_key: str = ""
    publishable_key: str = ""
    _process: subprocess.Popen[str] | None = None

    def start(self, timeout_s: float = 30.0) -> StandinProcess:
        if not self.port:
            self.port = free_port()
        command = [
            sys.executable, "-m", "tests.support.supabase_standin",
            "--dsn", self.dsn, "--port", str(self.port), "--access-ttl", str(self.access_ttl_s), *self.options,
        ]
        self._process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1")
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            code = self._process.wait(timeout=timeout_s)
            raise RuntimeError(f"the Supabase stand-in exited ({code}) before it was ready")
        info = json.loads(line)
        self.url, self.anon_key, self.service_key = info["url"], info["anon_key"], info["service_key"]
        self.publishable_key = info["publishable_key"]
        return self

    def stop(self, *, kill: bool = False) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._process = None

    def restart(self) -> None:
        """Kill the server and start it again on the same port over the same database."""
        self.stop(kill=True)
        self.start()

    def close_realtime_channels(self) -> int:
        """Close every Realtime channel server-side (``phx_close``), sockets left open; returns how many."""
        request = urllib.request.Request(
            f"{self.url}/standin/v1/close-channels", method="POST", headers={"apikey": self.service_key}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(json.loads(response.read())["closed"])

    def _call(self, method: str, path: str, body: dict[str, object] | None = None) -> dict[str, object]:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"apikey": self.service_key, "Content-Type": "application/json"},
            data=json.dumps(body).encode() if body is not None else None,
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return dict(json.loads(raw)) if raw else {}

    def realtime_stats(self) -> dict[str, object]:
        """``{"dropped": N, "rate_limited": bool, "avg": events/s}`` of Realtime's rate limit."""
        return self._call("GET", "/standin/v1/realtime-stats")

    def confirm_email(self, email: str) -> None:
        """What opening the confirmation link does (for stand-ins run with --confirm-email)."""
        self._call("POST", "/standin/v1/confirm-email", {"email": email})

    def drop_realtime_sockets(self) -> int:
        """Abort every Realtime websocket without a close frame; returns how many."""
        request = urllib.request.Request(
            f"{self.url}/standin/v1/drop-realtime", method="POST", headers={"apikey": self.service_key}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(json.loads(response.read())["dropped"])
