"""Gateway profiles: which OpenAI-compatible server the agents talk to, and with which models.

The default profile is the Bytez gateway. The built-in ``llama-cpp`` and ``ollama`` profiles
point at a local server so the app keeps working with no internet; a user may add or
override profiles in settings.json (``Settings.profiles``) and pick one with
``Settings.active_profile``. Qt-free, and importing nothing from config.py so that config.py
can use :class:`GatewayProfile` in Settings: what it reads from Settings is the
:class:`GatewaySettings` protocol below.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from ohm_desktop.core.gateway_headers import AuthScheme, default_auth_scheme
from ohm_desktop.errors import ConfigError

# Local servers accept any bearer token; the key pool still needs one to hand out.
LOCAL_PLACEHOLDER_KEY = "local-server-no-key"


class GatewayProfile(BaseModel):
    """One gateway and the model each agent uses on it."""

    model_config = ConfigDict(extra="forbid")

    label: str
    base_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL; None means the Bytez gateway (or gateway_url)"
    )
    requires_key: bool = True
    offline: bool = False
    router_model: str | None = None
    agent_models: dict[str, str] = Field(default_factory=dict, description="intent -> model id")
    native_tools: bool = Field(
        default=True, description="False for models that cannot emit tool_calls: use the fenced-JSON fallback"
    )
    auth_scheme: AuthScheme | None = Field(
        default=None,
        description="How the key goes in Authorization: raw (Bytez), bearer (every other server) or none; "
        "None picks raw for Bytez's hosts and bearer elsewhere",
    )


class AgentModelOverride(Protocol):
    @property
    def model(self) -> str | None: ...

    @property
    def max_tokens(self) -> int | None: ...


class GatewaySettings(Protocol):
    """The part of ``config.Settings`` that chooses the gateway."""

    @property
    def active_profile(self) -> str: ...

    @property
    def profiles(self) -> Mapping[str, GatewayProfile]: ...

    @property
    def agent_overrides(self) -> Mapping[str, AgentModelOverride]: ...

    def effective_gateway_url(self) -> str: ...


def builtin_profiles() -> dict[str, GatewayProfile]:
    """Profiles that exist without any configuration."""
    every_agent = ("BOM", "CODE", "WIRING", "DEBUG", "CHAT")
    return {
        "bytez": GatewayProfile(label="Bytez gateway (online)"),
        "llama-cpp": GatewayProfile(
            label="llama.cpp server on this machine (offline)",
            base_url="http://127.0.0.1:8080/v1",
            requires_key=False,
            offline=True,
            # llama-server serves the one model it was started with, whatever the name.
            router_model="local",
            agent_models=dict.fromkeys(every_agent, "local"),
            native_tools=False,
        ),
        "ollama": GatewayProfile(
            label="Ollama on this machine (offline)",
            base_url="http://127.0.0.1:11434/v1",
            requires_key=False,
            offline=True,
            router_model="llama3.2:3b",
            agent_models={**dict.fromkeys(every_agent, "llama3.1:8b"), "CODE": "qwen2.5-coder:7b"},
            native_tools=False,
        ),
    }


def available_profiles(settings: GatewaySettings) -> dict[str, GatewayProfile]:
    """Built-in profiles with the user's own profiles over them (same name replaces)."""
    return {**builtin_profiles(), **settings.profiles}


@dataclass(frozen=True, slots=True)
class ResolvedGateway:
    """What build_runtime needs from the active profile."""

    profile_name: str
    profile: GatewayProfile
    base_url: str
    router_model: str | None
    agent_overrides: dict[str, tuple[str | None, int | None]]

    @property
    def auth_scheme(self) -> AuthScheme:
        """The profile's scheme, else the default for the host actually used (OHM_GATEWAY_URL included)."""
        return self.profile.auth_scheme or default_auth_scheme(self.base_url)

    @property
    def placeholder_key(self) -> str | None:
        """A key to use when the server needs none and the user stored none."""
        return None if self.profile.requires_key else LOCAL_PLACEHOLDER_KEY


def check_gateway_url(url: str) -> None:
    """A ConfigError unless ``url`` is an http(s) URL with a host (httpx fails later, less clearly)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises for a port that is not a number or out of range
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and url.isprintable()
    except ValueError:
        usable = False
    if not usable:
        shown = repr(url) if len(url) <= 60 else repr(url[:57] + "...")
        raise ConfigError(
            f"The gateway URL {shown} is not an http(s) URL (e.g. https://api.bytez.com/models/v2/openai/v1): "
            "fix OHM_GATEWAY_URL, or gateway_url / the profile's base_url in settings.json."
        )


def resolve_gateway(settings: GatewaySettings) -> ResolvedGateway:
    """The active profile applied: base URL (OHM_GATEWAY_URL still wins) and per-agent models.

    Per-agent models of the profile come first; the user's ``agent_overrides`` win over them.
    """
    profiles = available_profiles(settings)
    name = settings.active_profile
    profile = profiles.get(name)
    if profile is None:
        raise ConfigError(
            f"The active profile {name!r} does not exist: choose one of {', '.join(sorted(profiles))} "
            "in Settings (active_profile)."
        )
    base_url = os.environ.get("OHM_GATEWAY_URL") or profile.base_url or settings.effective_gateway_url()
    check_gateway_url(base_url)
    overrides: dict[str, tuple[str | None, int | None]] = {
        intent.upper(): (model, None) for intent, model in profile.agent_models.items()
    }
    for intent, override in settings.agent_overrides.items():
        model, max_tokens = overrides.get(intent.upper(), (None, None))
        overrides[intent.upper()] = (override.model or model, override.max_tokens or max_tokens)
    return ResolvedGateway(name, profile, base_url, profile.router_model, overrides)
