"""Running firmware before it is flashed: a simulated AVR board on simavr.

Qt-free. :class:`Simulator` compiles a sketch (reusing the firmware compile cache) and runs the
.hex on Ohm's libsimavr harness (resources/simulation, built once on this machine by
:class:`HarnessBuilder`) with inputs on pins and I2C parts from the design answering on the bus.
"""

from pathlib import Path

from ohm_desktop.simulation.boards import SimBoard, sim_board
from ohm_desktop.simulation.errors import SimulatorMissingError
from ohm_desktop.simulation.harness import INSTALL_HINT, HarnessBuilder
from ohm_desktop.simulation.inputs import PinInput, parse_input
from ohm_desktop.simulation.peripherals import DesignPeripherals, from_design
from ohm_desktop.simulation.result import SimulationResult
from ohm_desktop.simulation.runner import SimulationControl, SimulationRequest, Simulator

__all__ = [
    "INSTALL_HINT",
    "DesignPeripherals",
    "HarnessBuilder",
    "PinInput",
    "SimBoard",
    "SimulationControl",
    "SimulationRequest",
    "SimulationResult",
    "Simulator",
    "SimulatorMissingError",
    "from_design",
    "parse_input",
    "sim_board",
    "simulator_for",
]


def simulator_for(cache_dir: Path) -> Simulator:
    """A Simulator whose compiles and harness build share ``cache_dir`` (``<data dir>/firmware-cache``)."""
    from ohm_desktop.firmware.compiler import SketchCompiler

    return Simulator(SketchCompiler(cache_dir), HarnessBuilder(cache_dir))
