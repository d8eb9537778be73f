"""KeyPool health rules with a controlled clock (no network)."""

from __future__ import annotations

import asyncio
import math

import pytest

from ohm_desktop.core.keys import ApiKey, KeyPool, validate_key
from ohm_desktop.errors import NoUsableKeyError, UsageError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def keys(n: int) -> list[ApiKey]:
    return [ApiKey(f"sk-bytez-secret-{i:04d}-xxxxxxxx", f"k{i}", "env", f"key {i + 1} …{i:04d}") for i in range(n)]


def pool(n: int = 3, **kwargs: object) -> tuple[KeyPool, Clock]:
    clock = Clock()
    return KeyPool(keys(n), clock=clock, rng=lambda: 1.0, **kwargs), clock  # type: ignore[arg-type]


def test_round_robin_over_healthy_keys() -> None:
    p, _ = pool(3)
    order = []
    for _ in range(6):
        lease = p.try_acquire()
        assert lease is not None
        order.append(lease.label)
        p.release(lease, "ok")
    assert order == ["key 1 …0000", "key 2 …0001", "key 3 …0002"] * 2


def test_429_cools_the_key_then_it_comes_back() -> None:
    p, clock = pool(2)
    lease = p.try_acquire()
    assert lease is not None
    p.release(lease, "rate_limited", retry_after_s=5)
    states = {h.label: h.state for h in p.snapshot()}
    assert states["key 1 …0000"] == "cooling"
    # Only key 2 serves while key 1 cools.
    for _ in range(3):
        other = p.try_acquire()
        assert other is not None and other.label == "key 2 …0001"
        p.release(other, "ok")
    clock.now += 5
    assert {h.state for h in p.snapshot()} == {"healthy"}


def test_429_without_retry_after_backs_off_exponentially_with_jitter() -> None:
    p, clock = pool(1, base_backoff_s=1.0, max_backoff_s=8.0)
    waits = []
    for _ in range(5):
        clock.now += 100
        lease = p.try_acquire()
        assert lease is not None
        p.release(lease, "rate_limited")
        waits.append(p.snapshot()[0].cooldown_remaining_s)
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0]  # rng=1.0 shows the ceiling; capped


def test_402_is_a_long_cooldown_and_401_is_invalid_until_edited() -> None:
    p, clock = pool(2)
    first, second = p.try_acquire(), p.try_acquire()
    assert first is not None and second is not None
    p.release(first, "out_of_credits")
    p.release(second, "invalid")
    health = {h.label: h for h in p.snapshot()}
    assert health["key 1 …0000"].state == "out_of_credits" and health["key 1 …0000"].cooldown_remaining_s >= 3599
    assert health["key 2 …0001"].state == "invalid" and math.isinf(health["key 2 …0001"].cooldown_remaining_s)
    clock.now += 10_000
    assert {h.label: h.state for h in p.snapshot()} == {"key 1 …0000": "healthy", "key 2 …0001": "invalid"}


def test_per_key_concurrency_limit() -> None:
    p, _ = pool(2, per_key_concurrency=2)
    leases = [p.try_acquire() for _ in range(4)]
    assert all(leases) and p.try_acquire() is None
    assert sorted(h.in_flight for h in p.snapshot()) == [2, 2]
    p.release(leases[0], "ok")  # type: ignore[arg-type]
    assert p.try_acquire() is not None


async def test_all_cooling_waits_for_the_earliest_key() -> None:
    p = KeyPool(keys(2))
    for retry_after in (0.2, 0.05):
        lease = p.try_acquire()
        assert lease is not None
        p.release(lease, "rate_limited", retry_after_s=retry_after)
    waits: list[float] = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    lease = await p.acquire(loop.time() + 5, on_wait=lambda wait, _k: waits.append(wait))
    assert lease.label == "key 2 …0001"
    assert 0.03 < loop.time() - started < 0.5 and len(waits) == 1 and waits[0] <= 0.05


async def test_waiting_past_the_deadline_is_no_usable_key() -> None:
    p = KeyPool(keys(1))
    lease = p.try_acquire()
    assert lease is not None
    p.release(lease, "rate_limited", retry_after_s=30)
    with pytest.raises(NoUsableKeyError, match="ohm keys add"):
        await p.acquire(asyncio.get_running_loop().time() + 0.1)


async def test_no_keys_and_all_invalid_say_what_to_do() -> None:
    with pytest.raises(NoUsableKeyError, match="No Bytez API key is configured"):
        await KeyPool([]).acquire(1e12)
    p = KeyPool(keys(1))
    lease = p.try_acquire()
    assert lease is not None
    p.release(lease, "invalid")
    with pytest.raises(NoUsableKeyError, match="ohm keys test"):
        await p.acquire(1e12)


def test_api_key_repr_never_shows_the_secret() -> None:
    key = keys(1)[0]
    assert "secret" not in repr(key) and "secret" not in str(key)


@pytest.mark.parametrize("bad", ["", "   ", "has space inside", "short", "x" * 600, "tab\tkey-123456"])
def test_malformed_keys_are_refused_with_a_sentence(bad: str) -> None:
    with pytest.raises(UsageError) as info:
        validate_key(bad)
    assert bad.strip() not in info.value.message or not bad.strip()


def test_rate_limit_budget_refills_linearly_to_the_limit() -> None:
    from ohm_desktop.core.keys import RateLimitInfo

    p, clock = pool(1, per_key_concurrency=8)
    lease = p.try_acquire()
    assert lease is not None
    # OpenAI semantics: 0 left now, full (4) again in 2 s -> one more request every 0.5 s.
    p.release(lease, "ok", rate_limit=RateLimitInfo(remaining=0, reset_s=2.0, limit=4))
    assert p.try_acquire() is None and p.next_available_in() == 0.5
    clock.now += 0.5
    first = p.try_acquire()
    assert first is not None and p.try_acquire() is None
    clock.now += 0.5  # two refilled, one of them in flight
    assert p.try_acquire() is not None and p.try_acquire() is None
    clock.now += 1.0
    assert [p.try_acquire() is not None for _ in range(3)] == [True, True, False]  # 4 in flight = the limit


def test_budget_without_a_limit_header_probes_one_after_the_reset() -> None:
    from ohm_desktop.core.keys import RateLimitInfo

    p, clock = pool(1)
    lease = p.try_acquire()
    assert lease is not None
    p.release(lease, "ok", rate_limit=RateLimitInfo(remaining=0, reset_s=1.0))
    assert p.try_acquire() is None and p.next_available_in() == 1.0
    clock.now += 1.0
    assert p.try_acquire() is not None and p.try_acquire() is None


def test_replacing_keys_keeps_known_health_and_adds_new_ones() -> None:
    p, _ = pool(2)
    lease = p.try_acquire()
    assert lease is not None
    p.release(lease, "invalid")
    new_key = ApiKey("sk-bytez-secret-new-xxxxxxxxxx", "k9", "keyring", "key 3 …xxxx")
    p.replace_keys([*p.keys, new_key])
    assert [h.state for h in p.snapshot()] == ["invalid", "healthy", "healthy"]
    p.replace_keys(p.keys[1:])
    assert len(p) == 2
