"""Every row of the key/gateway behaviour matrix, through Gateway + KeyPool over real HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from ohm_desktop.core.events import KeyRotation
from ohm_desktop.core.gateway import Gateway
from ohm_desktop.core.keys import ApiKey, KeyPool
from ohm_desktop.errors import GatewayError, NoUsableKeyError, StreamInterruptedError
from tests.support.fake_gateway import FakeGateway, KeyBehaviour, Reply, ToolCallSpec

A, B, C = "sk-bytez-key-alpha-00001111", "sk-bytez-key-bravo-00002222", "sk-bytez-key-charlie-0003333"
MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture
def fake() -> Iterator[FakeGateway]:
    with FakeGateway(lambda r: Reply(text="hello world, this is a streamed answer")) as gateway:
        yield gateway


class ManualClock:
    """A monotonic clock for the pool that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make(fake: FakeGateway, *secrets: str, **pool_kwargs: object) -> Gateway:
    keys = [ApiKey(s, f"k{i}", "env", f"key {i + 1} …{s[-4:]}") for i, s in enumerate(secrets)]
    read_timeout = pool_kwargs.pop("read_timeout_s", 5.0)
    return Gateway(KeyPool(keys, **pool_kwargs), base_url=fake.url, read_timeout_s=read_timeout)  # type: ignore[arg-type]


async def stream_text(gateway: Gateway, rotations: list[KeyRotation] | None = None, **kwargs: object) -> str:
    parts = []
    async for chunk in gateway.stream(
        model="m", messages=MESSAGES, max_tokens=50, on_rotation=(rotations.append if rotations is not None else None),
        **kwargs,  # type: ignore[arg-type]
    ):
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
    return "".join(parts)


async def test_raw_key_in_authorization_header_and_max_tokens_sent(fake: FakeGateway) -> None:
    gateway = make(fake, A)
    completion = await gateway.complete(model="m", messages=MESSAGES, max_tokens=7)
    await gateway.aclose()
    assert completion.choices[0].message.content
    seen = fake.requests[0]
    assert seen.key == A and seen.max_tokens == 7


async def test_rate_limited_key_with_retry_after_rotates_and_cools(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(status=429))
    gateway = make(fake, A, B)
    rotations: list[KeyRotation] = []
    assert await stream_text(gateway, rotations)
    await gateway.aclose()
    assert [(r.from_key, r.to_key, r.reason) for r in rotations] == [("key 1 …1111", "key 2 …2222", "rate_limited")]
    states = {h.label: h.state for h in gateway.pool.snapshot()}
    assert states == {"key 1 …1111": "cooling", "key 2 …2222": "healthy"}


async def test_token_bucket_rate_limit_without_retry_after_never_fails_while_capacity_remains(fake: FakeGateway) -> None:
    for key in (A, B, C):
        fake.behave(key, KeyBehaviour(rate_limit_rps=20, retry_after=False))
    gateway = make(fake, A, B, C, base_backoff_s=0.05, max_backoff_s=0.5)
    results = await asyncio.gather(*(gateway.complete(model="m", messages=MESSAGES, max_tokens=5) for _ in range(90)))
    await gateway.aclose()
    assert len(results) == 90
    refused = sum(1 for _, status in fake.attempts if status == 429)
    assert refused < 90  # rotation keeps most calls off cooling keys


async def test_402_after_k_calls_marks_out_of_credits_and_moves_on(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(out_of_credits_after=2))
    gateway = make(fake, A, B)
    rotations: list[KeyRotation] = []
    for _ in range(6):
        await gateway.complete(model="m", messages=MESSAGES, max_tokens=5, on_rotation=rotations.append)
    await gateway.aclose()
    assert any(r.reason == "out_of_credits" and r.from_key == "key 1 …1111" for r in rotations)
    assert {h.label: h.state for h in gateway.pool.snapshot()}["key 1 …1111"] == "out_of_credits"
    assert sum(1 for key, status in fake.attempts if key == A and status == 402) == 1  # not retried again


async def test_401_marks_invalid_and_all_invalid_is_no_usable_key(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(status=401))
    fake.behave(B, KeyBehaviour(status=403))
    gateway = make(fake, A, B)
    with pytest.raises(NoUsableKeyError, match="invalid"):
        await gateway.complete(model="m", messages=MESSAGES, max_tokens=5)
    await gateway.aclose()
    assert {h.state for h in gateway.pool.snapshot()} == {"invalid"}


