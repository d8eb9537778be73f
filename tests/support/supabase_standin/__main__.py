"""``python -m tests.support.supabase_standin --port P`` prints ``{"url", "anon_key", "service_key"}``.

Without ``--dsn`` it starts its own throwaway PostgreSQL 15 cluster (removed on exit); with
``--dsn`` it serves an existing one (tests keep one cluster and restart only the server).
Runs until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys

from tests.support.supabase_standin.auth import AuthOptions
from tests.support.supabase_standin.postgres_cluster import PostgresCluster
from tests.support.supabase_standin.realtime import RealtimeLimits
from tests.support.supabase_standin.server import DEFAULT_JWT_SECRET, StandinServer


async def _serve(args: argparse.Namespace) -> None:
    cluster: PostgresCluster | None = None
    dsn = args.dsn
    if dsn is None:
        cluster = PostgresCluster().start()
        cluster.wait_ready()
        dsn = cluster.dsn
    server = StandinServer(
        dsn,
        port=args.port,
        jwt_secret=args.jwt_secret,
        access_ttl_s=args.access_ttl,
        realtime_limits=RealtimeLimits(
            max_events_per_second=args.max_events_per_second or None, rate_tick_s=args.rate_tick
        ),
        statement_timeout_ms=args.statement_timeout_ms or None,
        auth_options=AuthOptions(
            confirm_email=args.confirm_email,
            min_password_length=args.min_password_length,
            required_characters=tuple(args.required_characters),
            refresh_reuse_interval_s=args.refresh_reuse_interval,
        ),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        info = await server.start()
        print(json.dumps({"url": info.url, "anon_key": info.anon_key, "service_key": info.service_key,
                          "publishable_key": info.publishable_key, "dsn": dsn}), flush=True)
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await server.stop()
        if cluster is not None:
            cluster.remove()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.supabase_standin")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--dsn", help="an existing database to serve (default: a throwaway cluster)")
    parser.add_argument("--jwt-secret", default=DEFAULT_JWT_SECRET)
    parser.add_argument("--access-ttl", type=int, default=3600, help="access token lifetime in seconds")
    parser.add_argument("--max-events-per-second", type=float, default=100.0,
                        help="Realtime's tenant limit (hosted default 100; 0: none)")
    parser.add_argument("--rate-tick", type=float, default=5.0, help="seconds per rate-counter tick (Realtime: 5)")
    parser.add_argument("--statement-timeout-ms", type=int, default=8000,
                        help="statement_timeout of anon/authenticated requests (hosted: 8000 for authenticated; 0: none)")
    parser.add_argument("--confirm-email", action="store_true", help="sign-ups must confirm their email (hosted default)")
    parser.add_argument("--min-password-length", type=int, default=6)
    parser.add_argument("--required-characters", nargs="*", default=[], help="character sets a password must use")
    parser.add_argument("--refresh-reuse-interval", type=int, default=10,
                        help="seconds a rotated refresh token still works (GoTrue default 10)")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
