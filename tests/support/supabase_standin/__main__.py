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

from tests.support.supabase_standin.postgres_cluster import PostgresCluster
from tests.support.supabase_standin.server import DEFAULT_JWT_SECRET, StandinServer


async def _serve(args: argparse.Namespace) -> None:
    cluster: PostgresCluster | None = None
    dsn = args.dsn
    if dsn is None:
        cluster = PostgresCluster().start()
        cluster.wait_ready()
        dsn = cluster.dsn
    server = StandinServer(dsn, port=args.port, jwt_secret=args.jwt_secret, access_ttl_s=args.access_ttl)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        info = await server.start()
        print(json.dumps({"url": info.url, "anon_key": info.anon_key, "service_key": info.service_key, "dsn": dsn}), flush=True)
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
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
