"""Sync benchmark against the Supabase stand-in over a real PostgreSQL 15 (loopback).

- A→B latency of an artifact version: written on workstation A, visible in B's store
  (push + server + Realtime + apply); p50/p99 over many versions. Target p50 < 50 ms.
  Baseline in the same run: one PostgREST select round trip.
- Outbox drain: 10,000 queued messages pushed by A (rows/s).
- Catch-up: B, offline meanwhile, pulls the 10,000 rows over REST (target < 3 s).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from ohm_desktop.redaction import SecretRedactor
from ohm_desktop.store import LocalStore, StoreChange
from ohm_desktop.sync import SyncService
from ohm_desktop.sync.session_storage import MemorySessionStorage
from tests.support.supabase_standin import PostgresCluster, StandinProcess

SAMPLES = 200
QUEUED_ROWS = 10_000
PASSWORD = "bench password"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _wait(predicate: Any, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark condition not reached")
        await asyncio.sleep(0.002)


async def _lateness_while(work: Any) -> Any:
    """Run ``work`` while a 10 ms ticker records how late it wakes; returns (lateness ms, result)."""
    lateness: list[float] = []

    async def ticker() -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            lateness.append((time.perf_counter() - started - 0.01) * 1000)

    tick = asyncio.create_task(ticker())
    try:
        result = await work
    finally:
        tick.cancel()
    return (lateness or [0.0]), result


async def _measure(standin: StandinProcess, root: Path) -> dict[str, Any]:
    supabase = (standin.url, standin.anon_key)

    def service(name: str) -> tuple[LocalStore, SyncService]:
        store = LocalStore.open(root / name / "ohm.sqlite3")
        sync = SyncService(store, supabase=supabase, redactor=SecretRedactor(), session_storage=MemorySessionStorage())
        return store, sync

    email = f"bench-{uuid.uuid4().hex[:8]}@example.test"
    store_a, sync_a = service("a")
    store_b, sync_b = service("b")
    await sync_a.login(email, PASSWORD, signup=True)
    await sync_b.login(email, PASSWORD)
    task_a = asyncio.create_task(sync_a.run_forever())
    task_b = asyncio.create_task(sync_b.run_forever())
    await sync_a.wait_until(lambda s: s.state == "live", 20)
    await sync_b.wait_until(lambda s: s.state == "live", 20)

    # Baseline: one REST round trip on the same client stack.
    from supabase import acreate_client

    probe = await acreate_client(standin.url, standin.anon_key)
    await probe.auth.sign_in_with_password({"email": email, "password": PASSWORD})
    rest_ms: list[float] = []
    for _ in range(50):
        started = time.perf_counter()
        await probe.table("chats").select("id").limit(1).execute()
        rest_ms.append((time.perf_counter() - started) * 1000)

    chat = store_a.create_chat("bench")
    await _wait(lambda: bool(store_b.list_chats()), 20)
    arrived: dict[str, float] = {}

    def on_b(change: StoreChange) -> None:
        if change.table == "artifact_versions":
            arrived.setdefault(change.row_id, time.perf_counter())

    store_b.subscribe(on_b)
    latencies: list[float] = []
    for n in range(SAMPLES):
        started = time.perf_counter()
        version = store_a.write_version(
            chat.id, "bom", {"projectName": f"bench {n}", "parts": [{"name": "R", "quantity": n + 1}]},
            change_summary=f"v{n}", created_by="bench",
        )
        await _wait(lambda v=version.id: v in arrived, 10)
        latencies.append((arrived[version.id] - started) * 1000)

    # Drain: B stops (offline), A queues 10,000 rows and pushes them.
    task_b.cancel()
    await asyncio.gather(task_b, return_exceptions=True)
    task_a.cancel()
    await asyncio.gather(task_a, return_exceptions=True)
    log_chat = store_a.create_chat("long log")
    with store_a.transaction():
        for n in range(QUEUED_ROWS):
            store_a.add_message(log_chat.id, "user", f"measurement {n}: 3.3 V")
    started = time.perf_counter()
    report_a = await sync_a.run_once()
    drain_s = time.perf_counter() - started

    # The window runs sync on its one event loop: how late does a 10 ms timer fire while B
    # catches up 10,000 rows (what a user feels as a frozen window), against the same timer idle?
    idle_lateness, _ = await _lateness_while(asyncio.sleep(1.0))
    started = time.perf_counter()
    catch_up_lateness, report_b = await _lateness_while(sync_b.run_once())
    catch_up_s = time.perf_counter() - started
    assert store_b.count_messages(log_chat.id) == QUEUED_ROWS
    await probe.auth.sign_out()
    store_a.close()
    store_b.close()

    p50 = statistics.median(latencies)
    return {
        "version_latency_ms_p50": round(p50, 2),
        "version_latency_ms_p99": round(_percentile(latencies, 0.99), 2),
        "version_latency_samples": SAMPLES,
        "baseline_rest_roundtrip_ms_p50": round(statistics.median(rest_ms), 2),
        "latency_vs_rest_roundtrip": round(p50 / statistics.median(rest_ms), 2),
        "latency_target_p50_ms": 50,
        "latency_ok": p50 < 50,
        "outbox_rows": report_a.pushed,
        "outbox_drain_s": round(drain_s, 2),
        "outbox_drain_rows_per_s": round(report_a.pushed / drain_s),
        "catch_up_rows": report_b.pulled,
        "catch_up_s": round(catch_up_s, 2),
        "catch_up_target_s": 3.0,
        "catch_up_ok": catch_up_s < 3.0,
        "loop_lateness_ms_during_catch_up_p99": round(_percentile(catch_up_lateness, 0.99), 2),
        "loop_lateness_ms_during_catch_up_max": round(max(catch_up_lateness), 2),
        "baseline_loop_lateness_ms_idle_p99": round(_percentile(idle_lateness, 0.99), 2),
    }


def run() -> dict[str, Any]:
    cluster = PostgresCluster().start()
    standin: StandinProcess | None = None
    try:
        cluster.wait_ready()
        standin = StandinProcess(cluster.dsn).start()
        with tempfile.TemporaryDirectory(prefix="ohm-bench-sync-") as root:
            return asyncio.run(_measure(standin, Path(root)))
    finally:
        if standin is not None:
            standin.stop()
        cluster.remove()


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))