async def test_500_retries_on_next_key(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(status=500))
    gateway = make(fake, A, B)
    rotations: list[KeyRotation] = []
    assert await stream_text(gateway, rotations)
    await gateway.aclose()
    assert rotations[0].reason == "server_error" and rotations[0].to_key == "key 2 …2222"


async def test_slow_first_byte_times_out_and_moves_to_next_key(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(first_byte_delay_s=2.0))
    gateway = make(fake, A, B, read_timeout_s=0.3)
    rotations: list[KeyRotation] = []
    assert await stream_text(gateway, rotations)
    await gateway.aclose()
    assert rotations and rotations[0].from_key == "key 1 …1111" and rotations[0].to_key == "key 2 …2222"


async def test_disconnect_before_first_chunk_is_retried_elsewhere(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(disconnect_after_chunks=0))
    gateway = make(fake, A, B)
    assert await stream_text(gateway) == "hello world, this is a streamed answer"
    await gateway.aclose()


async def test_disconnect_after_first_chunk_is_reported_not_duplicated(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(disconnect_after_chunks=3))
    gateway = make(fake, A, B)
    received: list[str] = []
    with pytest.raises(StreamInterruptedError, match="Retry"):
        async for chunk in gateway.stream(model="m", messages=MESSAGES, max_tokens=50):
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    await gateway.aclose()
    assert received and len([r for r in fake.requests if r.stream]) == 1  # no silent second attempt


async def test_all_keys_cooling_waits_with_a_rotation_notice_then_succeeds(fake: FakeGateway) -> None:
    gateway = make(fake, A)
    lease = gateway.pool.try_acquire()
    assert lease is not None
    gateway.pool.release(lease, "rate_limited", retry_after_s=0.3)
    rotations: list[KeyRotation] = []
    assert await gateway.complete(model="m", messages=MESSAGES, max_tokens=5, on_rotation=rotations.append)
    await gateway.aclose()
    assert rotations and rotations[0].to_key is None and 0 < rotations[0].wait_s <= 0.3


async def test_deadline_shorter_than_every_cooldown_is_no_usable_key(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(status=429))  # Retry-After from the token bucket is absent: fixed status
    gateway = make(fake, A, base_backoff_s=30, max_backoff_s=30)
    with pytest.raises(NoUsableKeyError):
        await gateway.complete(model="m", messages=MESSAGES, max_tokens=5, deadline_s=0.5)
    await gateway.aclose()


async def test_concurrency_limit_is_respected_under_load(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(first_byte_delay_s=0.05))
    fake.behave(B, KeyBehaviour(first_byte_delay_s=0.05))
    gateway = make(fake, A, B, per_key_concurrency=2)
    peak = 0

    def watch() -> None:
        nonlocal peak
        peak = max(peak, max(h.in_flight for h in gateway.pool.snapshot()))

    gateway.pool.subscribe(watch)

    async def one() -> None:
        watch()
        await gateway.complete(model="m", messages=MESSAGES, max_tokens=5)

    await asyncio.gather(*(one() for _ in range(12)))
    await gateway.aclose()
    assert peak <= 2


async def test_network_down_is_a_gateway_error_after_bounded_retries() -> None:
    keys = [ApiKey(A, "a", "env", "key 1 …1111"), ApiKey(B, "b", "env", "key 2 …2222")]
    gateway = Gateway(KeyPool(keys, server_error_backoff_s=0.01), base_url="http://127.0.0.1:9/v1")
    with pytest.raises(GatewayError, match="Cannot reach the model gateway") as info:
        await gateway.complete(model="m", messages=MESSAGES, max_tokens=5)
    await gateway.aclose()
    assert A not in info.value.message and B not in info.value.message


async def test_bad_request_is_not_retried(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(status=400))
    gateway = make(fake, A, B)
    with pytest.raises(GatewayError, match="refused the request"):
        await gateway.complete(model="m", messages=MESSAGES, max_tokens=5)
    await gateway.aclose()
    assert len(fake.attempts) == 1


async def test_tool_calls_split_across_chunks_reassemble(fake: FakeGateway) -> None:
    args = {"artifact_type": "bom", "content": {"projectName": "x", "parts": []}, "change_summary": "s"}
    fake.set_responder(lambda r: Reply(tool_calls=[ToolCallSpec("write", args), ToolCallSpec("read", {})], tool_arg_pieces=7))
    gateway = make(fake, A)
    calls: dict[int, dict[str, str]] = {}
    async for chunk in gateway.stream(model="m", messages=MESSAGES, max_tokens=50, tools=[{"type": "function"}]):
        for piece in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            call = calls.setdefault(piece.index, {"name": "", "arguments": ""})
            call["name"] += piece.function.name or "" if piece.function else ""
            call["arguments"] += piece.function.arguments or "" if piece.function else ""
    await gateway.aclose()
    assert calls[0]["name"] == "write" and json.loads(calls[0]["arguments"]) == args
    assert calls[1]["name"] == "read"


