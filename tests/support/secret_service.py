"""Whether a real Secret Service keyring is reachable; CI must have one."""

from __future__ import annotations

import os

import pytest


def require_secret_service() -> None:
    """Skip (locally) or fail (CI=true) when no unlocked Secret Service is available."""
    try:
        import keyring
        from keyring.backends import SecretService

        backend = keyring.get_keyring()
        usable = isinstance(backend, SecretService.Keyring) or any(
            isinstance(b, SecretService.Keyring) for b in getattr(backend, "backends", [])
        )
        if usable:
            keyring.get_password("ohm-desktop-probe", "probe")
    except Exception as exc:  # the backend raises its own types when D-Bus is missing
        usable = False
        reason = f"{type(exc).__name__}: {exc}"
    else:
        reason = "no Secret Service backend"
    if not usable:
        message = f"needs a Secret Service keyring (run via `make test`): {reason}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
