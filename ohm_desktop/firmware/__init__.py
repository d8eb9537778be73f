"""Bench-side firmware tools: compile checks of sketches and the compile-in-the-loop repair.

Qt-free. ``SketchCompiler`` compiles a sketch for a board with arduino-cli or Debian's AVR
toolchain; ``CompileLoop`` checks every new code version and feeds errors to the DEBUG agent.
"""

from pathlib import Path

from ohm_desktop.firmware.compile_loop import AskDebug, CompileLoop, CompileUpdate
from ohm_desktop.firmware.compiler import SketchCompiler
from ohm_desktop.firmware.result import CompileDiagnostic, CompileResult
from ohm_desktop.firmware.results_store import CompileResultStore
from ohm_desktop.firmware.sketch import Sketch
from ohm_desktop.firmware.toolchain import INSTALL_HINT, discover_toolchains

__all__ = [
    "INSTALL_HINT",
    "AskDebug",
    "CompileDiagnostic",
    "CompileLoop",
    "CompileResult",
    "CompileResultStore",
    "CompileUpdate",
    "Sketch",
    "SketchCompiler",
    "cache_dir_for",
    "discover_toolchains",
]


def cache_dir_for(data_dir: Path) -> Path:
    """Where compiled Arduino cores are cached: ``<data dir>/firmware-cache``."""
    return data_dir / "firmware-cache"
