"""Cyclic garbage collection on the GUI thread only.

Python runs its cycle collector in whichever thread happens to allocate. A cycle holding a Qt
wrapper, collected in a worker thread (a keyring call run with ``asyncio.to_thread``), would
delete its QObject there, off the GUI thread, which Qt does not allow and which can crash. So
while the window runs, automatic collection is off and this timer does it on the GUI thread,
with the interpreter's own thresholds (reference counting still frees everything else at once).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class GuiThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, *, interval_ms: int = 250) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int | None:
        """Collect the generations whose thresholds were passed; returns the oldest collected."""
        young, middle, old = gc.get_count()
        limit_young, limit_middle, limit_old = self._thresholds
        if young <= limit_young:
            return None
        generation = 2 if middle > limit_middle and old > limit_old else 1 if middle > limit_middle else 0
        gc.collect(generation)
        return generation

    def stop(self) -> None:
        """Back to the interpreter's own collection (the window is gone)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
