"""``ohm keys``: manage the Bytez keys in the OS keyring. Only masked labels are ever shown."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from typing import Any

from ohm_desktop.config import Paths, load_settings
from ohm_desktop.core.gateway_headers import PROVIDERS
from ohm_desktop.core.keys import KeyHealth, KeyPool, KeyStore
from ohm_desktop.core.provider_keys import ProviderKeyStore, check_provider
from ohm_desktop.errors import UsageError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("keys", help="add, list, remove and test API keys (stored in the OS keyring)")
    actions = parser.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="store a key in the keyring (prompted, not echoed)")
    add.add_argument("--stdin", action="store_true", help="read the key from standard input (for scripts)")
    add.add_argument(
        "--provider", metavar="NAME", help=f"a provider key for Bytez's provider-key header ({', '.join(PROVIDERS)})"
    )
    add.set_defaults(func=_add)
    listing = actions.add_parser("list", help="masked labels, source and health of every key")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_list)
    remove = actions.add_parser("remove", help="remove a keyring key by label ('key 2' or '…a1b2')")
    remove.add_argument("label", nargs="?")
    remove.add_argument("--provider", metavar="NAME", help="remove that provider's key instead")
    remove.set_defaults(func=_remove)
    actions.add_parser("import-env", help="move BYTEZ_API_KEY_* (environment, .env.local) into the keyring").set_defaults(
        func=_import_env
    )
    test = actions.add_parser("test", help="one tiny call per key against the gateway")
    test.add_argument("--json", action="store_true")
    test.set_defaults(func=_test)


def _store(args: argparse.Namespace) -> KeyStore:
    return KeyStore(Paths.from_environment(), args.redactor)


def _provider_store(args: argparse.Namespace) -> ProviderKeyStore:
    return ProviderKeyStore(_store(args), args.redactor)


def _add(args: argparse.Namespace) -> int:
    provider = check_provider(args.provider) if args.provider else None
    if args.stdin:
        secret = sys.stdin.readline()
    else:
        if not sys.stdin.isatty():
            raise UsageError("No terminal to prompt for the key: pipe it in with `ohm keys add --stdin`.")
        secret = getpass.getpass(f"{provider.capitalize() if provider else 'Bytez API'} key (not shown): ")
    if provider is not None:
        label = _provider_store(args).add(provider, secret)
        print(f"Stored the {label} provider key in the OS keyring; it goes to Bytez only with {provider}/ models.")
        return 0
    label = _store(args).add(secret)
    print(f"Stored {label} in the OS keyring.")
    return 0


def _list(args: argparse.Namespace) -> int:
    store = _store(args)
    # The pool restores what earlier runs learnt (out of credits, invalid); nothing is sent.
    health = KeyPool(store.load(), health_file=store.health_file()).snapshot()
    providers = ProviderKeyStore(store, args.redactor).labels()
    if args.json:
        rows = [{"label": h.label, "source": h.source, "state": h.state} for h in health]
        rows += [{"label": masked, "source": "keyring", "provider": name} for name, masked in providers]
        print(json.dumps(rows))
        return 0
    if not health and not providers:
        print("No keys yet: run `ohm keys add`, or set BYTEZ_API_KEY_1 in the environment or .env.local.")
        return 0
    for row in health:
        print(f"{row.label:<18} {row.source:<9} {_describe(row)}")
    for name, masked in providers:
        print(f"{name + ' ' + masked:<18} {'keyring':<9} provider key (sent with {name}/ models)")
    if not store.keyring_available():
        print("(no OS keyring available: only environment keys are used)", file=sys.stderr)
    return 0


def _describe(health: KeyHealth) -> str:
    if health.state == "out_of_credits":
        return f"out of credits (retried in {health.cooldown_remaining_s / 60:.0f} min)"
    if health.state == "invalid":
        return "invalid (replace it with `ohm keys add`)"
    return health.state


def _remove(args: argparse.Namespace) -> int:
    if args.provider:
        provider = _provider_store(args).remove(args.provider)
        print(f"Removed the {provider} provider key from the OS keyring.")
        return 0
    if not args.label:
        raise UsageError("Say which key to remove: `ohm keys remove 'key 2'` or `ohm keys remove --provider anthropic`.")
    label = _store(args).remove(args.label)
    print(f"Removed {label} from the OS keyring.")
    return 0


def _import_env(args: argparse.Namespace) -> int:
    count = _store(args).import_env()
    if count:
        # Ohm never edits the user's shell or .env.local files; it says what is now redundant.
        print(
            f"Imported {count} key(s) into the OS keyring. You can now delete the BYTEZ_API_KEY_* lines "
            "from .env.local and your environment."
        )
    else:
        print("No new BYTEZ_API_KEY_* keys to import.")
    return 0


def _test(args: argparse.Namespace) -> int:
    return asyncio.run(_test_keys(args))


async def _test_keys(args: argparse.Namespace) -> int:
    from ohm_desktop.core.key_probe import probe_key

    paths = Paths.from_environment()
    settings = load_settings(paths)
    store = _store(args)
    keys = store.load()
    if not keys:
        raise UsageError("No keys to test: run `ohm keys add` or set BYTEZ_API_KEY_1.")
    from ohm_desktop.profiles import resolve_gateway

    auth_scheme = resolve_gateway(settings).auth_scheme
    results = []
    for key in keys:
        # Its verdict is saved, so `ohm keys list` and the next run know an invalid key at once.
        probe = await probe_key(key, base_url=settings.effective_gateway_url(), health_file=store.health_file(),
                                auth_scheme=auth_scheme)
        state = probe.verdict if probe.verdict != "failed" else f"failed: {args.redactor.redact(probe.detail)}"
        results.append({"label": key.label, "source": key.source, "result": state})
    if args.json:
        print(json.dumps(results))
    else:
        for row in results:
            print(f"{row['label']:<18} {row['source']:<9} {row['result']}")
    if any(row["result"] == "gateway unreachable" for row in results):
        return 4  # the network, not the keys: DESIGN.md's gateway/network failure code
    return 0 if all(row["result"] == "ok" for row in results) else 3
