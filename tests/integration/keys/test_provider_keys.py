"""Provider keys (Bytez's ``provider-key`` header) in a real Secret Service, through `ohm keys` and the gateway."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ohm_desktop.core.gateway import Gateway
from ohm_desktop.core.keys import ApiKey, KeyPool
from ohm_desktop.errors import GatewayError
from tests.e2e.conftest import run_ohm
from tests.support.fake_gateway import FakeGateway, KeyBehaviour
from tests.support.secret_service import require_secret_service

PROVIDER_SECRET = "sk-ant-api03-provider-secret-5f9a"
BYTEZ_KEY = "sk-bytez-key-for-provider-test-1111"


def test_add_list_remove_a_provider_key_through_the_keyring(isolated_dirs: Path) -> None:
    require_secret_service()
    added = run_ohm("keys", "add", "--provider", "Anthropic", "--stdin", input_text=PROVIDER_SECRET + "\n")
    assert added.returncode == 0, added.stderr
    assert "anthropic …5f9a" in added.stdout
    listed = run_ohm("keys", "list")
    assert "anthropic …5f9a" in listed.stdout and "provider key" in listed.stdout
    removed = run_ohm("keys", "remove", "--provider", "anthropic")
    assert removed.returncode == 0, removed.stderr
    assert "…5f9a" not in run_ohm("keys", "list").stdout
    for done in (added, listed, removed):
        assert PROVIDER_SECRET not in done.stdout + done.stderr
    for path in isolated_dirs.rglob("*"):
        if path.is_file():
            assert PROVIDER_SECRET.encode() not in path.read_bytes()


def test_an_unknown_provider_is_one_sentence_and_exit_2() -> None:
    done = run_ohm("keys", "add", "--provider", "acme", "--stdin", input_text=PROVIDER_SECRET + "\n")
    assert done.returncode == 2 and "Unknown provider 'acme'" in done.stderr and "anthropic" in done.stderr
    assert "Traceback" not in done.stderr and PROVIDER_SECRET not in done.stdout + done.stderr


async def test_a_provider_key_reaches_no_log_and_no_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeGateway() as fake:
        fake.behave(BYTEZ_KEY, KeyBehaviour(status=400, error_message=f"bad provider key {PROVIDER_SECRET}"))
        pool = KeyPool([ApiKey(BYTEZ_KEY, "k", "env", "key 1 …1111")])
        gateway = Gateway(pool, base_url=fake.url, provider_keys={"anthropic": PROVIDER_SECRET})
        with pytest.raises(GatewayError) as refused:
            await gateway.complete(model="anthropic/claude-opus-4-5", messages=[{"role": "user", "content": "hi"}],
                                   max_tokens=5)
        await gateway.aclose()
    assert "…5f9a" in refused.value.message  # the gateway's sentence, with the key masked
    for text in (refused.value.message, str(refused.value), caplog.text):
        assert PROVIDER_SECRET not in text and BYTEZ_KEY not in text
