"""The Qt-free object graph shared by the window (app.py) and the CLI.

``build_runtime`` is the one place that decides how the core is put together: paths and
settings, the store, the key pool and gateway, the agent registry and the orchestrator.
Nothing here is global; callers own the Runtime and close it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ohm_desktop.config import Paths, Settings, load_settings, resources_dir
from ohm_desktop.core.agents import AgentRegistry, load_registry
from ohm_desktop.core.gateway import Gateway
from ohm_desktop.core.gateway_headers import is_bytez
from ohm_desktop.core.keyring_backend import select_keyring_backend
from ohm_desktop.core.keys import ApiKey, KeyPool, KeyStore
from ohm_desktop.core.orchestrator import Orchestrator
from ohm_desktop.core.provider_keys import ProviderKeyStore
from ohm_desktop.profiles import resolve_gateway
from ohm_desktop.redaction import SecretRedactor
from ohm_desktop.store import LocalStore
from ohm_desktop.sync.background import BackgroundSync


@dataclass
class Runtime:
    paths: Paths
    settings: Settings
    redactor: SecretRedactor
    store: LocalStore
    key_store: KeyStore
    key_pool: KeyPool
    gateway: Gateway
    registry: AgentRegistry
    orchestrator: Orchestrator
    #: Supabase sync (off unless configured and signed in); the window starts it, ``ohm sync`` drives its own.
    sync: BackgroundSync
    #: The user's own provider keys (Bytez's ``provider-key`` header); the keys editor changes them.
    provider_keys: ProviderKeyStore | None = None

    def reload_provider_keys(self) -> None:
        """Hand the stored provider keys to the gateway again (after the user changed them)."""
        if self.provider_keys is not None and is_bytez(self.gateway.base_url):
            self.gateway.replace_provider_keys(self.provider_keys.load())

    async def aclose(self) -> None:
        await self.sync.aclose()
        await self.gateway.aclose()
        self.store.close()


def load_agent_registry(paths: Paths, settings: Settings) -> AgentRegistry:
    """Bundled agents, the user's agents.toml over them, then the active profile and Settings overrides."""
    registry = load_registry(resources_dir() / "agents.toml", paths.user_agents_file)
    gateway = resolve_gateway(settings)
    registry = registry.with_overrides(gateway.agent_overrides)
    if gateway.router_model:
        registry = replace(registry, router=replace(registry.router, model=gateway.router_model))
    return registry


def build_runtime(
    paths: Paths | None = None,
    *,
    settings: Settings | None = None,
    redactor: SecretRedactor | None = None,
    store: LocalStore | None = None,
) -> Runtime:
    """Assemble the core. Keys are read now; the network is not touched until a turn runs."""
    paths = paths or Paths.from_environment()
    settings = settings or load_settings(paths)
    redactor = redactor or SecretRedactor()
    registry = load_agent_registry(paths, settings)
    if store is None:
        store = LocalStore.open(paths.database)
        store.recover_interrupted()
    select_keyring_backend()
    key_store = KeyStore(paths, redactor)
    # Invalid / out-of-credits states survive restarts, so a dead key is not retried on every start.
    key_pool = KeyPool(
        pool_keys(key_store.load(), settings),
        per_key_concurrency=settings.per_key_concurrency,
        health_file=key_store.health_file(),
    )
    provider_keys = ProviderKeyStore(key_store, redactor)
    gateway = build_gateway(key_pool, settings, provider_keys)
    orchestrator = build_orchestrator(store, gateway, registry, settings)
    sync = BackgroundSync(store, settings.effective_supabase(), redactor, data_dir=paths.data)
    return Runtime(
        paths, settings, redactor, store, key_store, key_pool, gateway, registry, orchestrator, sync, provider_keys
    )


def pool_keys(stored: list[ApiKey], settings: Settings) -> list[ApiKey]:
    """The stored keys, or the placeholder a local server (llama.cpp, Ollama) needs instead of one."""
    placeholder = resolve_gateway(settings).placeholder_key
    if not stored and placeholder is not None:
        # A local server needs no key; the pool still wants one to lease.
        return [ApiKey(placeholder, "local", "env", "local server")]
    return stored


def build_gateway(key_pool: KeyPool, settings: Settings, provider_keys: ProviderKeyStore | None = None) -> Gateway:
    resolved = resolve_gateway(settings)
    return Gateway(
        key_pool,
        base_url=resolved.base_url,
        request_timeout_s=settings.request_deadline_s,
        auth_scheme=resolved.auth_scheme,
        # Only Bytez's gateway ever gets a provider key; read on the first request, not at start-up.
        provider_keys=provider_keys.load if provider_keys is not None and is_bytez(resolved.base_url) else None,
    )


def build_orchestrator(store: LocalStore, gateway: Gateway, registry: AgentRegistry, settings: Settings) -> Orchestrator:
    return Orchestrator(
        store,
        gateway,
        registry,
        max_tool_rounds=settings.max_tool_rounds,
        history_token_budget=settings.history_token_budget,
        native_tools=resolve_gateway(settings).profile.native_tools,
    )
