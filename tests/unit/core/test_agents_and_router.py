"""Agent registry loading and the router's parsing rules (no network needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ohm_desktop.config import AgentOverride, Paths, Settings
from ohm_desktop.core.agents import load_registry
from ohm_desktop.core.router import keyword_intent, parse_intent, router_prompt
from ohm_desktop.errors import ConfigError
from ohm_desktop.runtime import load_agent_registry

SECURE = """
[agents.SECURE]
name = "Security Sentinel"
description = "Security reviews of firmware and connected devices: vulnerabilities, credentials, OTA, hardening."
keywords = ["vulnerability", "hack", "audit", "security"]
model = "anthropic/claude-sonnet-4-5"
system_prompt = "You are a cybersecurity expert for embedded devices."
max_tokens = 3000
tools = ["read"]
"""


def _paths(tmp_path: Path) -> Paths:
    return Paths(data=tmp_path / "data", config=tmp_path / "config")


def test_bundled_registry_has_the_five_default_intents_and_router(tmp_path: Path) -> None:
    registry = load_agent_registry(_paths(tmp_path), Settings())
    assert list(registry.agents) == ["BOM", "CODE", "WIRING", "DEBUG", "CHAT"]
    assert registry.agents["BOM"].model == "anthropic/claude-opus-4-5"
    assert registry.agents["CODE"].model == "anthropic/claude-sonnet-4-5"
    assert registry.agents["DEBUG"].model == "anthropic/claude-opus-4-5"
    assert "{common}" not in registry.agents["BOM"].system_prompt
    assert registry.router.max_tokens > 0


def test_user_agents_file_adds_an_agent_that_the_router_prompt_lists(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    paths.config.mkdir(parents=True)
    paths.user_agents_file.write_text(SECURE)
    registry = load_agent_registry(paths, Settings())
    assert registry.agents["SECURE"].name == "Security Sentinel"
    prompt = router_prompt(registry)
    assert "- SECURE: Security reviews" in prompt and "vulnerability" in prompt
    assert parse_intent("secure", registry) == "SECURE"


def test_user_file_overrides_one_field_and_settings_override_model(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    paths.config.mkdir(parents=True)
    paths.user_agents_file.write_text('[agents.CHAT]\nmax_tokens = 111\n')
    settings = Settings(agent_overrides={"bom": AgentOverride(model="local/llama3")})
    registry = load_agent_registry(paths, settings)
    assert registry.agents["CHAT"].max_tokens == 111
    assert registry.agents["CHAT"].model == "anthropic/claude-sonnet-4-5"
    assert registry.agents["BOM"].model == "local/llama3"


def test_invalid_user_agents_file_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    paths.config.mkdir(parents=True)
    paths.user_agents_file.write_text("[agents.CHAT\n")
    with pytest.raises(ConfigError, match=r"agents\.toml"):
        load_agent_registry(paths, Settings())


def test_unknown_tool_in_registry_is_rejected(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    paths.config.mkdir(parents=True)
    paths.user_agents_file.write_text('[agents.CHAT]\ntools = ["rm -rf"]\n')
    with pytest.raises(ConfigError, match="unknown tools"):
        load_agent_registry(paths, Settings())


@pytest.mark.parametrize(
    ("reply", "intent"),
    [
        ("BOM", "BOM"),
        ("bom.", "BOM"),
        ("Intent: WIRING", "WIRING"),
        ("**code**", "CODE"),
        ("I think this is DEBUG because", "DEBUG"),
        ("banana", None),
        ("", None),
    ],
)
def test_router_reply_parsing_is_lenient(reply: str, intent: str | None, tmp_path: Path) -> None:
    registry = load_agent_registry(_paths(tmp_path), Settings())
    assert parse_intent(reply, registry) == intent


def test_keyword_fallback_picks_the_best_matching_agent(tmp_path: Path) -> None:
    registry = load_agent_registry(_paths(tmp_path), Settings())
    assert keyword_intent("I need a parts list for a robot", registry) == "BOM"
    assert keyword_intent("how do I wire the sensor to the breadboard", registry) == "WIRING"
    assert keyword_intent("hello there", registry) is None


def test_registry_requires_a_chat_fallback(tmp_path: Path) -> None:
    bundled = tmp_path / "agents.toml"
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "common.md").write_text("c")
    bundled.write_text('[router]\nmodel="m"\nsystem_prompt="x"\n[agents.BOM]\nmodel="m"\nsystem_prompt="b"\n')
    with pytest.raises(ConfigError, match="CHAT"):
        load_registry(bundled)
