"""Qt offscreen + a qasync loop (as in the app) + a runtime against the fake gateway."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.fake_gateway import FakeGateway

KEY = "sk-bytez-ui-test-key-0000aaaa"


@pytest.fixture
def qt_loop(qapp: object) -> Iterator[asyncio.AbstractEventLoop]:
    import qasync

    from ohm_desktop.app import finalize_async_generators_on
    from ohm_desktop.ui.gui_thread_gc import GuiThreadGarbageCollector

    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    hooks = sys.get_asyncgen_hooks()
    finalize_async_generators_on(loop)  # as app.run does
    collector = GuiThreadGarbageCollector()  # as app.run does: worker threads never collect
    try:
        yield loop
    finally:
        collector.stop()
        sys.set_asyncgen_hooks(*hooks)
        asyncio.set_event_loop(None)
        loop.close()


@pytest.fixture
def runtime(gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch, qt_loop: asyncio.AbstractEventLoop):  # type: ignore[no-untyped-def]
    from ohm_desktop.runtime import build_runtime

    monkeypatch.setenv("OHM_GATEWAY_URL", gateway.url)
    monkeypatch.setenv("BYTEZ_API_KEY_1", KEY)
    rt = build_runtime()
    yield rt
    qt_loop.run_until_complete(rt.aclose())


@pytest.fixture
def window(runtime, qtbot, qt_loop):  # type: ignore[no-untyped-def]
    from ohm_desktop.ui.main_window import MainWindow

    win = MainWindow(runtime)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.session.cancel()
    win.close()


async def until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait (letting the loop run) until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def scenario(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None]) -> None:
    """Run a test's steps inside the running qasync loop, as user input arrives in the app."""
    loop.run_until_complete(coro)


def synced_window(runtime: Any, qtbot: Any, project: tuple[str, str]) -> Any:
    """A window whose sync talks to ``project`` (the stand-in) with the session kept in memory."""
    from ohm_desktop.sync import SyncService
    from ohm_desktop.sync.background import BackgroundSync
    from ohm_desktop.sync.session_storage import MemorySessionStorage
    from ohm_desktop.ui.main_window import MainWindow

    storage = MemorySessionStorage()
    runtime.sync = BackgroundSync(
        runtime.store,
        project,
        runtime.redactor,
        data_dir=runtime.paths.data,
        service_factory=lambda configured: SyncService(
            runtime.store, supabase=configured, redactor=runtime.redactor, session_storage=storage
        ),
    )
    window = MainWindow(runtime)
    qtbot.addWidget(window)
    window.show()
    return window


def other_workstation(folder: Any, project: tuple[str, str]) -> tuple[Any, Any]:
    """Another bench's store and sync service (session in memory), for a window test to talk to."""
    from ohm_desktop.redaction import SecretRedactor
    from ohm_desktop.store import LocalStore
    from ohm_desktop.sync import SyncService
    from ohm_desktop.sync.session_storage import MemorySessionStorage

    store = LocalStore.open(folder / "ohm.sqlite3")
    return store, SyncService(store, supabase=project, redactor=SecretRedactor(), session_storage=MemorySessionStorage())
