"""Orchestrator overhead per turn beyond the model calls (target < 2 ms).

Turns run through the real Orchestrator, Gateway and SQLite store (synchronous=FULL, on this
disk) against the fake gateway over loopback HTTP. Time spent inside gateway calls (awaiting
the router completion and each streamed chunk) is measured by a thin timing wrapper and
subtracted; what remains is routing/parsing/tool/store/event work the user waits for.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

TURNS = 150


class _TimedGateway:
    """Delegates to the real gateway and adds up the time spent waiting on it."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.waited_s = 0.0

    async def complete(self, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await self._inner.complete(**kwargs)
        finally:
            self.waited_s += time.perf_counter() - started

    async def stream(self, **kwargs: Any) -> AsyncIterator[Any]:
        iterator = self._inner.stream(**kwargs).__aiter__()
        while True:
            started = time.perf_counter()
            try:
                chunk = await iterator.__anext__()
            except StopAsyncIteration:
                self.waited_s += time.perf_counter() - started
                return
            self.waited_s += time.perf_counter() - started
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


async def _measure(url: str, base_dir: str | None = None) -> dict[str, Any]:
    from ohm_desktop.config import Paths
    from ohm_desktop.core.orchestrator import Orchestrator, TurnRequest
    from ohm_desktop.runtime import build_runtime

    os.environ["OHM_GATEWAY_URL"] = url
    os.environ["BYTEZ_API_KEY_1"] = "sk-bytez-bench-key-000000001"
    with tempfile.TemporaryDirectory(dir=base_dir) as tmp:
        runtime = build_runtime(Paths(data=Path(tmp) / "data", config=Path(tmp) / "config"))
        timed = _TimedGateway(runtime.gateway)
        orchestrator = Orchestrator(runtime.store, timed, runtime.registry)  # type: ignore[arg-type]
        chat = runtime.store.create_chat("bench")
        overheads_ms: list[float] = []
        for index in range(TURNS):
            timed.waited_s = 0.0
            started = time.perf_counter()
            async for _event in orchestrator.run_turn(TurnRequest(chat.id, f"parts list for robot {index}")):
                pass
            overheads_ms.append((time.perf_counter() - started - timed.waited_s) * 1000)
        await runtime.aclose()
    overheads_ms.sort()
    return {
        "turns": TURNS,
        "overhead_ms_p50": round(statistics.median(overheads_ms), 3),
        "overhead_ms_p99": round(overheads_ms[int(len(overheads_ms) * 0.99) - 1], 3),
        "overhead_ms_mean": round(statistics.fmean(overheads_ms), 3),
    }


def run() -> dict[str, Any]:
    from tests.support.fake_gateway import FakeGateway, demo_responder

    with FakeGateway(demo_responder) as gateway:
        on_disk = asyncio.run(_measure(gateway.url))
        # The same turns with the store on tmpfs, where fsync is free: what remains is CPU work.
        in_memory_fs = asyncio.run(_measure(gateway.url, "/dev/shm")) if os.path.isdir("/dev/shm") else None
    return {
        "target_ms": 2.0,
        "store_on_disk": on_disk,
        "store_on_tmpfs": in_memory_fs,
        "note": "per turn: route + stream + 1 write tool round + final round. The turn makes two fsync'd "
        "commits (the artifact version and the final message, synchronous=FULL); the user message and "
        "placeholder commit without fsync and become durable with them.",
    }


if __name__ == "__main__":
    print(run())
