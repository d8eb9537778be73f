"""The Simulate dock: the shown code version running on a simulated board (ohm_desktop.simulation)."""

from ohm_desktop.ui.panels.simulation.panel import SimulationPanel, create_simulation_dock
from ohm_desktop.ui.panels.simulation.timeline import PinTimeline

__all__ = ["PinTimeline", "SimulationPanel", "create_simulation_dock"]
