"""Cycles are collected on the GUI thread, never in a worker thread that happens to allocate."""

from __future__ import annotations

import gc
import threading
from typing import ClassVar

from ohm_desktop.ui.gui_thread_gc import GuiThreadGarbageCollector


class _Cycle:
    freed_on: ClassVar[list[int]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.freed_on.append(threading.get_ident())


def test_a_cycle_dropped_while_a_worker_allocates_is_freed_on_the_gui_thread(qapp) -> None:  # type: ignore[no-untyped-def]
    collector = GuiThreadGarbageCollector()
    try:
        assert not gc.isenabled()
        _Cycle.freed_on.clear()
        _Cycle()  # unreachable at once, but only the cycle collector can free it

        def allocate() -> None:
            junk = [[] for _ in range(50_000)]  # far past the young generation's threshold
            for item in junk:
                item.append(item)  # cycles: these would trigger automatic collections

        worker = threading.Thread(target=allocate)
        worker.start()
        worker.join()
        assert _Cycle.freed_on == []  # the worker thread collected nothing
        assert collector.collect_due() is not None
        gc.collect()  # whatever generation the cycle had reached by now
        assert _Cycle.freed_on == [threading.get_ident()]
    finally:
        collector.stop()
    assert gc.isenabled()


def test_nothing_is_collected_below_the_thresholds(qapp) -> None:  # type: ignore[no-untyped-def]
    gc.collect()
    collector = GuiThreadGarbageCollector()
    try:
        assert collector.collect_due() is None
    finally:
        collector.stop()
