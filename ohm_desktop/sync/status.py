"""What the window's status bar and ``ohm sync status`` show about sync."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

log = logging.getLogger(__name__)

#: off: not configured, not signed in or not running · connecting: starting or reconnecting ·
#: live: pushing and receiving changes as they happen · offline: the network or server is
#: unreachable; changes are kept in the outbox and sent when it returns.
SyncState = Literal["off", "connecting", "live", "offline"]


@dataclass(frozen=True, slots=True)
class SyncStatus:
    state: SyncState
    #: Local changes waiting to be pushed.
    queued: int = 0
    #: Local changes the server refused several times (kept; retried by ``ohm sync run --retry-failed``).
    failed: int = 0
    #: Rows pulled from the server that were refused, never applied (a chat that is not their
    #: parent's, a number out of range): ``ohm sync status`` lists them.
    refused_from_server: int = 0
    #: The last problem, as one user-facing sentence (never a secret).
    last_error: str | None = None
    #: Who is signed in (the Supabase account's email), if anyone.
    user_email: str | None = None
    #: When the last push or pull succeeded (UTC ISO-8601).
    last_synced_at: str | None = None
    #: One sentence for a tooltip or ``ohm sync status``.
    detail: str = ""
    #: Rows from the server that could not be applied here (kept aside; sync went on past them).
    quarantined: int = 0

    @property
    def label(self) -> str:
        """Short text for a status bar: ``live``, ``offline (12 queued)`` …"""
        extra = [f"{self.queued} queued"] if self.queued else []
        if self.failed:
            extra.append(f"{self.failed} failed")
        return self.state + (f" ({', '.join(extra)})" if extra else "")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}


StatusListener = Callable[[SyncStatus], None]


def notify_all(listeners: Iterable[StatusListener], status: SyncStatus) -> None:
    """Give ``status`` to every listener; one that fails is logged and does not stop the rest."""
    for listener in list(listeners):
        try:
            listener(status)
        except Exception:
            log.exception("sync status listener failed")
