"""Shared fixtures: isolated data/config dirs for every test, and the fake model gateway."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_gateway import FakeGateway

pytest_plugins = ["tests.support.supabase_fixtures"]


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own OHM_DATA_DIR/OHM_CONFIG_DIR and no stray BYTEZ keys."""
    import os

    for name in list(os.environ):
        if name.startswith("BYTEZ_API_KEY") or name.startswith("OHM_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OHM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OHM_CONFIG_DIR", str(tmp_path / "config"))
    # Each test its own keyring service: the suite shares one Secret Service session.
    monkeypatch.setenv("OHM_KEYRING_SERVICE", f"ohm-desktop-test-{uuid.uuid4().hex[:12]}")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    """A scripted OpenAI-compatible gateway on loopback (real HTTP/SSE) for this test."""
    fake = FakeGateway().start()
    try:
        yield fake
    finally:
        fake.stop()
