"""Key pools against a Bytez-like gateway: Ohm's KeyPool, the seed's round-robin, LiteLLM's Router.

The fake gateway (tests/support/fake_gateway.py) runs in its OWN process, so no contender's CPU
slows the server or the offered load. Its 20 keys are token buckets (R requests/s, a bucket of
one second), configured per scenario:

(a) ``x-ratelimit-*`` headers and a fractional Retry-After on every answer (OpenAI-style);
(b) no headers, no Retry-After (Bytez: documented limits, nothing on the wire);
(c) one request in flight per key (Bytez's free tier), answers taking 0.5 s, no headers;
(d) mixed keys, no headers: most at R, some at R/2, one out of credits, one invalid;
(e) scenario (b) at 0.8x and 3x the keys' capacity.

Arrivals are open-loop at ``load x capacity`` for a window; before it every contender is warmed
up (one request per key, below capacity) and then the gateway is reset (full buckets, counters
cleared), so the window starts alike for all. Figures:

* ``strict_utilization``: requests served in the window / what the keys could serve in it
  (each bucket's initial content + R x T; T / latency for one-in-flight keys; below capacity,
  what was offered). It cannot exceed 1.
* ``upstream_calls_per_success``: every request the gateway saw on the pool's keys / successes.
* ``failed``: requests that ended in an error inside the window (waiting is not failing).
* ``added_latency_ms_p50/p99``: latency of successes minus an unloaded call's (same gateway).

LiteLLM's Router is configured as its docs advise for per-deployment limits
(https://docs.litellm.ai/docs/routing): one deployment per key with its true ``rpm`` (it is told
what Ohm has to learn; simple-shuffle then picks deployments weighted by it), and
``max_parallel_requests: 1`` where the gateway allows one request in flight;
``routing_strategy="simple-shuffle"``, which the docs mark "recommended for best performance"
(they warn about usage-based routing's cost, and it did worse here: 0.05-0.24 strict);
``num_retries=3`` (the docs' example); ``allowed_fails=1, cooldown_time=1``: a deployment that is
refused sits out one second, the time these buckets take to refill (the defaults, 3 fails and
5 s, idle keys for longer). The model is ``openai/gpt-4o-mini``: a name in LiteLLM's bundled cost
map, so it does not scan the map on every call.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
KEYS = 20
RATE = 2.0  # requests/s per key (the fake gateway's bucket holds one second of them)
LATENCY_S = 0.5  # answer time in the one-in-flight scenario
# Long enough that learning a key's limits (a few refusals each) is part of the figure, not all of it;
# short enough that `make bench` stays in minutes (~8 for this module on a loaded 2-core machine).
WINDOW_S = 15.0
MESSAGES = [{"role": "user", "content": "ping"}]
BASELINE_KEY = "sk-bytez-bench-unlimited-0000"
SECRETS = [f"sk-bytez-bench-key-{i:04d}-abcdefgh" for i in range(KEYS)]
NO_HEADERS = {"retry_after": False, "ratelimit_headers": False}

Call = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class KeySpec:
    """One key's behaviour at the gateway, and what it could serve in a window of T seconds."""

    behaviour: dict[str, Any]
    rate: float = 0.0  # requests/s it can sustain (0: it serves nothing)
    burst: float = 0.0  # what it holds at the start of the window
    rpm: int | None = None  # what LiteLLM is told
    max_parallel: int | None = None

    def capacity(self, window_s: float, unloaded_latency_s: float) -> float:
        if self.behaviour.get("max_concurrency") == 1:
            # One at a time, each at least as long as an unloaded answer on this machine.
            return window_s / max(unloaded_latency_s, 1e-3)
        return self.burst + self.rate * window_s


def _bucket(rate: float, **extra: Any) -> KeySpec:
    return KeySpec({"rate_limit_rps": rate, **extra}, rate=rate, burst=max(1.0, rate), rpm=int(rate * 60))


