"""``SketchCompiler``: compile a sketch for a board with whatever toolchain is installed."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ohm_desktop.errors import UsageError
from ohm_desktop.firmware.arduino_cli import build_with_arduino_cli
from ohm_desktop.firmware.avr_build import AvrBuilder
from ohm_desktop.firmware.boards import DEFAULT_BOARD, Fqbn, read_board
from ohm_desktop.firmware.result import CompileResult
from ohm_desktop.firmware.sketch import Sketch
from ohm_desktop.firmware.toolchain import (
    INSTALL_HINT,
    ArduinoCliToolchain,
    AvrGccToolchain,
    Toolchain,
    discover_toolchains,
)

_OUTPUT_LIMIT = 20_000


class SketchCompiler:
    """Compiles sketches in the background (asyncio subprocesses; the event loop never blocks).

    ``cache_dir`` keeps compiled Arduino cores per board (``<data dir>/firmware-cache``).
    ``toolchains`` defaults to what :func:`discover_toolchains` finds, arduino-cli first.
    """

    def __init__(self, cache_dir: Path, *, toolchains: Sequence[Toolchain] | None = None,
                 jobs: int | None = None) -> None:
        self.cache_dir = cache_dir
        self._toolchains = list(toolchains) if toolchains is not None else None
        self._jobs = jobs
        self._avr_builders: dict[Path, AvrBuilder] = {}

    @property
    def toolchains(self) -> list[Toolchain]:
        if self._toolchains is None:
            self._toolchains = discover_toolchains()
        return self._toolchains

    async def compile_content(self, content: dict[str, Any], *, board: str | None = None) -> CompileResult:
        """Compile a CODE artifact's content; its ``board`` field wins over the default."""
        return await self.compile(Sketch.from_code_content(content), board or content.get("board") or DEFAULT_BOARD)

    async def compile(self, sketch: Sketch, board: str = DEFAULT_BOARD, *, hex_out: Path | None = None
                      ) -> CompileResult:
        """Compile ``sketch`` for ``board`` (an FQBN). Never raises for compile errors: see the result."""
        fqbn = Fqbn.parse(board)
        started = time.perf_counter()
        hint = INSTALL_HINT
        work_dir = Path(tempfile.mkdtemp(prefix="ohm-sketch-"))
        try:
            for toolchain in self.toolchains:
                if isinstance(toolchain, ArduinoCliToolchain):
                    result = await self._with_cli(toolchain, sketch, str(fqbn), work_dir, hex_out, started)
                    if result is not None:
                        return result
                    hint = (f"arduino-cli has no platform for {fqbn}: run `arduino-cli core install "
                            f"{fqbn.vendor}:{fqbn.arch}` and check again.")
                elif isinstance(toolchain, AvrGccToolchain):
                    result = await self._with_avr_gcc(toolchain, sketch, fqbn, work_dir, hex_out, started)
                    if result is not None:
                        return result
                    if hint == INSTALL_HINT:
                        hint = (f"The installed AVR toolchain cannot build for {fqbn}: install arduino-cli and "
                                f"run `arduino-cli core install {fqbn.vendor}:{fqbn.arch}`, then check again.")
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        return CompileResult(status="no_toolchain", board=str(fqbn), hint=hint, duration_ms=_ms(started))

    async def _with_cli(self, toolchain: ArduinoCliToolchain, sketch: Sketch, fqbn: str, work_dir: Path,
                        hex_out: Path | None, started: float) -> CompileResult | None:
        output_dir = hex_out.parent if hex_out is not None else None
        outcome = await build_with_arduino_cli(toolchain, sketch, fqbn, work_dir / "cli", output_dir=output_dir)
        if outcome.platform_missing:
            return None
        return CompileResult(
            status="errors" if outcome.diagnostics else "ok",
            board=fqbn,
            toolchain=toolchain.label,
            flash_bytes=outcome.flash_bytes,
            flash_max=outcome.flash_max,
            ram_bytes=outcome.ram_bytes,
            ram_max=outcome.ram_max,
            diagnostics=tuple(outcome.diagnostics),
            output=outcome.output[-_OUTPUT_LIMIT:],
            duration_ms=_ms(started),
        )

    async def _with_avr_gcc(self, toolchain: AvrGccToolchain, sketch: Sketch, fqbn: Fqbn, work_dir: Path,
                            hex_out: Path | None, started: float) -> CompileResult | None:
        if fqbn.arch != "avr":
            return None
        spec = read_board(toolchain.platform_dir, fqbn)
        if spec is None:
            if fqbn.vendor == "arduino":
                raise UsageError(f"There is no board {fqbn.board!r} in the Arduino AVR platform: "
                                 f"use an FQBN such as {DEFAULT_BOARD} or arduino:avr:nano.")
            return None
        builder = self._avr_builders.get(toolchain.platform_dir)
        if builder is None:
            builder = AvrBuilder(toolchain, self.cache_dir, jobs=self._jobs)
            self._avr_builders[toolchain.platform_dir] = builder
        try:
            outcome = await builder.build(sketch, spec, work_dir / "avr", hex_out=hex_out)
        except RuntimeError as exc:
            # The Arduino core itself failed to build: nothing in the sketch can fix that.
            return CompileResult(
                status="no_toolchain", board=str(fqbn), toolchain=toolchain.label, duration_ms=_ms(started),
                hint=f"{exc} Reinstall the toolchain (gcc-avr, avr-libc, arduino-core-avr) or install arduino-cli.",
            )
        return CompileResult(
            status="errors" if outcome.diagnostics else "ok",
            board=str(fqbn),
            toolchain=toolchain.label,
            flash_bytes=outcome.flash_bytes,
            flash_max=spec.flash_max,
            ram_bytes=outcome.ram_bytes,
            ram_max=spec.ram_max,
            diagnostics=tuple(outcome.diagnostics),
            output=outcome.output[-_OUTPUT_LIMIT:],
            duration_ms=_ms(started),
            cached_core=outcome.cached_core,
        )


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
