"""Compile-check timings with the Debian AVR toolchain (arduino:avr:uno).

Cold = first check on a machine (the Arduino core is compiled into the cache); cached =
later checks (only the sketch is compiled and linked). The ratio cold/cached is what the
core cache buys; the baseline is a bare ``avr-gcc --version`` spawn measured in the same run.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from ohm_desktop.firmware.compiler import SketchCompiler
from ohm_desktop.firmware.sketch import Sketch
from ohm_desktop.firmware.toolchain import AvrGccToolchain, discover_toolchains

GOOD = "void setup() { pinMode(13, OUTPUT); Serial.begin(9600); }\nvoid loop() { Serial.println(millis()); }\n"
BROKEN = "void setup() {}\nvoid loop() { delay(notDeclared); }\n"
REPEATS = 5


def _sketch(text: str) -> Sketch:
    return Sketch.from_code_content({"files": [{"path": "bench.ino", "content": text}]})


def run() -> dict[str, Any]:
    toolchains = [t for t in discover_toolchains() if isinstance(t, AvrGccToolchain)]
    if not toolchains:
        return {"skipped": "Debian AVR toolchain not installed"}
    toolchain = toolchains[0]
    spawn = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        subprocess.run([toolchain.tool("avr-gcc"), "--version"], capture_output=True, check=True)
        spawn.append((time.perf_counter() - started) * 1000)

    async def measure() -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as cache:
            compiler = SketchCompiler(Path(cache), toolchains=[toolchain])
            cold = await compiler.compile(_sketch(GOOD))
            good = [(await compiler.compile(_sketch(GOOD))).duration_ms for _ in range(REPEATS)]
            broken = [(await compiler.compile(_sketch(BROKEN))).duration_ms for _ in range(REPEATS)]
        assert cold.ok and not cold.cached_core
        return {
            "cold_good_ms": cold.duration_ms,
            "cached_good_ms_median": statistics.median(good),
            "cached_broken_ms_median": statistics.median(broken),
            "tool_spawn_ms_median": round(statistics.median(spawn), 1),
            "cold_over_cached": round(cold.duration_ms / max(1, statistics.median(good)), 2),
            "flash_bytes": cold.flash_bytes,
            "ram_bytes": cold.ram_bytes,
        }

    return asyncio.run(measure())


if __name__ == "__main__":
    print(run())
