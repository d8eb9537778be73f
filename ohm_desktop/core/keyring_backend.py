"""Choosing the OS keyring backend without keyring's full discovery (a start-up cost).

keyring's own detection imports every backend it ships and every plugin named in installed
packages' metadata: on Linux ~35 ms alone (the macOS backend looks for its Security framework
with ``ctypes.util.find_library``, which runs ldconfig; the entry-point scan reads every
package's metadata), ~15 ms of Ohm's start-up to first paint under a desktop's Secret Service. So on Linux Ohm weighs only keyring's own
Linux backends (Secret Service, KWallet) by keyring's priorities. An explicit choice
(``PYTHON_KEYRING_BACKEND`` or keyringrc.cfg) still wins, and when no native backend works,
keyring's full detection runs as before (plugins such as keyrings.alt included).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


def _secret_service() -> type[Any]:
    from keyring.backends import SecretService

    return SecretService.Keyring


def _kwallet() -> type[Any]:
    from keyring.backends import kwallet

    return kwallet.DBusKeyring


NATIVE_LINUX_BACKENDS: tuple[Callable[[], type[Any]], ...] = (_secret_service, _kwallet)


def select_keyring_backend(platform: str = sys.platform) -> str | None:
    """Set keyring's backend the quick way where that is safe; returns the backend's name.

    None: keyring is left to its own detection (not Linux, or no native backend usable).
    """
    if not platform.startswith("linux"):
        return None
    import keyring
    import keyring.core

    chosen = keyring.core.load_env() or keyring.core.load_config()
    if chosen is None:
        viable: list[tuple[float, type[Any]]] = []
        for load in NATIVE_LINUX_BACKENDS:
            try:
                backend = load()
                priority = float(backend.priority)  # raises when the backend cannot work here
            except Exception as exc:  # a missing D-Bus, python-dbus not installed, ...
                log.debug("keyring backend %s is not usable: %s", load.__name__, type(exc).__name__)
                continue
            if priority > 0:
                viable.append((priority, backend))
        if not viable:
            return None
        chosen = max(viable, key=lambda pair: pair[0])[1]()
    keyring.set_keyring(chosen)
    name = f"{type(chosen).__module__}.{type(chosen).__name__}"
    log.debug("keyring backend: %s", name)
    return name
