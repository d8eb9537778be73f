"""Bytez's own error envelope and model list, through the gateway, the catalog and `ohm doctor --online`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from ohm_desktop.core.gateway import Gateway
from ohm_desktop.core.keys import ApiKey, KeyPool
from ohm_desktop.core.model_catalog import model_list_url, unknown_models
from ohm_desktop.errors import GatewayError, NoUsableKeyError
from tests.e2e.conftest import run_ohm
from tests.support.fake_gateway import FakeGateway, KeyBehaviour

KEY = "sk-bytez-envelope-key-0000aaaa"
MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture
def fake() -> Iterator[FakeGateway]:
    with FakeGateway() as gateway:
        yield gateway


def make(fake: FakeGateway) -> Gateway:
    return Gateway(KeyPool([ApiKey(KEY, "k", "env", "key 1 …aaaa")]), base_url=fake.url, read_timeout_s=5)


async def test_an_unknown_model_in_bytezs_envelope_is_one_sentence_naming_it(fake: FakeGateway) -> None:
    fake.behave(KEY, KeyBehaviour(status=404, bytez_envelope=True, error_message="Model anthropic/claude-opus-9 not found"))
    gateway = make(fake)
    with pytest.raises(GatewayError) as refused:
        await gateway.complete(model="anthropic/claude-opus-9", messages=MESSAGES, max_tokens=5)
    await gateway.aclose()
    assert "no model 'anthropic/claude-opus-9': pick one in Settings → Agents" in refused.value.message
    assert gateway.pool.snapshot()[0].state == "healthy"  # the key is fine


async def test_an_envelope_refusal_of_the_key_marks_it_invalid_with_the_servers_sentence(fake: FakeGateway) -> None:
    fake.behave(KEY, KeyBehaviour(status=401, bytez_envelope=True, error_message="Unauthorized: bad key"))
    gateway = make(fake)
    with pytest.raises(NoUsableKeyError) as refused:
        await gateway.complete(model="m", messages=MESSAGES, max_tokens=5)
    await gateway.aclose()
    assert "Unauthorized: bad key" in refused.value.message and gateway.pool.snapshot()[0].state == "invalid"


async def test_an_envelope_rate_limit_cools_the_key_and_the_next_serves(fake: FakeGateway) -> None:
    other = "sk-bytez-envelope-key-1111bbbb"
    fake.behave(KEY, KeyBehaviour(status=429, bytez_envelope=True, error_message="Rate limited"))
    keys = [ApiKey(KEY, "k", "env", "key 1 …aaaa"), ApiKey(other, "o", "env", "key 2 …bbbb")]
    gateway = Gateway(KeyPool(keys), base_url=fake.url, read_timeout_s=5)
    await gateway.complete(model="m", messages=MESSAGES, max_tokens=5)
    await gateway.aclose()
    assert {h.label: h.state for h in gateway.pool.snapshot()}["key 1 …aaaa"] == "cooling"


@pytest.mark.parametrize("envelope", [True, False])
async def test_unknown_models_are_those_the_gateway_does_not_list(fake: FakeGateway, envelope: bool) -> None:
    fake.bytez_models = envelope
    fake.model_ids = ["anthropic/claude-opus-4-5", "anthropic/claude-sonnet-4-5"]
    configured = ["anthropic/claude-opus-4-5", "anthropic/claude-opus-9", "openai/gpt-9"]
    assert await unknown_models(fake.url, KEY, "raw", configured) == ["anthropic/claude-opus-9", "openai/gpt-9"]


def test_bytezs_model_list_lives_beside_its_openai_endpoint() -> None:
    assert model_list_url("https://api.bytez.com/models/v2/openai/v1") == "https://api.bytez.com/models/v2/list/models"
    assert model_list_url("http://127.0.0.1:4000/v1/") == "http://127.0.0.1:4000/v1/models"


def test_doctor_online_names_the_unknown_models(fake: FakeGateway) -> None:
    fake.model_ids = ["anthropic/claude-opus-4-5", "anthropic/claude-haiku-4-5"]
    env = {"OHM_GATEWAY_URL": fake.url, "BYTEZ_API_KEY_1": KEY}
    done = run_ohm("doctor", "--online", "--json", env=env)
    models = next(check for check in json.loads(done.stdout) if check["name"] == "models")
    assert models["status"] == "fail" and "anthropic/claude-sonnet-4-5" in models["detail"]
    assert "anthropic/claude-opus-4-5" not in models["detail"] and "Settings → Agents" in models["fix"]
    assert KEY not in done.stdout + done.stderr
