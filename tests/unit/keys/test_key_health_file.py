"""Lasting key health (out of credits, invalid) survives a restart; nothing secret is written."""

from __future__ import annotations

import json
import math
from pathlib import Path

from ohm_desktop.core.keys import ApiKey, KeyHealthFile, KeyPool, key_fingerprint

SECRETS = ["sk-bytez-health-key-aaaa1111", "sk-bytez-health-key-bbbb2222", "sk-bytez-health-key-cccc3333"]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def keys() -> list[ApiKey]:
    return [ApiKey(s, f"k{i}", "env", f"key {i + 1} …{s[-4:]}") for i, s in enumerate(SECRETS)]


def fail_each(pool: KeyPool, outcomes: list[str]) -> None:
    for outcome in outcomes:
        lease = pool.try_acquire()
        assert lease is not None
        pool.release(lease, outcome, retry_after_s=5)  # type: ignore[arg-type]


def test_invalid_and_out_of_credits_survive_a_restart_but_429_does_not(tmp_path: Path) -> None:
    wall = Clock(1_000_000.0)
    health = KeyHealthFile(tmp_path / "key_health.json", wall_clock=wall)
    first = KeyPool(keys(), health_file=health, out_of_credits_cooldown_s=3600)
    fail_each(first, ["invalid", "out_of_credits", "rate_limited"])

    wall.now += 600  # ten minutes later, a new process
    restored = {h.label: h for h in KeyPool(keys(), health_file=health).snapshot()}
    assert restored["key 1 …1111"].state == "invalid" and math.isinf(restored["key 1 …1111"].cooldown_remaining_s)
    assert restored["key 2 …2222"].state == "out_of_credits"
    assert 2990 < restored["key 2 …2222"].cooldown_remaining_s <= 3000
    assert restored["key 3 …3333"].state == "healthy"

    wall.now += 3600  # the credits cooldown is over: the key is tried again
    assert {h.state for h in KeyPool(keys(), health_file=health).snapshot()} == {"invalid", "healthy"}


def test_the_file_names_keys_by_fingerprint_only(tmp_path: Path) -> None:
    path = tmp_path / "key_health.json"
    fail_each(KeyPool(keys(), health_file=KeyHealthFile(path)), ["invalid", "out_of_credits"])
    text = path.read_text()
    assert all(secret not in text and secret[-4:] not in text for secret in SECRETS)
    assert set(json.loads(text)) == {key_fingerprint(SECRETS[0]), key_fingerprint(SECRETS[1])}


def test_success_and_reset_forget_the_lasting_state(tmp_path: Path) -> None:
    clock = Clock(100.0)
    health = KeyHealthFile(tmp_path / "key_health.json")
    pool = KeyPool(keys()[:1], health_file=health, out_of_credits_cooldown_s=10, clock=clock)
    fail_each(pool, ["out_of_credits"])
    clock.now += 11
    lease = pool.try_acquire()
    assert lease is not None
    pool.release(lease, "ok")
    assert health.read() == {}

    fail_each(pool, ["invalid"])
    assert KeyPool(keys()[:1], health_file=health).snapshot()[0].state == "invalid"
    pool.reset_health()
    assert pool.snapshot()[0].state == "healthy" and health.read() == {}


def test_a_corrupt_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "key_health.json"
    path.write_text("{not json")
    assert {h.state for h in KeyPool(keys(), health_file=KeyHealthFile(path)).snapshot()} == {"healthy"}
    path.write_text(json.dumps({key_fingerprint(SECRETS[0]): {"state": "exploded", "until": "x"}}))
    assert {h.state for h in KeyPool(keys(), health_file=KeyHealthFile(path)).snapshot()} == {"healthy"}
