"""Composing the Simulate dock into the window: what app.compose calls (kept out of app.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDockWidget, QMainWindow

from ohm_desktop.runtime import Runtime
from ohm_desktop.simulation.chat_design import ChatDesign, chat_design
from ohm_desktop.ui.panels.simulation.panel import SimulationPanel, create_simulation_dock

ASK_TEXT = "Here is what my firmware did on the simulated board: what is going on?"


def simulation_dock_factory(runtime: Runtime, window_of: Callable[[], Any]) -> Callable[[QMainWindow], QDockWidget]:
    """A dock factory for MainWindow(extra_docks=...): it runs the Code dock's shown version."""
    from ohm_desktop.firmware import cache_dir_for
    from ohm_desktop.simulation import simulator_for

    simulator = simulator_for(cache_dir_for(runtime.paths.data))

    def design_for() -> ChatDesign | None:
        window = window_of()
        shown = window.panels["code"].shown
        if window.chat_id is None or shown is None:
            return None
        return chat_design(runtime.store, window.chat_id, code=shown.content, code_version=shown.version_number)

    def ask_debug(context: str) -> None:
        window_of().ask_with_context(ASK_TEXT, context)

    def factory(parent: QMainWindow) -> QDockWidget:
        return create_simulation_dock(parent, simulator=simulator, design_for=design_for, ask_debug=ask_debug)

    return factory


def connect_code_dock(window: Any) -> None:
    """Code dock -> Simulate: the button raises the Simulate dock and runs the shown version."""
    dock: QDockWidget = window.docks["simulate"]
    # The window may wrap a dock's widget (a scroll area for small screens): find the panel inside.
    widget = dock.widget()
    panel = widget if isinstance(widget, SimulationPanel) else dock.findChild(SimulationPanel)
    assert isinstance(panel, SimulationPanel)

    def simulate() -> None:
        dock.show()
        dock.raise_()
        panel.start()

    window.panels["code"].simulate_requested.connect(simulate)
