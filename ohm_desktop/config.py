"""Where things live and what the user configured.

Where things live is :mod:`ohm_desktop.paths` (a leaf the core may use); its names are
re-exported here for the window and the CLI, which read both from one place.
"""

from __future__ import annotations

import json
import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ohm_desktop.errors import ConfigError
from ohm_desktop.paths import APP_NAME as APP_NAME
from ohm_desktop.paths import Paths as Paths
from ohm_desktop.paths import config_dir as config_dir
from ohm_desktop.paths import data_dir as data_dir
from ohm_desktop.paths import resources_dir as resources_dir
from ohm_desktop.profiles import GatewayProfile

BYTEZ_GATEWAY_URL = "https://api.bytez.com/models/v2/openai/v1"


class AgentOverride(BaseModel):
    """Per-agent settings a user may change from the Settings dialog."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    max_tokens: int | None = Field(default=None, gt=0, le=200_000)  # agents.MAX_TOKENS_LIMIT


class Settings(BaseModel):
    """User settings, stored as ``settings.json`` in the config dir. No secrets live here."""

    model_config = ConfigDict(extra="ignore")

    gateway_url: str | None = None
    per_key_concurrency: int = Field(default=4, gt=0, le=64)
    request_deadline_s: float = Field(default=120.0, gt=0)
    max_tool_rounds: int = Field(default=4, gt=0, le=20)
    history_token_budget: int = Field(default=24_000, gt=1000)
    agent_overrides: dict[str, AgentOverride] = Field(default_factory=dict)
    theme: str = "system"
    supabase_url: str | None = None
    supabase_anon_key: str | None = None  # a public key by Supabase's design, not a secret
    compile_feedback: bool = True
    onboarding_done: bool = False
    active_profile: str = "bytez"
    # User-defined gateway profiles (ohm_desktop/profiles.py); built-ins need no entry here.
    profiles: dict[str, GatewayProfile] = Field(default_factory=dict)

    def effective_gateway_url(self) -> str:
        return os.environ.get("OHM_GATEWAY_URL") or self.gateway_url or BYTEZ_GATEWAY_URL

    def effective_supabase(self) -> tuple[str, str] | None:
        url = os.environ.get("OHM_SUPABASE_URL") or self.supabase_url
        key = os.environ.get("OHM_SUPABASE_ANON_KEY") or self.supabase_anon_key
        return (url, key) if url and key else None


def load_settings(paths: Paths) -> Settings:
    """Settings from disk, defaults when there is no file yet."""
    if not paths.settings_file.exists():
        return Settings()
    try:
        raw: Any = json.loads(paths.settings_file.read_text(encoding="utf-8"))
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(
            f"The settings file {paths.settings_file} is not valid: {_field_problems(exc)}. "
            "Fix it, or delete it to go back to the defaults."
        ) from None
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"The settings file {paths.settings_file} is not valid ({exc.__class__.__name__}): "
            "fix it or delete it to go back to the defaults."
        ) from None


def _field_problems(exc: ValidationError) -> str:
    """Pydantic's errors as ``field.path: what is wrong, not VALUE`` (at most three)."""
    problems = []
    for error in exc.errors()[:3]:
        where = ".".join(str(part) for part in error["loc"]) or "the file"
        shown = repr(error.get("input"))
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        problems.append(f"{where}: {str(error['msg']).lower()}, not {shown}")
    return "; ".join(problems)


def save_settings(paths: Paths, settings: Settings) -> None:
    """Write settings atomically (a crash mid-write leaves the old file intact)."""
    paths.config.mkdir(parents=True, exist_ok=True)
    tmp = paths.settings_file.with_suffix(".json.tmp")
    tmp.write_text(settings.model_dump_json(indent=2, exclude_none=True), encoding="utf-8")
    os.replace(tmp, paths.settings_file)
