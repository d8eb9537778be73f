"""Where the Supabase session (access + refresh token) lives: the OS keyring, nowhere else.

supabase-py persists its session through an ``AsyncSupportedStorage``; this one writes to
the keyring under the app's service name (``OHM_KEYRING_SERVICE`` separates profiles and
test runs), one entry per Supabase project and data folder, so two workstations' data
folders on one machine (or a test) do not share a login.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Protocol

from ohm_desktop.errors import SyncSetupError

log = logging.getLogger(__name__)

KEYRING_SERVICE = "ohm-desktop"

KEYRING_MISSING = (
    "No OS keyring is available, so the Supabase session cannot be stored safely on this machine: "
    "install and unlock a Secret Service (e.g. gnome-keyring) and sign in again with `ohm sync login`."
)


class SessionStorage(Protocol):
    """supabase_auth's ``AsyncSupportedStorage`` interface (duck-typed: supabase is imported lazily)."""

    async def get_item(self, key: str) -> str | None: ...

    async def set_item(self, key: str, value: str) -> None: ...

    async def remove_item(self, key: str) -> None: ...


class MemorySessionStorage:
    """A session kept in memory only (tests, or a one-off ``--no-keyring`` run)."""

    def __init__(self) -> None:
        self._items: dict[str, str] = {}

    async def get_item(self, key: str) -> str | None:
        return self._items.get(key)

    async def set_item(self, key: str, value: str) -> None:
        self._items[key] = value

    async def remove_item(self, key: str) -> None:
        self._items.pop(key, None)


class KeyringSessionStorage:
    """supabase-py session storage in the OS keyring."""

    def __init__(self, supabase_url: str, data_dir: Path, *, service: str | None = None) -> None:
        self._service = service or os.environ.get("OHM_KEYRING_SERVICE") or KEYRING_SERVICE
        scope = hashlib.sha256(f"{supabase_url.rstrip('/')}|{data_dir.resolve()}".encode()).hexdigest()[:16]
        self._prefix = f"supabase-session:{scope}"

    def _name(self, key: str) -> str:
        return f"{self._prefix}:{key}"

    # A worker thread per call: a Secret Service that prompts to unlock (or a slow D-Bus) must
    # not freeze the window. In the window, garbage collection runs on the GUI thread only
    # (ui/gui_thread_gc.py), so this thread can never free Qt objects.
    async def get_item(self, key: str) -> str | None:
        import keyring

        try:
            return await asyncio.to_thread(keyring.get_password, self._service, self._name(key))
        except Exception as exc:  # backends raise their own types when D-Bus is missing
            log.info("keyring read failed: %s", type(exc).__name__)
            return None

    async def set_item(self, key: str, value: str) -> None:
        import keyring

        try:
            await asyncio.to_thread(keyring.set_password, self._service, self._name(key), value)
        except Exception as exc:
            raise SyncSetupError(KEYRING_MISSING) from exc

    async def remove_item(self, key: str) -> None:
        import keyring

        try:
            await asyncio.to_thread(keyring.delete_password, self._service, self._name(key))
        except Exception as exc:  # absent already, or no keyring: nothing stored either way
            log.debug("keyring delete: %s", type(exc).__name__)


async def stored_email(storage: SessionStorage, key: str) -> str | None:
    """The signed-in account's email from a stored session, without touching the network."""
    raw = await storage.get_item(key)
    if not raw:
        return None
    try:
        user = json.loads(raw).get("user") or {}
    except ValueError:
        return None
    email = user.get("email")
    return str(email) if email else None
