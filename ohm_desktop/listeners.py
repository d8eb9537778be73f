"""``Listeners[T]``: the one way a Qt-free object tells others that something happened.

Subscribing returns the function that unsubscribes. A listener that raises is logged and the
others still run: the event already happened (a write was committed, a status changed), so one
broken subscriber must neither hide it from the rest nor turn it into an error for the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class Listeners(Generic[T]):
    """An ordered set of callbacks taking one ``T``."""

    def __init__(self, name: str) -> None:
        #: Names the source in the log line of a failing listener ("store", "chat session").
        self._name = name
        self._callbacks: list[Callable[[T], None]] = []

    def subscribe(self, callback: Callable[[T], None]) -> Callable[[], None]:
        """Call ``callback`` for every event from now on; the result unsubscribes (idempotent)."""
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

    def emit(self, event: T) -> None:
        """Give ``event`` to every listener subscribed now, in subscription order."""
        for callback in list(self._callbacks):
            try:
                callback(event)
            except Exception:
                log.exception("a %s listener failed on %s", self._name, type(event).__name__)

    def __len__(self) -> int:
        return len(self._callbacks)
