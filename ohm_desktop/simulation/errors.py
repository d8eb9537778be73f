"""The simulation's one error kind: nothing here can run this firmware (CLI exit 3)."""

from __future__ import annotations

from ohm_desktop.errors import OhmError


class SimulatorMissingError(OhmError):
    """simavr, its headers or gcc are missing, or the board is not one simavr runs (exit 3)."""

    exit_code = 3
    kind = "no_simulator"
