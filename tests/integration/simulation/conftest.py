"""Real simulations: the Debian AVR toolchain compiles, Ohm's harness on Debian's libsimavr runs."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from ohm_desktop.firmware.compiler import SketchCompiler
from ohm_desktop.simulation import HarnessBuilder, Simulator, SimulatorMissingError
from tests.integration.firmware.conftest import avr_toolchain, compiler, shared_core_cache

__all__ = ["avr_toolchain", "compiler", "harness", "shared_core_cache", "simulator"]


@pytest.fixture(scope="session")
def harness(shared_core_cache: Path) -> HarnessBuilder:
    """The harness, built once per session into the shared cache (CI must have simavr: .ci/run)."""
    builder = HarnessBuilder(shared_core_cache)
    try:
        asyncio.run(builder.ensure())
    except SimulatorMissingError as exc:
        if os.environ.get("CI") == "true" or shutil.which("simavr"):
            pytest.fail(exc.message)
        pytest.skip(exc.message)
    return builder


@pytest.fixture
def simulator(compiler: SketchCompiler, harness: HarnessBuilder) -> Simulator:
    return Simulator(compiler, harness)
