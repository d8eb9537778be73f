"""Simulation speed on the simavr harness (arduino:avr:uno, the line-follower design).

Cold = a fresh cache: the harness is built with gcc and the Arduino core compiled, then the
firmware runs. Warm = later runs (both cached). ``speed_x`` is simulated seconds per wall second
of the harness process (goal >= 1: faster than the real board); the baseline is the clock itself
(1.0 = real time), plus a busy loop measuring the bare instruction rate on the same machine.
``first_serial_s`` is from asking for a run (compile included) to the first serial byte
(goal < 1 s warm).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from ohm_desktop.firmware.compiler import SketchCompiler
from ohm_desktop.firmware.sketch import Sketch
from ohm_desktop.firmware.toolchain import AvrGccToolchain, discover_toolchains
from ohm_desktop.simulation import (
    HarnessBuilder,
    SimulationRequest,
    Simulator,
    SimulatorMissingError,
    from_design,
)
from ohm_desktop.simulation.protocol import HarnessEvent, SerialBytes
from tests.support import line_follower

SECONDS = 5.0
REPEATS = 3
BUSY = "void setup() { Serial.begin(115200); Serial.println(\"go\"); }\nvoid loop() { }\n"


async def _timed(simulator: Simulator, request: SimulationRequest) -> dict[str, float]:
    asked = time.perf_counter()
    first: list[float] = []

    def on_event(event: HarnessEvent) -> None:
        if isinstance(event, SerialBytes) and not first:
            first.append(time.perf_counter() - asked)

    result = await simulator.run(request, on_event=on_event)
    assert result.stopped == "time", result.summary()
    return {"speed_x": result.simulated_s / result.wall_s, "total_s": time.perf_counter() - asked,
            "first_serial_s": first[0] if first else float("nan")}


def run() -> dict[str, Any]:
    toolchains = [t for t in discover_toolchains() if isinstance(t, AvrGccToolchain)]
    if not toolchains:
        return {"skipped": "Debian AVR toolchain not installed"}
    design = from_design(line_follower.BOM, line_follower.WIRING)
    follower = SimulationRequest(Sketch.from_code_content(line_follower.CODE), "arduino:avr:uno", SECONDS,
                                 design=design)
    busy = SimulationRequest(Sketch.from_code_content({"files": [{"path": "busy.ino", "content": BUSY}]}),
                             "arduino:avr:uno", SECONDS)

    async def measure() -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as cache:
            harness = HarnessBuilder(Path(cache))
            simulator = Simulator(SketchCompiler(Path(cache), toolchains=toolchains[:1]), harness)
            started = time.perf_counter()
            try:
                await harness.ensure()
            except SimulatorMissingError as exc:
                return {"skipped": exc.message}
            build_s = time.perf_counter() - started
            cold = await _timed(simulator, follower)
            warm = [await _timed(simulator, follower) for _ in range(REPEATS)]
            bare = [await _timed(simulator, busy) for _ in range(REPEATS)]
        return {
            "simulated_s_per_run": SECONDS,
            "harness_build_s": round(build_s, 2),
            "cold_total_s": round(cold["total_s"], 2),
            "cold_speed_x": round(cold["speed_x"], 2),
            "warm_speed_x_median": round(statistics.median(w["speed_x"] for w in warm), 2),
            "warm_first_serial_s_median": round(statistics.median(w["first_serial_s"] for w in warm), 3),
            "busy_loop_speed_x_median": round(statistics.median(b["speed_x"] for b in bare), 2),
            "baseline_real_time_x": 1.0,
            "goals": {"speed_x": ">= 1", "warm_first_serial_s": "< 1"},
        }

    return asyncio.run(measure())
