"""Exported sketch folders compile with ``ohm sketch check`` (and arduino-cli when installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ohm_desktop.artifacts.export import Design, export_design
from ohm_desktop.firmware.toolchain import AvrGccToolchain, discover_toolchains
from tests.support.design_corpus import CORPUS, TRAFFIC_LIGHT, CorpusDesign

AVR_DESIGNS = [design for design in CORPUS if design.avr]


@pytest.fixture(scope="module")
def avr_toolchain() -> AvrGccToolchain:
    found = [t for t in discover_toolchains() if isinstance(t, AvrGccToolchain)]
    if not found:
        reason = "the Debian AVR toolchain is not installed (apt install gcc-avr avr-libc binutils-avr arduino-core-avr)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found[0]


def _export(design: CorpusDesign, folder: Path) -> Path:
    result = export_design("code", design.code, "arduino", folder / design.name,
                           Design(design.bom, design.code, design.wiring))
    return result.files[0].parent


@pytest.mark.parametrize("design", AVR_DESIGNS, ids=lambda d: d.name)
def test_exported_folder_compiles_with_ohm_sketch_check_for_its_own_board(
    design: CorpusDesign, tmp_path: Path, avr_toolchain: AvrGccToolchain
) -> None:
    folder = _export(design, tmp_path)
    # No --board: the board comes from the exported sketch.yaml, as arduino-cli would take it.
    done = subprocess.run([sys.executable, "-m", "ohm_desktop.cli", "sketch", "check", str(folder)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert design.code["board"] in done.stdout


def test_beep_with_a_default_argument_defined_after_use_compiles(tmp_path: Path,
                                                                 avr_toolchain: AvrGccToolchain) -> None:
    assert "void beep(int ms = 100)" in TRAFFIC_LIGHT.code["files"][0]["content"]
    folder = _export(TRAFFIC_LIGHT, tmp_path)
    done = subprocess.run([sys.executable, "-m", "ohm_desktop.cli", "sketch", "check", str(folder), "--json"],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("design", CORPUS, ids=lambda d: d.name)
def test_sketch_yaml_names_the_board_and_versioned_libraries(design: CorpusDesign, tmp_path: Path) -> None:
    document = yaml.safe_load((_export(design, tmp_path) / "sketch.yaml").read_text())
    assert document["default_fqbn"] == design.code["board"]
    profile = document["profiles"]["ohm"]
    assert profile["fqbn"] == design.code["board"]
    assert profile["platforms"] == [{"platform": ":".join(design.code["board"].split(":")[:2])}]
    for library in profile.get("libraries", []):
        name, version = library.rsplit(" (", 1)
        assert name and version.endswith(")") and version[0].isdigit()


def test_libraries_without_a_version_are_noted_not_invented(tmp_path: Path) -> None:
    [plant] = [d for d in CORPUS if d.name == "esp32-plant-monitor"]
    result = export_design("code", plant.code, "arduino", tmp_path / "plant")
    document = yaml.safe_load((tmp_path / "plant" / "sketch.yaml").read_text())
    assert document["profiles"]["ohm"]["libraries"] == ["OneWire (2.3.7)"]
    assert "DallasTemperature" in document["profiles"]["ohm"]["notes"]
    assert any("DallasTemperature" in notice for notice in result.notices)


@pytest.mark.skipif(shutil.which("arduino-cli") is None, reason="arduino-cli is not installed")
@pytest.mark.parametrize("design", AVR_DESIGNS, ids=lambda d: d.name)
def test_arduino_cli_compiles_the_exported_folder(design: CorpusDesign, tmp_path: Path) -> None:
    folder = _export(design, tmp_path)
    done = subprocess.run(["arduino-cli", "compile", str(folder)], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