async def test_429_with_retry_after_cools_the_key_for_that_long(fake: FakeGateway) -> None:
    # One request per 100 s: A's second request is refused with Retry-After ≈ 100 s however slowly a
    # loaded machine gets there, and the pool's frozen clock keeps the cooldown exactly what it was told.
    fake.behave(A, KeyBehaviour(rate_limit_rps=0.01, retry_after=True, ratelimit_headers=False))
    clock = ManualClock()
    gateway = make(fake, A, B, base_backoff_s=1000, max_backoff_s=1000, clock=clock)
    rotations: list[KeyRotation] = []
    for _ in range(3):  # A, B, then A again: 429 with Retry-After
        await gateway.complete(model="m", messages=MESSAGES, max_tokens=5, on_rotation=rotations.append)
    await gateway.aclose()
    assert [status for key, status in fake.attempts if key == A] == [200, 429]
    assert [(r.from_key, r.to_key, r.reason) for r in rotations] == [("key 1 …1111", "key 2 …2222", "rate_limited")]
    cooling = gateway.pool.snapshot()[0]
    assert cooling.state == "cooling" and 50 < cooling.cooldown_remaining_s <= 100  # Retry-After, not 1000 s


async def test_429_without_retry_after_backs_off_exponentially(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(status=429, retry_after=False))
    keys = [ApiKey(A, "a", "env", "key 1 …1111"), ApiKey(B, "b", "env", "key 2 …2222")]
    clock = ManualClock()  # the pool's time: cooldowns are exact, whatever the machine's load
    pool = KeyPool(keys, base_backoff_s=2.0, max_backoff_s=60, rng=lambda: 1.0, clock=clock)
    gateway = Gateway(pool, base_url=fake.url)
    await gateway.complete(model="m", messages=MESSAGES, max_tokens=5)
    first = pool.snapshot()[0].cooldown_remaining_s
    # Once A's cooldown is over it is tried again, fails again, and the next cooldown doubles.
    clock.advance(first)
    await gateway.complete(model="m", messages=MESSAGES, max_tokens=5)
    second = pool.snapshot()[0].cooldown_remaining_s
    await gateway.aclose()
    assert (first, second) == (2.0, 4.0)
    assert [status for key, status in fake.attempts if key == A] == [429, 429]


async def test_rate_limit_headers_pace_a_key_instead_of_provoking_429s(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(rate_limit_rps=5, retry_after=True))
    gateway = make(fake, A)
    await asyncio.gather(*(gateway.complete(model="m", messages=MESSAGES, max_tokens=5) for _ in range(15)))
    await gateway.aclose()
    statuses = [status for _, status in fake.attempts]
    assert statuses.count(200) == 15 and statuses.count(429) <= 2  # only the first burst may overshoot


async def test_only_key_rate_limited_waits_out_retry_after_and_succeeds(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(rate_limit_rps=1, retry_after=True, ratelimit_headers=False))
    gateway = make(fake, A)
    rotations: list[KeyRotation] = []
    await gateway.complete(model="m", messages=MESSAGES, max_tokens=5)
    assert await stream_text(gateway, rotations, deadline_s=5)
    await gateway.aclose()
    assert [status for _, status in fake.attempts] == [200, 429, 200]
    waits = [r for r in rotations if r.to_key is None]
    assert waits and waits[0].reason == "rate_limited" and 0.3 < waits[0].wait_s <= 1.0


async def test_sse_error_event_before_first_chunk_is_retried_on_another_key(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(stream_error_after_chunks=0))
    gateway = make(fake, A, B)
    rotations: list[KeyRotation] = []
    assert await stream_text(gateway, rotations) == "hello world, this is a streamed answer"
    await gateway.aclose()
    assert [(r.from_key, r.to_key, r.reason) for r in rotations] == [("key 1 …1111", "key 2 …2222", "server_error")]


async def test_sse_error_event_after_first_chunk_interrupts_without_retry(fake: FakeGateway) -> None:
    fake.behave(A, KeyBehaviour(stream_error_after_chunks=2))
    gateway = make(fake, A, B)
    with pytest.raises(StreamInterruptedError, match="upstream model overloaded"):
        await stream_text(gateway)
    await gateway.aclose()
    assert len(fake.requests) == 1
