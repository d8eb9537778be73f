"""``ohm doctor``: what is configured, what is missing, and how to fix it."""

from __future__ import annotations

import argparse
import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from ohm_desktop.config import Paths, load_settings
from ohm_desktop.errors import OhmError

Status = Literal["ok", "warn", "fail"]
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("doctor", help="check the installation and configuration")
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    parser.add_argument(
        "--online", action="store_true", help="also ask the gateway whether it knows every configured model id"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    paths = Paths.from_environment()
    checks = [_guarded(name, probe, paths) for name, probe in _PROBES]
    if getattr(args, "online", False):
        checks.append(_guarded("models", _models, paths))
    if args.json:
        print(json.dumps([asdict(check) for check in checks], indent=2))
    else:
        marks = {"ok": "✓", "warn": "!", "fail": "✗"}
        for check in checks:
            print(f"{marks[check.status]} {check.name}: {check.detail}")
            if check.fix:
                print(f"    → {check.fix}")
    return 1 if any(check.status == "fail" for check in checks) else 0


def _guarded(name: str, probe: Callable[[Paths], Check], paths: Paths) -> Check:
    try:
        return probe(paths)
    except OhmError as exc:
        return Check(name, "fail", exc.message)
    except Exception as exc:  # one broken check must not hide the others' report
        log.debug("doctor check %s failed", name, exc_info=True)
        return Check(name, "fail", f"the check itself failed ({type(exc).__name__}); run `ohm -v doctor` for details")


def _settings(paths: Paths) -> Check:
    from ohm_desktop.profiles import resolve_gateway

    gateway = resolve_gateway(load_settings(paths))
    return Check("settings", "ok", f"{paths.settings_file} (profile {gateway.profile_name}, gateway {gateway.base_url})")


def _store(paths: Paths) -> Check:
    from ohm_desktop.store import LocalStore

    store = LocalStore.open(paths.database)
    try:
        integrity = store.integrity_check()
        chats = len(store.list_chats(limit=100_000))
        schema = store.schema_version
    finally:
        store.close()
    if integrity != "ok":
        return Check("local store", "fail", f"{paths.database}: {integrity}", "Back up the file, then delete it.")
    if store.recovered_from is not None:
        return Check(
            "local store",
            "warn",
            f"{paths.database} was damaged and replaced; the old file is at {store.recovered_from}",
            "Keep the old file if you need to recover anything from it.",
        )
    return Check("local store", "ok", f"{paths.database} (schema {schema}, {chats} chats)")


def _agents(paths: Paths) -> Check:
    from ohm_desktop.runtime import load_agent_registry

    registry = load_agent_registry(paths, load_settings(paths))
    names = ", ".join(f"{a.intent}→{a.model}" for a in registry.agents.values())
    return Check("agents", "ok", f"router {registry.router.model}; {names}")


def _models(paths: Paths) -> Check:
    """Every configured model id against the gateway's model list (online; one GET, with the first key)."""
    import asyncio

    from ohm_desktop.core.keys import KeyStore
    from ohm_desktop.core.model_catalog import unknown_models
    from ohm_desktop.profiles import resolve_gateway
    from ohm_desktop.redaction import SecretRedactor
    from ohm_desktop.runtime import load_agent_registry

    settings = load_settings(paths)
    gateway = resolve_gateway(settings)
    registry = load_agent_registry(paths, settings)
    configured = {registry.router.model, *(agent.model for agent in registry.agents.values())}
    keys = KeyStore(paths, SecretRedactor()).load()
    secret = keys[0].secret if keys else gateway.placeholder_key
    if secret is None:
        return Check("models", "warn", "not checked: no key to ask the gateway with", "Add a key with `ohm keys add`.")
    try:
        unknown = asyncio.run(unknown_models(gateway.base_url, secret, gateway.auth_scheme, configured))
    except OhmError as exc:  # offline, or the gateway cannot list: not a configuration error
        return Check("models", "warn", f"not checked: {exc.message}")
    if unknown:
        where = "Bytez" if gateway.auth_scheme == "raw" else "The gateway"
        return Check(
            "models", "fail", f"{where} has no model {', '.join(unknown)}", "Pick one in Settings → Agents (or agents.toml)."
        )
    return Check("models", "ok", f"all {len(configured)} configured model ids are listed by the gateway")


def _keys(paths: Paths) -> Check:
    from ohm_desktop.core.keys import KeyStore
    from ohm_desktop.redaction import SecretRedactor

    store = KeyStore(paths, SecretRedactor())
    keys = store.load()
    keyring_ok = store.keyring_available()
    if not keys:
        fix = "Run `ohm keys add`, or set BYTEZ_API_KEY_1=... in the environment or .env.local."
        return Check("API keys", "fail", "no Bytez API key is configured", fix)
    detail = f"{len(keys)} key(s); keyring {'available' if keyring_ok else 'NOT available'}"
    if not keyring_ok:
        return Check("API keys", "warn", detail, "Install a Secret Service (e.g. gnome-keyring) to store keys safely.")
    return Check("API keys", "ok", detail)


def _sync(paths: Paths) -> Check:
    import asyncio

    from ohm_desktop.redaction import SecretRedactor
    from ohm_desktop.store import LocalStore
    from ohm_desktop.sync import SyncService

    settings = load_settings(paths)
    supabase = settings.effective_supabase()
    if supabase is None:
        return Check(
            "sync", "warn", "off: everything stays on this machine",
            "Optional: set OHM_SUPABASE_URL and OHM_SUPABASE_ANON_KEY (or Settings → Sync), then `ohm sync login`.",
        )
    store = LocalStore.open(paths.database)
    try:
        service = SyncService.from_settings(store, settings, paths, SecretRedactor())
        email = asyncio.run(service.signed_in_email())
        status = service.status()
    finally:
        store.close()
    if email is None:
        return Check(
            "sync", "warn", f"Supabase at {supabase[0]} is configured, but nobody is signed in",
            "Run `ohm sync login --email you@example.com` (add --signup the first time).",
        )
    detail = f"Supabase at {supabase[0]} as {email}; {status.queued} change(s) waiting to be sent"
    if status.failed:
        return Check("sync", "warn", f"{detail}; {status.failed} refused by the server",
                     "See `ohm sync status`; after fixing the cause, `ohm sync run --retry-failed`.")
    return Check("sync", "ok", detail)


def _tools(paths: Paths) -> Check:
    from ohm_desktop.firmware import INSTALL_HINT, discover_toolchains

    toolchains = discover_toolchains()
    graphviz = "Graphviz found" if shutil.which("dot") else "no Graphviz (wiring SVG export off: apt install graphviz)"
    if not toolchains:
        return Check("bench tools", "warn", f"no firmware toolchain: compile checks are off; {graphviz}", INSTALL_HINT)
    return Check("bench tools", "ok", f"compile with {toolchains[0].label}; {graphviz}")


def _design_data(paths: Paths) -> Check:
    from ohm_desktop.design_rules import default_catalog, default_library
    from ohm_desktop.design_rules.avr_core import avr_platform_dirs
    from ohm_desktop.design_rules.kicad_symbols import available

    boards, parts = len(default_catalog().boards), len(default_library().parts)
    kicad = "KiCad symbols for unknown ICs" if available() else "no KiCad symbols (apt install kicad-symbols)"
    detail = f"{boards} boards, {parts} library parts, {kicad}"
    if not avr_platform_dirs():
        return Check("design check", "warn", f"{detail}; no Arduino AVR core, so Uno/Nano/Mega pins are unknown",
                     "apt install arduino-core-avr (or arduino-cli core install arduino:avr)")
    return Check("design check", "ok", detail)


def _gateway(paths: Paths) -> Check:
    """Ask the gateway with every key: a ✓ here means a turn would really get an answer."""
    import asyncio

    from ohm_desktop.core.key_probe import probe_key
    from ohm_desktop.core.keys import KeyStore
    from ohm_desktop.profiles import resolve_gateway
    from ohm_desktop.redaction import SecretRedactor

    resolved = resolve_gateway(load_settings(paths))
    store = KeyStore(paths, SecretRedactor())
    keys = store.load()
    if not keys:
        if resolved.placeholder_key is None:
            return Check("gateway", "warn", f"{resolved.base_url} not tried: there is no key to ask it with")
        from ohm_desktop.core.keys import ApiKey

        keys = [ApiKey(resolved.placeholder_key, "local", "env", "local server")]

    async def probe_all() -> list[Any]:
        return [await probe_key(key, base_url=resolved.base_url, health_file=store.health_file()) for key in keys]

    probes = asyncio.run(probe_all())
    if any(p.verdict == "gateway unreachable" for p in probes):
        return Check("gateway", "fail", f"cannot reach {resolved.base_url}",
                     "Check the network connection, or the gateway URL / profile in Settings.")
    bad = [f"{p.label} {p.verdict}" for p in probes if p.verdict != "ok"]
    answered = f"{len(probes) - len(bad)} of {len(probes)} key(s) answered at {resolved.base_url}"
    if len(bad) == len(probes):
        return Check("gateway", "fail", f"{answered}: {', '.join(bad)}", "Replace the key(s) with `ohm keys add`.")
    if bad:
        return Check("gateway", "warn", f"{answered}: {', '.join(bad)}", "Check them with `ohm keys test`.")
    return Check("gateway", "ok", answered)


_PROBES: tuple[tuple[str, Callable[[Paths], Check]], ...] = (
    ("settings", _settings),
    ("local store", _store),
    ("agents", _agents),
    ("API keys", _keys),
    ("gateway", _gateway),
    ("sync", _sync),
    ("bench tools", _tools),
    ("design check", _design_data),
)
