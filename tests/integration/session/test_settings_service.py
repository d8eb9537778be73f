"""SettingsService: a saved change is in effect for the next turn, without a restart."""

from __future__ import annotations

import asyncio

import pytest

from ohm_desktop.config import AgentOverride, Paths, Settings, load_settings, save_settings
from ohm_desktop.core.orchestrator import TurnRequest
from ohm_desktop.runtime import Runtime, build_runtime
from ohm_desktop.settings_service import SettingsApplied, SettingsService
from tests.support.fake_gateway import FakeGateway, Reply

KEY = "sk-bytez-settings-test-key-0000cccc"


@pytest.fixture
def runtime(gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv("BYTEZ_API_KEY_1", KEY)
    paths = Paths.from_environment()
    save_settings(paths, Settings(gateway_url=gateway.url))
    return build_runtime(paths)


async def _turn(runtime: Runtime, text: str) -> None:
    chat = runtime.store.create_chat("t")
    async for _event in runtime.orchestrator.run_turn(TurnRequest(chat.id, text, agent_override="CHAT")):
        pass


def test_model_gateway_and_concurrency_changes_apply_to_the_next_turn(runtime: Runtime, gateway: FakeGateway) -> None:
    gateway.set_responder(lambda r: Reply(text="ok"))
    other = FakeGateway().start()
    other.set_responder(lambda r: Reply(text="from the other gateway"))
    service = SettingsService(runtime)
    heard: list[SettingsApplied] = []
    service.subscribe(heard.append)

    async def steps() -> None:
        await _turn(runtime, "before")
        assert gateway.requests[-1].model == "anthropic/claude-sonnet-4-5"
        changed = runtime.settings.model_copy(
            update={
                "agent_overrides": {"CHAT": AgentOverride(model="openai/gpt-4o-mini")},
                "gateway_url": other.url,
                "per_key_concurrency": 9,
            }
        )
        service.update(changed)
        await _turn(runtime, "after")
        await service.aclose()
        await runtime.aclose()

    try:
        asyncio.run(steps())
    finally:
        other.stop()
    assert other.requests[-1].model == "openai/gpt-4o-mini"  # new gateway and new model, no restart
    assert len(gateway.requests) == 1
    assert runtime.key_pool._limit == 9
    assert load_settings(runtime.paths).gateway_url == other.url  # saved too
    assert heard and heard[-1].changed == {"agent_overrides", "gateway_url", "per_key_concurrency"}
    assert "models are updated" in heard[-1].summary and "9 requests per key" in heard[-1].summary


def test_switching_to_a_local_profile_uses_its_placeholder_key_and_no_model_names(runtime: Runtime) -> None:
    service = SettingsService(runtime)
    service.update(runtime.settings.model_copy(update={"active_profile": "llama-cpp"}))
    assert runtime.registry.require("CODE").model == "local"
    assert runtime.gateway.base_url.startswith("http://127.0.0.1:8080")
    # The stored key stays: a key in the pool is used whatever the profile.
    assert [key.secret for key in runtime.key_pool.keys] == [KEY]
    asyncio.run(runtime.aclose())


def test_an_unknown_profile_is_refused_before_anything_is_saved(runtime: Runtime) -> None:
    from ohm_desktop.errors import ConfigError

    service = SettingsService(runtime)
    with pytest.raises(ConfigError):
        service.update(runtime.settings.model_copy(update={"active_profile": "nope"}))
    assert load_settings(runtime.paths).active_profile == "bytez" and runtime.settings.active_profile == "bytez"
    asyncio.run(runtime.aclose())
