"""A fake OpenAI-compatible gateway and a runtime pointed at it, with env keys."""

from __future__ import annotations

import pytest

from tests.support.fake_gateway import FakeGateway


@pytest.fixture
def env_keys(monkeypatch: pytest.MonkeyPatch, gateway: FakeGateway) -> list[str]:
    """Two pool keys from the environment (the seed's numbered pattern, with a gap)."""
    keys = ["sk-bytez-test-key-alpha-0001", "sk-bytez-test-key-bravo-0002"]
    monkeypatch.setenv("BYTEZ_API_KEY_1", keys[0])
    monkeypatch.setenv("BYTEZ_API_KEY_3", keys[1])
    monkeypatch.setenv("OHM_GATEWAY_URL", gateway.url)
    return keys
