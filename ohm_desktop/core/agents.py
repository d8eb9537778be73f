"""The agent registry: who answers which intent, with which model and prompt.

Loaded from the bundled ``agents.toml`` and merged with the user's own ``agents.toml`` in the
config dir (a table there adds an agent or overrides fields of a bundled one), then with the
per-agent model/max-token overrides of Settings. Adding an agent is configuration, not code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ohm_desktop.errors import ConfigError

FALLBACK_INTENT = "CHAT"
_KNOWN_TOOLS = frozenset({"write", "read"})


@dataclass(frozen=True, slots=True)
class AgentSpec:
    intent: str
    name: str
    description: str
    keywords: tuple[str, ...]
    model: str
    system_prompt: str
    max_tokens: int
    temperature: float
    tools: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RouterSpec:
    name: str
    model: str
    prompt_template: str
    max_tokens: int
    temperature: float


@dataclass(frozen=True, slots=True)
class AgentRegistry:
    router: RouterSpec
    agents: Mapping[str, AgentSpec]

    def get(self, intent: str) -> AgentSpec:
        """The agent for ``intent`` (case-insensitive); the fallback agent when unknown."""
        return self.agents.get(intent.strip().upper()) or self.agents[FALLBACK_INTENT]

    def require(self, intent: str) -> AgentSpec:
        """The agent for a user-chosen intent; a clear error when there is none."""
        agent = self.agents.get(intent.strip().upper())
        if agent is None:
            raise ConfigError(f"There is no agent {intent!r}: choose one of {', '.join(self.agents)}.")
        return agent

    def with_overrides(self, overrides: Mapping[str, tuple[str | None, int | None]]) -> AgentRegistry:
        """Apply per-intent (model, max_tokens) overrides from Settings."""
        agents = dict(self.agents)
        for intent, (model, max_tokens) in overrides.items():
            agent = agents.get(intent.upper())
            if agent is not None:
                agents[agent.intent] = replace(
                    agent, model=model or agent.model, max_tokens=max_tokens or agent.max_tokens
                )
        return AgentRegistry(self.router, agents)


def load_registry(bundled_file: Path, user_file: Path | None = None) -> AgentRegistry:
    """Read the bundled registry and merge the user's file over it."""
    data = _read_toml(bundled_file)
    base_dir = bundled_file.parent
    if user_file is not None and user_file.exists():
        data = _merge(data, _read_toml(user_file))
    router_table = _table(data, "router", bundled_file)
    agent_tables = _table(data, "agents", bundled_file)
    common = (base_dir / "prompts" / "common.md").read_text(encoding="utf-8").strip()
    agents: dict[str, AgentSpec] = {}
    for intent, table in agent_tables.items():
        agents[intent.upper()] = _agent(intent.upper(), table, base_dir, user_file, common)
    if FALLBACK_INTENT not in agents:
        raise ConfigError(
            f"The agent registry has no {FALLBACK_INTENT} agent: it is the fallback and must exist."
        )
    router = RouterSpec(
        name=str(router_table.get("name", "Router")),
        model=_required_str(router_table, "model", "router"),
        prompt_template=_prompt(router_table, base_dir, user_file, "router"),
        max_tokens=int(router_table.get("max_tokens", 16)),
        temperature=float(router_table.get("temperature", 0.0)),
    )
    return AgentRegistry(router, agents)


def _agent(
    intent: str, table: Mapping[str, Any], base_dir: Path, user_file: Path | None, common: str
) -> AgentSpec:
    where = f"agent {intent}"
    tools = tuple(str(tool) for tool in table.get("tools", ["read"]))
    unknown = set(tools) - _KNOWN_TOOLS
    if unknown:
        raise ConfigError(
            f"The {where} lists unknown tools {sorted(unknown)}: use only {sorted(_KNOWN_TOOLS)}."
        )
    max_tokens = int(table.get("max_tokens", 2048))
    if max_tokens <= 0:
        raise ConfigError(f"The {where} has max_tokens {max_tokens}: it must be a positive number.")
    return AgentSpec(
        intent=intent,
        name=str(table.get("name", intent.title())),
        description=str(table.get("description", "")).strip(),
        keywords=tuple(str(word).lower() for word in table.get("keywords", [])),
        model=_required_str(table, "model", where),
        system_prompt=_prompt(table, base_dir, user_file, where).replace("{common}", common),
        max_tokens=max_tokens,
        temperature=float(table.get("temperature", 0.3)),
        tools=tools,
    )


def _prompt(table: Mapping[str, Any], base_dir: Path, user_file: Path | None, where: str) -> str:
    """Inline ``system_prompt`` wins; else ``prompt`` names a file (user dir first, then bundled)."""
    inline = table.get("system_prompt")
    if isinstance(inline, str) and inline.strip():
        return inline.strip()
    relative = table.get("prompt")
    if not isinstance(relative, str):
        raise ConfigError(f"The {where} has neither `system_prompt` nor `prompt`: give it one of them.")
    candidates = [user_file.parent / relative] if user_file is not None else []
    candidates.append(base_dir / relative)
    for candidate in candidates:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8").strip()
    raise ConfigError(f"The prompt file {relative!r} of the {where} does not exist next to agents.toml.")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"Cannot read the agents file {path} ({exc.strerror}).") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The agents file {path} is not valid TOML ({exc}): fix it or remove it.") from exc


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _table(data: Mapping[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ConfigError(f"The agents file {path} has no [{key}] table.")
    return value


def _required_str(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"The {where} needs a `{key}` string in agents.toml.")
    return value.strip()