def _one_in_flight() -> KeySpec:
    behaviour = {"max_concurrency": 1, "first_byte_delay_s": LATENCY_S, **NO_HEADERS}
    return KeySpec(behaviour, rate=1 / LATENCY_S, burst=0.0, max_parallel=1)


def _mixed() -> list[KeySpec]:
    half = [_bucket(RATE / 2, **NO_HEADERS) for _ in range(4)]
    broke = KeySpec({"out_of_credits_after": 0, **NO_HEADERS}, rpm=int(RATE * 60))
    invalid = KeySpec({"status": 401, "error_message": "Invalid API key.", **NO_HEADERS}, rpm=int(RATE * 60))
    return [_bucket(RATE, **NO_HEADERS) for _ in range(KEYS - 6)] + half + [broke, invalid]


@dataclass(frozen=True)
class Scenario:
    name: str
    load: float
    window_s: float
    keys: list[KeySpec] = field(default_factory=list)
    latency_s: float = 0.0

    @property
    def capacity_rps(self) -> float:
        return sum(spec.rate for spec in self.keys)


SCENARIOS = (
    Scenario("a_headers_retry_after_1_5x", 1.5, WINDOW_S, [_bucket(RATE, retry_after=True) for _ in range(KEYS)]),
    Scenario("b_no_headers_1_5x", 1.5, WINDOW_S, [_bucket(RATE, **NO_HEADERS) for _ in range(KEYS)]),
    Scenario("c_one_in_flight_1_5x", 1.5, WINDOW_S, [_one_in_flight() for _ in range(KEYS)], LATENCY_S),
    Scenario("d_mixed_keys_1_5x", 1.5, WINDOW_S, _mixed()),
    Scenario("e_no_headers_0_8x", 0.8, 8.0, [_bucket(RATE, **NO_HEADERS) for _ in range(KEYS)]),
    Scenario("e_no_headers_3x", 3.0, WINDOW_S, [_bucket(RATE, **NO_HEADERS) for _ in range(KEYS)]),
)


# ------------------------------------------------------------------ the gateway process
class GatewayProcess:
    """``python -m tests.support.fake_gateway`` with the scenario's keys, on loopback."""

    def __init__(self, scenario: Scenario) -> None:
        keys = {secret: spec.behaviour for secret, spec in zip(SECRETS, scenario.keys, strict=True)}
        keys[BASELINE_KEY] = {"first_byte_delay_s": scenario.latency_s} if scenario.latency_s else {}
        self._config = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)  # noqa: SIM115
        json.dump(keys, self._config)
        self._config.close()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.fake_gateway", "--keys", self._config.name],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        assert self._process.stdout is not None
        self.url = json.loads(self._process.stdout.readline())["url"]
        self._root = self.url.removesuffix("/v1")

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(self._root + "/__reset", method="POST"), timeout=10).read()

    def attempts_on_pool_keys(self) -> int:
        with urllib.request.urlopen(self._root + "/__stats", timeout=10) as answer:
            counts = json.loads(answer.read())["attempts"]
        return sum(sum(per_key.values()) for key, per_key in counts.items() if key in SECRETS)

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(10)
        os.unlink(self._config.name)


# ------------------------------------------------------------------ contenders
async def _ohm_pool(url: str, scenario: Scenario) -> Call:
    from ohm_desktop.core.gateway import Gateway
    from ohm_desktop.core.keys import ApiKey, KeyPool

    keys = [ApiKey(s, f"k{i}", "env", f"key {i + 1}") for i, s in enumerate(SECRETS)]
    gateway = Gateway(KeyPool(keys, per_key_concurrency=4), base_url=url, auth_scheme="raw")

    async def call() -> Any:
        return await gateway.complete(model="m", messages=MESSAGES, max_tokens=5, deadline_s=30)

    return call


