from __future__ import annotations

import pytest

from ohm_desktop.config import AgentOverride, Paths, Settings, load_settings, save_settings
from ohm_desktop.errors import ConfigError
from ohm_desktop.profiles import LOCAL_PLACEHOLDER_KEY, GatewayProfile, available_profiles, resolve_gateway


def test_default_profile_is_the_bytez_gateway_with_the_registry_models() -> None:
    resolved = resolve_gateway(Settings())
    assert resolved.profile_name == "bytez"
    assert resolved.base_url == "https://api.bytez.com/models/v2/openai/v1"
    assert resolved.agent_overrides == {} and resolved.router_model is None
    assert resolved.placeholder_key is None


def test_ollama_profile_works_offline_with_per_agent_models() -> None:
    resolved = resolve_gateway(Settings(active_profile="ollama"))
    assert resolved.base_url == "http://127.0.0.1:11434/v1"
    assert resolved.profile.offline and not resolved.profile.native_tools
    assert resolved.agent_overrides["CODE"] == ("qwen2.5-coder:7b", None)
    assert resolved.router_model == "llama3.2:3b"
    assert resolved.placeholder_key == LOCAL_PLACEHOLDER_KEY


def test_user_agent_overrides_win_over_the_profile_and_env_url_wins_over_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = Settings(active_profile="llama-cpp", agent_overrides={"code": AgentOverride(model="mine", max_tokens=900)})
    resolved = resolve_gateway(settings)
    assert resolved.agent_overrides["CODE"] == ("mine", 900)
    assert resolved.agent_overrides["BOM"] == ("local", None)
    monkeypatch.setenv("OHM_GATEWAY_URL", "http://10.0.0.5:8080/v1")
    assert resolve_gateway(settings).base_url == "http://10.0.0.5:8080/v1"


def test_custom_profile_round_trips_through_settings_json() -> None:
    paths = Paths.from_environment()
    lab = GatewayProfile(label="Lab server", base_url="http://lab:8000/v1", requires_key=False,
                         agent_models={"DEBUG": "qwen2.5:14b"})
    save_settings(paths, Settings(active_profile="lab", profiles={"lab": lab}))
    loaded = load_settings(paths)
    assert available_profiles(loaded)["lab"] == lab
    assert set(available_profiles(loaded)) >= {"bytez", "llama-cpp", "ollama", "lab"}
    assert resolve_gateway(loaded).agent_overrides == {"DEBUG": ("qwen2.5:14b", None)}


def test_unknown_active_profile_is_a_config_error_naming_the_choices() -> None:
    with pytest.raises(ConfigError, match="'moon' does not exist: choose one of bytez, llama-cpp, ollama"):
        resolve_gateway(Settings(active_profile="moon"))
