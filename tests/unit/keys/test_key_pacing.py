"""KeyPool learns a key's limits without rate-limit headers: a simulated gateway on a fake clock.

The gateway here is a token bucket per key (what Bytez-like gateways and our fake gateway
enforce) with an optional cap on requests in flight, answering 429 with no headers and no
Retry-After. The pool is kept saturated (more requests than the keys can serve), and each
test checks what a user pays for: served requests against what the keys could serve, and
upstream calls per success.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field

from ohm_desktop.core.keys import ApiKey, KeyLease, KeyPool


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Bucket:
    rate: float
    size: float
    concurrency: int | None = None
    tokens: float = 0.0
    at: float = 0.0
    in_flight: int = 0

    def __post_init__(self) -> None:
        self.tokens = self.size

    def admit(self, now: float) -> bool:
        self.tokens = min(self.size, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.concurrency is not None and self.in_flight >= self.concurrency:
            return False
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


@dataclass
class Result:
    successes: int = 0
    calls: int = 0
    pool: KeyPool | None = None
    buckets: list[Bucket] = field(default_factory=list)


def simulate(buckets: list[Bucket], *, seconds: float, latency_s: float = 0.0, concurrency: int = 4) -> Result:
    """Run a saturated pool against ``buckets`` for ``seconds`` of fake time."""
    clock = Clock()
    keys = [ApiKey(f"sk-bytez-sim-key-{i:04d}-xxxxxxxx", f"k{i}", "env", f"key {i + 1}") for i in range(len(buckets))]
    pool = KeyPool(keys, clock=clock, rng=random.Random(7).random, per_key_concurrency=concurrency)
    by_label = {key.label: bucket for key, bucket in zip(keys, buckets, strict=True)}
    done: list[tuple[float, int, KeyLease, bool]] = []  # (answer time, seq, lease, ok)
    result = Result(pool=pool, buckets=buckets)
    seq = 0
    while clock.now < seconds:
        while (lease := pool.try_acquire()) is not None:
            bucket = by_label[lease.label]
            ok = bucket.admit(clock.now)
            result.calls += 1
            if ok:
                bucket.in_flight += 1
                heapq.heappush(done, (clock.now + latency_s, seq, lease, True))
            else:  # a refusal is answered at once
                heapq.heappush(done, (clock.now, seq, lease, False))
            seq += 1
            if latency_s == 0 and ok:
                break  # answer it before sending the next, like a real loop would
        if done and done[0][0] <= clock.now:
            _, _, lease, ok = heapq.heappop(done)
            if ok:
                by_label[lease.label].in_flight -= 1
                result.successes += 1
            pool.release(lease, "ok" if ok else "rate_limited")
            continue
        wait = pool.next_available_in()
        assert wait is not None
        next_answer = done[0][0] - clock.now if done else float("inf")
        clock.now += max(1e-4, min(wait if wait > 0 else float("inf"), next_answer))
    return result


def test_rate_is_learned_from_the_spacing_of_429s_without_headers() -> None:
    buckets = [Bucket(rate=2.0, size=2.0) for _ in range(5)]
    result = simulate(buckets, seconds=120)
    capacity = sum(b.rate * 120 + b.size for b in buckets)
    assert result.successes >= 0.95 * capacity
    assert result.calls / result.successes <= 1.05
    assert result.pool is not None
    learned = [slot.pacer.rate for slot in result.pool._slots]
    assert all(rate is not None and 1.8 <= rate <= 2.3 for rate in learned), learned


def test_a_key_at_half_rate_is_paced_at_its_own_rate() -> None:
    buckets = [Bucket(rate=4.0, size=4.0), Bucket(rate=1.0, size=1.0)]
    result = simulate(buckets, seconds=120)
    capacity = sum(b.rate * 120 + b.size for b in buckets)
    assert result.successes >= 0.95 * capacity
    assert result.calls / result.successes <= 1.05
    assert result.pool is not None
    fast, slow = (slot.pacer.rate for slot in result.pool._slots)
    assert fast is not None and slow is not None and fast > 3 * slow


def test_concurrency_is_learned_from_429s_while_requests_are_in_flight() -> None:
    buckets = [Bucket(rate=1000.0, size=1000.0, concurrency=1) for _ in range(3)]
    result = simulate(buckets, seconds=60, latency_s=0.5)
    capacity = 3 * 60 / 0.5  # one request in flight per key, each taking half a second
    assert result.successes >= 0.95 * capacity
    assert result.calls / result.successes <= 1.05
    assert result.pool is not None
    assert [slot.pacer.concurrency for slot in result.pool._slots] == [1, 1, 1]


def test_retry_after_still_wins_over_what_was_learned() -> None:
    buckets = [Bucket(rate=2.0, size=2.0)]
    result = simulate(buckets, seconds=30)
    pool = result.pool
    assert pool is not None and pool._slots[0].pacer.rate is not None
    clock = pool._clock
    lease = None
    while lease is None:
        clock.now += 0.05  # type: ignore[attr-defined]
        lease = pool.try_acquire()
    pool.release(lease, "rate_limited", retry_after_s=0.234)
    assert abs(pool.snapshot()[0].cooldown_remaining_s - 0.234) < 1e-9


def test_forgetting_a_key_starts_it_unpaced() -> None:
    result = simulate([Bucket(rate=2.0, size=2.0)], seconds=20)
    pool = result.pool
    assert pool is not None and pool._slots[0].pacer.rate is not None
    pool.reset_health()
    assert pool._slots[0].pacer.rate is None and pool._slots[0].pacer.concurrency is None