async def _seed_pool(url: str, scenario: Scenario) -> Call:
    """The seed's KeyManager + executeWithRetry, faithfully: one current key, dead forever on 429/402."""
    import openai

    clients = {s: openai.AsyncOpenAI(api_key=s, base_url=url, max_retries=0) for s in SECRETS}
    state: dict[str, Any] = {"current": 0, "failed": set()}

    def rotate() -> None:
        for _ in range(len(SECRETS)):
            state["current"] = (state["current"] + 1) % len(SECRETS)
            if state["current"] not in state["failed"]:
                return

    async def call() -> Any:
        for _ in range(len(SECRETS)):
            key = SECRETS[state["current"]]
            try:
                return await clients[key].chat.completions.create(model="m", messages=MESSAGES, max_tokens=5)  # type: ignore[arg-type]
            except openai.APIStatusError as exc:
                if exc.status_code in (429, 402, 401):
                    state["failed"].add(state["current"])
                    rotate()
                    continue
                raise
        raise RuntimeError("All API keys exhausted")

    return call


async def _litellm_router(url: str, scenario: Scenario) -> Call:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm
    from litellm import Router

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    model_list = []
    for secret, spec in zip(SECRETS, scenario.keys, strict=True):
        params: dict[str, Any] = {"model": "openai/gpt-4o-mini", "api_key": secret, "api_base": url}
        if spec.rpm is not None:
            params["rpm"] = spec.rpm
        if spec.max_parallel is not None:
            params["max_parallel_requests"] = spec.max_parallel
        model_list.append({"model_name": "bench", "litellm_params": params})
    router = Router(
        model_list=model_list, routing_strategy="simple-shuffle", num_retries=3, allowed_fails=1, cooldown_time=1
    )

    async def call() -> Any:
        return await router.acompletion(model="bench", messages=MESSAGES, max_tokens=5)

    return call


CONTENDERS: tuple[tuple[str, Callable[[str, Scenario], Awaitable[Call]]], ...] = (
    ("ohm_key_pool", _ohm_pool),
    ("seed_round_robin", _seed_pool),
    ("litellm_router", _litellm_router),
)


# ------------------------------------------------------------------ driving
async def _unloaded_latency(url: str) -> float:
    import openai

    client = openai.AsyncOpenAI(api_key=BASELINE_KEY, base_url=url, max_retries=0)
    samples = []
    for _ in range(10):
        started = time.perf_counter()
        await client.chat.completions.create(model="m", messages=MESSAGES, max_tokens=5)  # type: ignore[arg-type]
        samples.append(time.perf_counter() - started)
    await client.close()
    return statistics.median(samples)


async def _warm_up(call: Call) -> None:
    """One request per key, spaced well below capacity: imports, clients and connections warm."""
    tasks = []
    for _ in range(KEYS):
        tasks.append(asyncio.create_task(call()))
        await asyncio.sleep(0.05)
    await asyncio.gather(*tasks, return_exceptions=True)


async def _drive(call: Call, rate_rps: float, window_s: float) -> dict[str, Any]:
    """Open-loop arrivals at ``rate_rps`` for ``window_s``; successes' latencies and failures."""
    latencies: list[float] = []
    failures: list[str] = []
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks: list[asyncio.Task[None]] = []

    async def one() -> None:
        sent = loop.time()
        try:
            await call()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if loop.time() - start < window_s:
                failures.append(type(exc).__name__)
            return
        if loop.time() - start <= window_s:
            latencies.append(loop.time() - sent)

    index = 0
    while (now := loop.time()) - start < window_s:
        due = start + index / rate_rps
        if due > now:
            await asyncio.sleep(due - now)
        tasks.append(asyncio.create_task(one()))
        index += 1
    await asyncio.sleep(max(0.0, start + window_s - loop.time()))
    unserved = sum(1 for task in tasks if not task.done())
    return {"offered": len(tasks), "latencies": latencies, "failures": failures, "unserved": unserved, "tasks": tasks}


