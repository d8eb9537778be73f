"""The agent registry: who answers which intent, with which model and prompt.

Loaded from the bundled ``agents.toml`` and merged with the user's own ``agents.toml`` in the
config dir (a table there adds an agent or overrides fields of a bundled one), then with the
per-agent model/max-token overrides of Settings. Adding an agent is configuration, not code.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ohm_desktop.errors import ConfigError

FALLBACK_INTENT = "CHAT"
_KNOWN_TOOLS = frozenset({"write", "read"})
MAX_TOKENS_LIMIT = 200_000  # above any model's output limit: a bigger number is a typo


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
    if user_file is not None and user_file.exists():
        data = _merge(data, _read_toml(user_file))
    try:
        return _registry(data, bundled_file, user_file)
    except ConfigError as exc:
        shown = user_file if user_file is not None and user_file.exists() else bundled_file
        raise ConfigError(f"{shown}: {exc.message}") from None


def _registry(data: Mapping[str, Any], bundled_file: Path, user_file: Path | None) -> AgentRegistry:
    base_dir = bundled_file.parent
    router_table = _table(data, "router")
    agent_tables = _table(data, "agents")
    common = (base_dir / "prompts" / "common.md").read_text(encoding="utf-8").strip()
    agents: dict[str, AgentSpec] = {}
    for intent, table in agent_tables.items():
        if not isinstance(table, dict):
            raise ConfigError(f"agents.{intent} must be a table ([agents.{intent}]), not {_shown(table)}.")
        agents[intent.upper()] = _agent(intent.upper(), table, base_dir, user_file, common)
    if FALLBACK_INTENT not in agents:
        raise ConfigError(
            f"The agent registry has no {FALLBACK_INTENT} agent: it is the fallback and must exist."
        )
    router = RouterSpec(
        name=_str_field(router_table, "name", "router", "Router"),
        model=_required_str(router_table, "model", "router"),
        prompt_template=_prompt(router_table, base_dir, user_file, "router"),
        max_tokens=_int_field(router_table, "max_tokens", "router", 16),
        temperature=_temperature(router_table, "router", 0.0),
    )
    return AgentRegistry(router, agents)


def _agent(
    intent: str, table: Mapping[str, Any], base_dir: Path, user_file: Path | None, common: str
) -> AgentSpec:
    where = f"agents.{intent}"
    tools = _str_list(table, "tools", where, ["read"])
    unknown = set(tools) - _KNOWN_TOOLS
    if unknown:
        raise ConfigError(f"{where}.tools lists unknown tools {sorted(unknown)}: use only {sorted(_KNOWN_TOOLS)}.")
    return AgentSpec(
        intent=intent,
        name=_str_field(table, "name", where, intent.title()),
        description=_str_field(table, "description", where, "").strip(),
        keywords=tuple(word.lower() for word in _str_list(table, "keywords", where, [])),
        model=_required_str(table, "model", where),
        system_prompt=_prompt(table, base_dir, user_file, where).replace("{common}", common),
        max_tokens=_int_field(table, "max_tokens", where, 2048),
        temperature=_temperature(table, where, 0.3),
        tools=tools,
    )


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _int_field(table: Mapping[str, Any], key: str, where: str, default: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TOKENS_LIMIT:
        raise ConfigError(
            f"{where}.{key} must be a whole number between 1 and {MAX_TOKENS_LIMIT}, not {_shown(value)}."
        )
    return value


def _temperature(table: Mapping[str, Any], where: str, default: float) -> float:
    value = table.get("temperature", default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not 0 <= value <= 2:
        raise ConfigError(f"{where}.temperature must be a number between 0 and 2, not {_shown(value)}.")
    return float(value)


def _str_field(table: Mapping[str, Any], key: str, where: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{where}.{key} must be text (in quotes), not {_shown(value)}.")
    return value


def _str_list(table: Mapping[str, Any], key: str, where: str, default: list[str]) -> tuple[str, ...]:
    value = table.get(key, default)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f'{where}.{key} must be a list of texts (["a", "b"]), not {_shown(value)}.')
    return tuple(value)


def _prompt(table: Mapping[str, Any], base_dir: Path, user_file: Path | None, where: str) -> str:
    """Inline ``system_prompt`` wins; else ``prompt`` names a file (user dir first, then bundled)."""
    inline = table.get("system_prompt")
    if isinstance(inline, str) and inline.strip():
        return inline.strip()
    if inline is not None and not isinstance(inline, str):
        raise ConfigError(f"{where}.system_prompt must be text (in quotes), not {_shown(inline)}.")
    relative = table.get("prompt")
    if not isinstance(relative, str) or not relative.strip() or "\x00" in relative:
        raise ConfigError(f"{where} has neither `system_prompt` nor `prompt` (a file name): give it one of them.")
    candidates = [user_file.parent / relative] if user_file is not None else []
    candidates.append(base_dir / relative)
    for candidate in candidates:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8").strip()
    raise ConfigError(f"The prompt file {relative!r} of {where} does not exist next to agents.toml.")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"Cannot read the agents file {path} ({exc.strerror}).") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The agents file {path} is not valid TOML ({exc}): fix it or remove it.") from exc


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _table(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ConfigError(f"[{key}] must be a table, not {_shown(value)}.")
    return value


def _required_str(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{key} must be a model id in quotes (e.g. \"anthropic/claude-sonnet-4-5\"), not {_shown(value)}.")
    return value.strip()
