"""Simulation in the compile loop: after a version compiles, run it briefly and judge what it did.

:class:`SimulationCheck` is the ``after_compile`` hook of :class:`~ohm_desktop.firmware.CompileLoop`.
It runs the version for a few simulated seconds with the chat's peripherals and returns a report
for the DEBUG agent when the firmware crashes, resets, prints nothing although it was written to
print, leaves a pin the wiring drives a part from untouched, or talks to an I2C address where the
design has nothing; else None. A missing simulator is not the model's problem: it returns None.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from ohm_desktop.errors import OhmError
from ohm_desktop.firmware.result import CompileResult
from ohm_desktop.simulation.chat_design import ChatDesign, chat_design
from ohm_desktop.simulation.result import SimulationResult
from ohm_desktop.simulation.runner import SimulationRequest, Simulator
from ohm_desktop.store import ArtifactVersion, LocalStore

log = logging.getLogger(__name__)

LOOP_SECONDS = 3.0
_PRINTS = re.compile(r"\bSerial1?\s*\.\s*(?:print|println|write|printf)\s*\(")
_BEGINS = re.compile(r"\bSerial1?\s*\.\s*begin\s*\(")
REPORT_HEAD = "compiles but misbehaves on the simulated board"


def simulation_problems(result: SimulationResult, design: ChatDesign) -> list[str]:
    """What a version did wrong in the simulation, one sentence each; empty when nothing is wrong."""
    problems: list[str] = []
    if result.crashed:
        problems.append(f"The firmware crashed at PC 0x{result.crash_pc or 0:04x} (a jump outside the program, "
                        "a stack overflow or a write outside RAM).")
    if result.resets:
        watchdog = sum(1 for r in result.resets if r.cause == "watchdog")
        first = result.resets[0]
        kind = "watchdog resets" if watchdog == len(result.resets) else "resets"
        problems.append(f"The board had {len(result.resets)} {kind}, the first at {first.t_ms:.1f} ms "
                        f"({'the watchdog was not reset in time' if first.cause == 'watchdog' else 'execution jumped to the reset vector: an interrupt without a handler or a bad function pointer'}).")
    code = "\n".join(f.content for f in design.sketch.files)
    if _PRINTS.search(code) and _BEGINS.search(code) and not result.serial.strip() and not result.crashed:
        problems.append(f"It printed nothing on Serial in {result.simulated_s:.1f} s although the code calls "
                        "Serial.print (check the baud rate, that setup() reaches the prints, and blocking waits). "
                        "If it only prints on an event that did not happen, say so and write no new version.")
    untouched = [pin for pin in design.peripherals.output_pins if pin not in result.pin_stats]
    for pin in untouched:
        problems.append(f"{pin} drives {design.peripherals.output_pins[pin]} in the wiring, but the firmware never "
                        f"set it as an output or changed it.")
    addresses = {d.address for d in design.peripherals.i2c_devices}
    if addresses:
        for address in result.i2c_no_answer:
            known = ", ".join(f"0x{a:02x}" for a in sorted(addresses))
            problems.append(f"The firmware addressed I2C device 0x{address:02x}, but the design has parts at {known} only.")
    return problems


def debug_report(result: SimulationResult, design: ChatDesign, problems: list[str], *, version_number: int,
                 round_number: int, max_rounds: int) -> str:
    """The simulation as text for the DEBUG agent: problems first, then serial output and pins."""
    lines = [f"The sketch (code version {version_number}) {REPORT_HEAD} ({result.board.name}, "
             f"{result.simulated_s:.1f} simulated s).",
             f"Automatic fix round {round_number} of {max_rounds}: write a corrected code version.",
             *(f"- {p}" for p in problems)]
    serial = result.serial[-2000:]
    lines += ["", "Serial output" + (" (last 2000 characters)" if len(result.serial) > 2000 else "") + ":",
              serial if serial.strip() else "(nothing)", "", "Pins:", result.pin_summary()]
    if design.peripherals.not_simulated:
        lines.append("Not simulated: " + ", ".join(design.peripherals.not_simulated))
    return "\n".join(lines)


class SimulationCheck:
    """The compile loop's ``after_compile`` hook; ``listeners`` hear each run (the code dock shows them)."""

    def __init__(self, simulator: Simulator, store: LocalStore, *, seconds: float = LOOP_SECONDS,
                 enabled: Callable[[], bool] = lambda: True) -> None:
        self._simulator = simulator
        self._store = store
        self.seconds = seconds
        self._enabled = enabled
        self._listeners: list[Callable[[str, SimulationResult], None]] = []

    def subscribe(self, listener: Callable[[str, SimulationResult], None]) -> Callable[[], None]:
        """``listener(chat_id, result)`` after each loop simulation; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def __call__(self, version: ArtifactVersion, compiled: CompileResult, round_number: int,
                       max_rounds: int) -> str | None:
        if not self._enabled():
            return None
        try:
            design = chat_design(self._store, version.chat_id, code=version.content,
                                 code_version=version.version_number)
            result = await self._simulator.run(SimulationRequest(design.sketch, design.board or compiled.board,
                                                                 self.seconds, design=design.peripherals))
        except OhmError as exc:
            log.info("no simulation of code version %d: %s", version.version_number, exc.message)
            return None
        except Exception:
            # The simulator failing is no reason to stop the compile loop or bother DEBUG.
            log.exception("simulating code version %d failed", version.version_number)
            return None
        for listener in list(self._listeners):
            try:
                listener(version.chat_id, result)
            except Exception:
                log.exception("simulation listener failed")
        if result.stopped == "not_compiled":
            return None
        problems = simulation_problems(result, design)
        if not problems:
            return None
        return debug_report(result, design, problems, version_number=version.version_number,
                            round_number=round_number, max_rounds=max_rounds)
