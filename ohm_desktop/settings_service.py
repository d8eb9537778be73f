"""``SettingsService``: the one way settings change while Ohm runs, applied at once.

A dialog hands the whole new :class:`Settings` to :meth:`SettingsService.update`: it is saved,
then what depends on the changed fields is rebuilt — the agent registry (models, profile), the
gateway (URL, deadline), the key pool (concurrency, the local server's placeholder key), the
orchestrator, sync (Supabase project) — and listeners (the window: theme, status bar, a notice)
hear a :class:`SettingsApplied`. Nothing else assigns into the runtime.

A turn already running keeps the orchestrator and gateway it started with; the next one uses
the new ones. Replaced gateways are closed when the service closes, never under a running turn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from ohm_desktop.config import Settings, save_settings
from ohm_desktop.core.gateway import Gateway
from ohm_desktop.errors import StoreError
from ohm_desktop.listeners import Listeners
from ohm_desktop.profiles import available_profiles, resolve_gateway
from ohm_desktop.runtime import Runtime, build_gateway, build_orchestrator, load_agent_registry, pool_keys

log = logging.getLogger(__name__)

_REGISTRY_FIELDS = frozenset({"agent_overrides", "active_profile", "profiles"})
_GATEWAY_FIELDS = frozenset({"gateway_url", "active_profile", "profiles", "request_deadline_s"})
_ORCHESTRATOR_FIELDS = _REGISTRY_FIELDS | _GATEWAY_FIELDS | {"max_tool_rounds", "history_token_budget"}
_SYNC_FIELDS = frozenset({"supabase_url", "supabase_anon_key"})


@dataclass(frozen=True, slots=True)
class SettingsApplied:
    """Settings changed and are in effect; ``changed`` names the fields, ``summary`` says it to the user."""

    settings: Settings
    changed: frozenset[str]
    summary: str


class SettingsSaveError(StoreError):
    """The settings file could not be written; nothing was applied."""


class SettingsService:
    """Owns ``runtime.settings`` and everything built from it."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._listeners: Listeners[SettingsApplied] = Listeners("settings")
        self._retired: list[Gateway] = []
        self._tasks: set[asyncio.Task[object]] = set()

    @property
    def settings(self) -> Settings:
        return self._runtime.settings

    def subscribe(self, listener: Callable[[SettingsApplied], None]) -> Callable[[], None]:
        return self._listeners.subscribe(listener)

    def update(self, new: Settings, *, reconnect_sync: bool = True) -> SettingsApplied:
        """Save ``new`` and apply it now; raises :class:`SettingsSaveError` when it cannot be saved.

        ``reconnect_sync=False``: the caller reconnects sync itself (signing in does, right after).
        """
        runtime = self._runtime
        old = runtime.settings
        changed = frozenset(name for name in Settings.model_fields if getattr(old, name) != getattr(new, name))
        resolve_gateway(new)  # an unknown profile fails here, before anything is saved
        try:
            save_settings(runtime.paths, new)
        except OSError as exc:
            raise SettingsSaveError(
                f"Could not save the settings ({exc.strerror or exc}): check that {runtime.paths.config} is writable."
            ) from exc
        runtime.settings = new
        if changed & _REGISTRY_FIELDS:
            runtime.registry = load_agent_registry(runtime.paths, new)
        if changed & {"active_profile", "profiles"}:
            runtime.key_pool.replace_keys(pool_keys(runtime.key_store.load(), new))
        if "per_key_concurrency" in changed:
            runtime.key_pool.set_per_key_concurrency(new.per_key_concurrency)
        if changed & _GATEWAY_FIELDS:
            self._retired.append(runtime.gateway)
            runtime.gateway = build_gateway(runtime.key_pool, new, runtime.provider_keys)
        if changed & _ORCHESTRATOR_FIELDS:
            runtime.orchestrator = build_orchestrator(runtime.store, runtime.gateway, runtime.registry, new)
        if changed & _SYNC_FIELDS and reconnect_sync:
            self._run_soon(runtime.sync.reconfigure(new.effective_supabase()))
        applied = SettingsApplied(new, changed, _summary(new, changed))
        self._listeners.emit(applied)
        return applied

    def _run_soon(self, step: Coroutine[Any, Any, object]) -> None:
        task: asyncio.Task[object] = asyncio.ensure_future(step)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        """Wait for pending sync reconfiguration and close the gateways that were replaced."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        retired, self._retired = self._retired, []
        for gateway in retired:
            await gateway.aclose()


def _summary(settings: Settings, changed: frozenset[str]) -> str:
    if not changed:
        return "Settings saved (nothing changed)."
    parts: list[str] = []
    if "active_profile" in changed:
        profile = available_profiles(settings).get(settings.active_profile)
        parts.append(f"answers now come from {profile.label if profile else settings.active_profile}")
    elif changed & {"gateway_url"}:
        parts.append(f"the gateway is now {resolve_gateway(settings).base_url}")
    if "agent_overrides" in changed:
        parts.append("the specialists' models are updated")
    if "per_key_concurrency" in changed:
        parts.append(f"up to {settings.per_key_concurrency} requests per key at once")
    if changed & _SYNC_FIELDS:
        parts.append("sync is reconnecting to the new project")
    if "theme" in changed:
        parts.append(f"theme {settings.theme}")
    if not parts:
        return "Settings saved and applied."
    return "Settings applied: " + "; ".join(parts) + "."
