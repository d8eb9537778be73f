from __future__ import annotations

import os
from pathlib import Path

import pytest

from ohm_desktop.errors import UsageError
from ohm_desktop.firmware.boards import DEBIAN_AVR_PLATFORM
from ohm_desktop.serial_monitor import UploadToolMissingError, plan_upload


def _tool(folder: Path, name: str) -> None:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)


def test_avrdude_plan_uses_the_boards_protocol_speed_and_the_port(tmp_path: Path) -> None:
    if not (DEBIAN_AVR_PLATFORM / "boards.txt").is_file():
        pytest.skip("arduino-core-avr is not installed")
    _tool(tmp_path / "bin", "avrdude")
    plan = plan_upload("arduino:avr:uno", "/dev/ttyACM0", Path("/x/s.hex"), search_path=str(tmp_path / "bin"))
    assert plan.tool == "avrdude"
    assert plan.argv[1:] == ("-p", "atmega328p", "-c", "arduino", "-P", "/dev/ttyACM0", "-b", "115200", "-D",
                             "-U", "flash:w:/x/s.hex:i")
    assert plan.description == "Upload to arduino:avr:uno on /dev/ttyACM0 with avrdude"


def test_arduino_cli_is_preferred_when_installed(tmp_path: Path) -> None:
    _tool(tmp_path / "bin", "avrdude")
    _tool(tmp_path / "bin", "arduino-cli")
    plan = plan_upload("arduino:avr:nano", "COM3", Path("s.hex"), search_path=str(tmp_path / "bin"))
    assert plan.tool == "arduino-cli"
    assert plan.argv[1:] == ("upload", "-p", "COM3", "--fqbn", "arduino:avr:nano", "--input-file", "s.hex")


def test_no_upload_tool_or_no_port_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UploadToolMissingError, match="apt install avrdude"):
        plan_upload("arduino:avr:uno", "/dev/ttyACM0", Path("s.hex"), search_path=str(tmp_path))
    with pytest.raises(UsageError, match="serial port"):
        plan_upload("arduino:avr:uno", "", Path("s.hex"), search_path=os.defpath)
