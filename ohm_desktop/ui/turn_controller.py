"""Runs a turn of the orchestrator as an asyncio task and hands each event to the window."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from ohm_desktop.core.events import TurnEvent
from ohm_desktop.core.orchestrator import Orchestrator, TurnRequest

log = logging.getLogger(__name__)


class TurnController:
    """At most one turn at a time; ``cancel`` stops it and the store marks it interrupted."""

    def __init__(self, orchestrator: Orchestrator, on_event: Callable[[TurnEvent], None],
                 on_finished: Callable[[bool], None]) -> None:
        self._orchestrator = orchestrator
        self._on_event = on_event
        self._on_finished = on_finished
        self.task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def start(self, request: TurnRequest) -> asyncio.Task[None]:
        if self.running:
            raise RuntimeError("a turn is already running")
        self.task = asyncio.ensure_future(self._run(request))
        return self.task

    def cancel(self) -> None:
        if self.running:
            assert self.task is not None
            self.task.cancel()

    async def _run(self, request: TurnRequest) -> None:
        cancelled = False
        try:
            async for event in self._orchestrator.run_turn(request):
                self._on_event(event)
        except asyncio.CancelledError:
            cancelled = True
        except Exception:  # the orchestrator reports errors as events; this is a last guard
            log.exception("turn task failed")
        finally:
            self._on_finished(cancelled)
