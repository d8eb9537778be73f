"""Building Ohm's simavr harness on this machine, once, and finding it again.

The harness is C on libsimavr (shipped as source in resources/simulation). It is compiled with
the system ``gcc`` against the installed libsimavr-dev the first time a simulation runs and cached
in ``<cache>/simavr-harness/<key>/`` where the key covers the harness source, the simavr version
and the compiler, so an upgrade of any of them builds it anew. Entries are built in a private
folder and renamed into place, so two processes never run half a binary.

Why C and not simavr's Python/VCD tooling: Debian ships no Python binding, and the ``simavr``
command line can neither answer I2C nor change ADC inputs while running; a ~400-line harness
does both at several times real time (tests/benchmarks/test_simulation_speed.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from ohm_desktop.paths import resources_dir
from ohm_desktop.simulation.errors import SimulatorMissingError

INSTALL_HINT = (
    "No AVR simulator is installed, so the firmware was not run: on Debian/Ubuntu run "
    "`sudo apt install simavr libsimavr-dev gcc`, then try again."
)
HARNESS_SOURCE = "ohm_simavr_harness.c"


def harness_source() -> Path:
    return resources_dir() / "simulation" / HARNESS_SOURCE


class HarnessBuilder:
    """Finds or builds the harness binary; one per process (it serialises builds)."""

    def __init__(self, cache_dir: Path, *, compiler: str = "gcc") -> None:
        self.cache_dir = cache_dir
        self._compiler = compiler
        self._lock = asyncio.Lock()
        self._built: Path | None = None

    async def ensure(self) -> Path:
        """The harness executable; builds it on first use. ``SimulatorMissingError`` when it cannot."""
        if self._built is not None and self._built.is_file():
            return self._built
        async with self._lock:
            if self._built is None or not self._built.is_file():
                self._built = await self._find_or_build()
        return self._built

    async def _find_or_build(self) -> Path:
        gcc = shutil.which(self._compiler)
        if gcc is None:
            raise SimulatorMissingError(INSTALL_HINT)
        cflags, libs, version = await _simavr_flags()
        source = harness_source()
        basis = "|".join([hashlib.sha256(source.read_bytes()).hexdigest(), version, gcc, *cflags, *libs])
        key = hashlib.sha256(basis.encode()).hexdigest()[:16]
        final = self.cache_dir / "simavr-harness" / key
        binary = final / "ohm-simavr-harness"
        if binary.is_file():
            return binary
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=final.parent))
        try:
            code, output = await _run([gcc, "-O2", "-o", str(staging / binary.name), str(source), *cflags, *libs])
            if code != 0:
                raise SimulatorMissingError(f"{INSTALL_HINT} (Building the harness failed: "
                                            f"{_first_error(output)})")
            try:
                os.replace(staging, final)
            except OSError:
                # Another process put the same entry in place first; it is the same build.
                shutil.rmtree(staging, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return binary


async def _simavr_flags() -> tuple[list[str], list[str], str]:
    """Compiler flags, linker flags and version of the installed libsimavr (pkg-config when present)."""
    if shutil.which("pkg-config"):
        code, version = await _run(["pkg-config", "--modversion", "simavr"])
        if code == 0:
            _, libs = await _run(["pkg-config", "--libs", "simavr"])
            # simavr.pc's --cflags point inside include/simavr; the harness includes <simavr/...>.
            return [], libs.split() or ["-lsimavr"], version.strip()
    header = Path("/usr/include/simavr/sim_avr.h")
    if not header.is_file():
        raise SimulatorMissingError(INSTALL_HINT)
    return [], ["-lsimavr"], f"header-{int(header.stat().st_mtime)}"


def _first_error(output: str) -> str:
    lines = [line for line in output.splitlines() if "error" in line.lower()]
    return (lines[0] if lines else output.strip()[:200]) or "no message"


async def _run(argv: list[str]) -> tuple[int, str]:
    try:
        process = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
    except OSError as exc:
        return 127, str(exc)
    out, _ = await process.communicate()
    return int(process.returncode or 0), out.decode("utf-8", errors="replace")