async def _measure(
    gateway: GatewayProcess, factory: Callable[[str, Scenario], Awaitable[Call]], scenario: Scenario, baseline_s: float
) -> dict[str, Any]:
    call = await factory(gateway.url, scenario)
    await _warm_up(call)
    gateway.reset()
    result = await _drive(call, scenario.load * scenario.capacity_rps, scenario.window_s)
    attempts = gateway.attempts_on_pool_keys()
    for task in result["tasks"]:
        task.cancel()
    await asyncio.gather(*result["tasks"], return_exceptions=True)
    latencies = sorted(result["latencies"])
    successes = len(latencies)
    capacity = sum(spec.capacity(scenario.window_s, baseline_s) for spec in scenario.keys)
    could_serve = min(float(result["offered"]), capacity)
    added = [max(0.0, value - baseline_s) * 1000 for value in latencies] or [0.0]
    return {
        "offered": result["offered"],
        "successes": successes,
        "could_serve": round(could_serve, 1),
        "strict_utilization": round(successes / could_serve, 4) if could_serve else None,
        "upstream_calls_per_success": round(attempts / successes, 3) if successes else None,
        "failed": len(result["failures"]),
        "failure_kinds": sorted(set(result["failures"])),
        "added_latency_ms_p50": round(statistics.median(added), 1),
        "added_latency_ms_p99": round(added[max(0, int(len(added) * 0.99) - 1)], 1),
        "unserved_at_window_end": result["unserved"],
    }


def _run_scenario(scenario: Scenario) -> dict[str, Any]:
    gateway = GatewayProcess(scenario)
    try:
        baseline_s = asyncio.run(_unloaded_latency(gateway.url))
        section: dict[str, Any] = {
            "offered_load_x_capacity": scenario.load,
            "window_s": scenario.window_s,
            "capacity_rps": scenario.capacity_rps,
            "unloaded_latency_ms": round(baseline_s * 1000, 2),
        }
        for name, factory in CONTENDERS:
            try:
                section[name] = asyncio.run(_measure(gateway, factory, scenario, baseline_s))
            except ImportError as exc:
                section[name] = {"skipped": f"{name} not installed: {exc}"}
            except Exception as exc:  # a broken optional baseline must not hide our own numbers
                section[name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        return section
    finally:
        gateway.stop()


def _goals(results: dict[str, Any]) -> dict[str, Any]:
    """Each 1.5x scenario against the goals: >= 0.95 strict, <= 1.05 calls/success, 0 failed, ahead of LiteLLM."""
    verdicts = {}
    for name, section in results.items():
        ohm, litellm = section.get("ohm_key_pool", {}), section.get("litellm_router", {})
        if not name.endswith("1_5x") or "strict_utilization" not in ohm:
            continue
        verdicts[name] = {
            "strict_utilization_ge_0_95": ohm["strict_utilization"] >= 0.95,
            "calls_per_success_le_1_05": (ohm["upstream_calls_per_success"] or 99) <= 1.05,
            "no_failures": ohm["failed"] == 0,
            "ahead_of_litellm": ohm["strict_utilization"] >= (litellm.get("strict_utilization") or 0),
        }
    return verdicts


def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for scenario in SCENARIOS:
        results[scenario.name] = _run_scenario(scenario)
    return {
        "setup": {
            "keys": KEYS,
            "rate_per_key_rps": RATE,
            "transport": "real HTTP on loopback; fake gateway in its own process; openai SDK clients",
            "seed_baseline": "KeyManager + executeWithRetry from the seed manual: one current key for every "
            "request, 429/402 marks it failed forever and rotates, at most N attempts per request",
            "litellm_router": "simple-shuffle weighted by each deployment's true rpm, max_parallel_requests=1 where "
            "the gateway allows one in flight, num_retries=3, allowed_fails=1, cooldown_time=1 s, openai/gpt-4o-mini",
        },
        "targets": {"strict_utilization_at_1_5x": ">= 0.95", "upstream_calls_per_success": "<= 1.05",
                    "failed": 0, "vs_litellm": "ahead"},
        **results,
        "goals_met": _goals(results),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
