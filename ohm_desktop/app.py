"""Composition root of the desktop app: the Qt-free runtime, the window, and what connects them.

Everything is built here and passed in; nothing is global. ``run`` is the coroutine that
``qasync.run`` drives: the window, the compile-in-the-loop checker and the serial monitor
share the one asyncio loop that Qt's event loop runs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QMessageBox

from ohm_desktop.core.events import AgentSelected, TurnEvent
from ohm_desktop.errors import OhmError
from ohm_desktop.runtime import Runtime, build_runtime
from ohm_desktop.ui.gui_thread_gc import GuiThreadGarbageCollector
from ohm_desktop.ui.main_window import DOCK_NAMES, MainWindow

log = logging.getLogger(__name__)


@dataclass
class DesktopApp:
    """What ``compose`` built; ``aclose`` takes it down in order."""

    runtime: Runtime
    window: MainWindow
    compile_loop: Any | None
    design_loop: Any | None = None
    warm_up: Any | None = None

    async def aclose(self) -> None:
        if self.design_loop is not None:
            await self.design_loop.aclose()
        if self.compile_loop is not None:
            await self.compile_loop.aclose()
        await self.runtime.aclose()


def compose(runtime: Runtime) -> DesktopApp:
    """The window with its docks, wired to the runtime; ``run`` attaches the compile loop after the first paint."""
    holder: dict[str, MainWindow] = {}

    def serial_dock(parent: QMainWindow) -> QDockWidget:
        from ohm_desktop.ui.panels.serial.widget import create_serial_dock

        def ask_debug(context: str) -> None:
            holder["window"].ask_with_context("Here is the serial output from my board: what is going on?", context)

        return create_serial_dock(parent, ask_debug=ask_debug)

    from ohm_desktop.ui.panels.simulation.dock import connect_code_dock, simulation_dock_factory

    window = MainWindow(runtime, extra_docks=[serial_dock, simulation_dock_factory(runtime, lambda: holder["window"])])
    holder["window"] = window
    connect_code_dock(window)
    return DesktopApp(runtime, window, compile_loop=None)


def _compile_loop(runtime: Runtime, window: MainWindow) -> Any | None:
    """Compile every new code version in the background; errors go to DEBUG with consent."""
    try:
        from ohm_desktop.firmware import CompileLoop, SketchCompiler, cache_dir_for
        from ohm_desktop.firmware.compile_loop import CompileUpdate
        from ohm_desktop.firmware.debug_turn import orchestrator_ask_debug
    except ImportError:  # pragma: no cover - the firmware package ships with the app
        return None

    def on_debug_event(chat_id: str, event: TurnEvent) -> None:
        if isinstance(event, AgentSelected) and chat_id == window.chat_id:
            window.notify(f"{event.name} is fixing the compile errors…", kind="agent")

    compiler = SketchCompiler(cache_dir_for(runtime.paths.data))
    loop = CompileLoop(
        runtime.store,
        compiler,
        ask_debug=orchestrator_ask_debug(runtime.orchestrator, on_event=on_debug_event),
        consent=lambda: runtime.settings.compile_feedback,
        max_rounds=2,
        after_compile=_simulation_check(runtime, compiler),
    )

    def on_update(update: CompileUpdate) -> None:
        if update.chat_id != window.chat_id:
            return
        if update.state == "compiling":
            window.show_compile(f"Compiling version {update.version_number}…", None)
        elif update.state == "repairing":
            why = "It misbehaves in the simulation: " if update.result is not None and update.result.ok else ""
            window.show_compile(f"{why}Asking DEBUG to fix it (round {update.round} of {update.max_rounds})…", None)
        elif update.result is not None:
            text = f"v{update.version_number}: {update.result.summary()}"
            if update.state == "stopped" and update.reason:
                text += f" ({update.reason})"
            window.show_compile(text, update.result.ok if update.result.status != "no_toolchain" else None)

    loop.subscribe(on_update)
    loop.attach()
    return loop


def _simulation_check(runtime: Runtime, compiler: Any) -> Any | None:
    """A short simulation of every version that compiles; what goes wrong goes to DEBUG (issue #16)."""
    from ohm_desktop.firmware import cache_dir_for
    from ohm_desktop.simulation import HarnessBuilder, Simulator
    from ohm_desktop.simulation.loop_check import SimulationCheck

    return SimulationCheck(Simulator(compiler, HarnessBuilder(cache_dir_for(runtime.paths.data))), runtime.store)


def _design_check_loop(runtime: Runtime, window: MainWindow, compile_loop: Any | None) -> Any:
    """Design-check every new BOM/wiring/code version; errors go back to its specialist with consent."""
    from ohm_desktop.design_rules.check_loop import DesignCheckLoop, DesignCheckUpdate
    from ohm_desktop.firmware.design_repair_turn import orchestrator_ask_agent

    def on_event(chat_id: str, event: TurnEvent) -> None:
        if isinstance(event, AgentSelected) and chat_id == window.chat_id:
            window.notify(f"{event.name} is fixing the design check errors…", kind="agent")

    loop = DesignCheckLoop(
        runtime.store,
        ask_agent=orchestrator_ask_agent(runtime.orchestrator, on_event=on_event),
        consent=lambda: runtime.settings.compile_feedback,
        max_rounds=2,
        # One specialist at a time per chat: a compile repair round finishes first.
        before_repair=compile_loop.drain if compile_loop is not None else None,
        author_intents={agent.name: intent for intent, agent in runtime.registry.agents.items()},
    )

    def on_update(update: DesignCheckUpdate) -> None:
        if update.chat_id == window.chat_id:
            window.show_design_findings(list(update.findings))

    loop.subscribe(on_update)
    loop.attach()
    # A chat opened in the window gets its findings too (after the window has shown it).
    window.chat_list.chat_selected.connect(loop.refresh)
    if window.chat_id is not None:
        loop.refresh(window.chat_id)
    return loop


def finalize_async_generators_on(loop: asyncio.AbstractEventLoop) -> None:
    """Have abandoned async generators closed as tasks on ``loop``.

    asyncio's own loop registers this hook when it runs; qasync's does not. Without it an async
    generator left mid-iteration — the HTTP stream of a stopped answer — is closed by the garbage
    collector outside any task, where its cleanup fails ("Exception ignored …") and the
    connection is not given back.
    """

    async def close(generator: Any) -> None:
        try:
            await generator.aclose()
        except Exception:
            # Cleanup of something already abandoned: worth a debug line, not a "never retrieved".
            log.debug("closing an abandoned async generator failed", exc_info=True)

    def finalizer(generator: Any) -> None:
        loop.call_soon_threadsafe(lambda: loop.create_task(close(generator)))

    sys.set_asyncgen_hooks(finalizer=finalizer)


async def run(*, smoke_test: bool = False, started: float | None = None, redactor: Any = None) -> int:
    """Build everything, show the window, and wait until it is closed."""
    started = started if started is not None else time.perf_counter()
    finalize_async_generators_on(asyncio.get_running_loop())
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    collector = GuiThreadGarbageCollector(app)
    try:
        return await _run_window(app, smoke_test=smoke_test, started=started, redactor=redactor)
    finally:
        collector.stop()


async def _run_window(app: QApplication, *, smoke_test: bool, started: float, redactor: Any) -> int:
    try:
        runtime = build_runtime(redactor=redactor)
    except OhmError as exc:
        box = QMessageBox(QMessageBox.Icon.Critical, "Ohm Desktop cannot start", exc.message)
        box.open()
        dismissed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        box.finished.connect(lambda *_: None if dismissed.done() else dismissed.set_result(None))
        await dismissed
        return exc.exit_code
    desktop = compose(runtime)
    window = desktop.window
    window.show()
    await _first_paint(app, window)
    startup_ms = int((time.perf_counter() - started) * 1000)
    # After the first paint: the firmware toolchain imports are not needed to show the window.
    desktop.compile_loop = _compile_loop(runtime, window)
    desktop.design_loop = _design_check_loop(runtime, window, desktop.compile_loop)
    warm = asyncio.ensure_future(asyncio.to_thread(_warm_imports))
    desktop.warm_up = warm  # kept: a task nobody holds may be collected mid-import
    # Sync starts in the background when a Supabase session is stored (reading it from the
    # keyring is not needed for the first paint); until then the status bar says "off".
    await runtime.sync.start()
    if getattr(runtime.store, "recovered_from", None) is not None:
        window.notify(f"The database was damaged and replaced; the old file is kept at {runtime.store.recovered_from}.", kind="warn")
    if smoke_test:
        docks = [name for name in DOCK_NAMES if name in window.docks and window.docks[name].widget() is not None]
        extra = sorted(set(window.docks) - set(DOCK_NAMES))
        await asyncio.sleep(0.3)  # spin the event loop briefly with everything live
        print(json.dumps({"ok": True, "docks": docks, "extra_docks": extra, "startup_ms": startup_ms}), flush=True)
        window.close()
        await desktop.aclose()
        return 0
    if not runtime.settings.onboarding_done:
        window.open_onboarding()
    closed = asyncio.Event()
    app.lastWindowClosed.connect(closed.set)
    await closed.wait()
    await desktop.aclose()
    return 0


def _warm_imports() -> None:
    """Import what the first turn needs (openai ~0.3 s, Markdown and highlighting ~40 ms) off the GUI thread.

    Imported lazily for start-up time; left to the first turn, they froze the window for that long.
    """
    import importlib

    for name in ("openai", "markdown_it", "pygments.lexers", "pygments.formatters"):
        try:
            importlib.import_module(name)
        except ImportError:  # pragma: no cover - all ship with the app
            log.debug("warm-up import of %s failed", name)


async def _first_paint(app: QApplication, window: MainWindow) -> None:
    for _ in range(50):
        app.processEvents()
        if window.isVisible() and window.windowHandle() is not None and window.windowHandle().isExposed():
            return
        await asyncio.sleep(0.005)


def main(argv: list[str] | None = None, *, started: float | None = None, redactor: Any = None) -> int:
    import qasync

    args = list(sys.argv[1:] if argv is None else argv)
    smoke = "--smoke-test" in args
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *[a for a in args if a.startswith("-platform")]])
    app.setApplicationName("Ohm Desktop")
    app.setOrganizationName("Ohm")
    app.setApplicationDisplayName("Ohm Desktop")
    app.setAttribute(Qt.ApplicationAttribute.AA_DontShowIconsInMenus, False)
    # Closing the window must not stop Qt's loop under qasync: ``run`` still has to close the
    # gateway's connections on it (else "RuntimeError: no running event loop" on quit), then
    # returns, which ends the loop.
    app.setQuitOnLastWindowClosed(False)
    try:
        return int(qasync.run(run(smoke_test=smoke, started=started, redactor=redactor)))
    except KeyboardInterrupt:
        return 130
