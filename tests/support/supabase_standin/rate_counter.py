"""Realtime's per-tenant limit on postgres_changes messages, as hosted projects run it.

lib/realtime/rate_counter/rate_counter.ex (``handle_info(:tick, ...)``, ``maybe_trigger_limit/1``)
with the arguments of lib/realtime/tenants.ex ``db_events_per_second_rate/2``: every ``tick``
(5 s) the count of the last tick is pushed onto a bucket of at most 12 (so one minute), and
``avg = sum(bucket) / len(bucket) / tick``. The limit triggers when ``avg >= max_events_per_second``
and clears when it falls below. The poller (replication_poller.ex ``handle_list_changes_result``)
counts one per subscriber a change goes to, and skips whole polls while the limit is on.
"""

from __future__ import annotations

import asyncio
import contextlib


class RateCounter:
    def __init__(self, limit: float | None, *, tick_s: float = 5.0, max_bucket_len: int = 12) -> None:
        self.limit = limit
        self.tick_s = tick_s
        self.max_bucket_len = max_bucket_len
        self.avg = 0.0
        self._count = 0
        self._bucket: list[int] = []
        self._triggered = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.limit is not None:
            self._task = asyncio.create_task(self._tick_forever())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def add(self, count: int) -> None:
        self._count += count

    def triggered(self) -> bool:
        return self._triggered

    def tick(self) -> None:
        count, self._count = self._count, 0
        self._bucket = [count, *self._bucket][: self.max_bucket_len]
        self.avg = sum(self._bucket) / len(self._bucket) / self.tick_s
        if self.limit is None:
            return
        # Triggered: stays on until avg < limit; off: turns on at avg >= limit.
        self._triggered = self.avg >= self.limit

    async def _tick_forever(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                await asyncio.sleep(self.tick_s)
                self.tick()
