"""How the key and the provider key reach the gateway, over real HTTP to the fake gateway."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ohm_desktop.core.gateway import Gateway
from ohm_desktop.core.gateway_headers import default_auth_scheme, provider_of
from ohm_desktop.core.keys import ApiKey, KeyPool
from ohm_desktop.errors import NoUsableKeyError
from tests.support.fake_gateway import FakeGateway, KeyBehaviour, Reply

KEY = "sk-bytez-key-alpha-00001111"
ANTHROPIC_KEY = "sk-ant-provider-secret-9999"
MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture
def fake() -> Iterator[FakeGateway]:
    with FakeGateway(lambda r: Reply(text="hello")) as gateway:
        yield gateway


def make(fake: FakeGateway, **kwargs: object) -> Gateway:
    pool = KeyPool([ApiKey(KEY, "k0", "env", "key 1 …1111")])
    return Gateway(pool, base_url=fake.url, read_timeout_s=5.0, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("scheme", "header"), [("raw", KEY), ("bearer", f"Bearer {KEY}"), ("none", None)]
)
async def test_each_auth_scheme_sends_its_authorization_header(
    fake: FakeGateway, scheme: str, header: str | None
) -> None:
    fake.require_key = False
    gateway = make(fake, auth_scheme=scheme)
    await gateway.complete(model="m", messages=MESSAGES, max_tokens=5)
    await gateway.aclose()
    assert fake.requests[0].headers.get("authorization") == header


def test_bytez_gets_the_raw_key_and_every_other_server_bearer() -> None:
    assert default_auth_scheme("https://api.bytez.com/models/v2/openai/v1") == "raw"
    assert default_auth_scheme("http://127.0.0.1:4000/v1") == "bearer"
    assert default_auth_scheme("https://api.openai.com/v1") == "bearer"
    assert default_auth_scheme("https://bytez.com.example.org/v1") == "bearer"


async def test_provider_key_goes_only_with_that_providers_models(fake: FakeGateway) -> None:
    gateway = make(fake, auth_scheme="raw", provider_keys={"anthropic": ANTHROPIC_KEY})
    await gateway.complete(model="anthropic/claude-opus-4-5", messages=MESSAGES, max_tokens=5)
    await gateway.complete(model="openai/gpt-4o", messages=MESSAGES, max_tokens=5)
    await gateway.complete(model="Qwen/Qwen3-4B", messages=MESSAGES, max_tokens=5)
    await gateway.aclose()
    sent = [request.headers.get("provider-key") for request in fake.requests]
    assert sent == [ANTHROPIC_KEY, None, None]
    assert provider_of("anthropic/claude-opus-4-5") == "anthropic" and provider_of("claude") is None


async def test_provider_keys_are_read_on_the_first_request_not_at_start_up(fake: FakeGateway) -> None:
    reads: list[int] = []

    def load() -> dict[str, str]:
        reads.append(1)
        return {"anthropic": ANTHROPIC_KEY}

    gateway = make(fake, auth_scheme="raw", provider_keys=load)
    assert reads == []
    await gateway.complete(model="anthropic/claude-opus-4-5", messages=MESSAGES, max_tokens=5)
    await gateway.complete(model="anthropic/claude-opus-4-5", messages=MESSAGES, max_tokens=5)
    await gateway.aclose()
    assert reads == [1] and [r.headers.get("provider-key") for r in fake.requests] == [ANTHROPIC_KEY] * 2


async def test_a_malformed_key_answer_means_the_gateway_refused_the_key(fake: FakeGateway) -> None:
    # What LiteLLM's proxy answers a key without "Bearer ": a 500, not a 401.
    fake.behave(KEY, KeyBehaviour(status=500, error_message="Malformed API Key passed in. Ensure Key has `Bearer ` prefix."))
    gateway = make(fake, auth_scheme="raw")
    with pytest.raises(NoUsableKeyError) as caught:
        await gateway.complete(model="m", messages=MESSAGES, max_tokens=5, deadline_s=30)
    await gateway.aclose()
    assert "refused the key as invalid" in caught.value.message and "auth_scheme" in caught.value.message
    assert len(fake.attempts) == 1  # not retried as a server error
    assert gateway.pool.snapshot()[0].state == "invalid"
