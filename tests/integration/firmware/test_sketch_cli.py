from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ohm_desktop.firmware.toolchain import AvrGccToolchain
from tests.integration.firmware.conftest import BROKEN_SKETCH, GOOD_SKETCH


def _ohm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ohm_desktop.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"{name}.ino").write_text(text)
    return folder


def test_check_exit_codes_and_json(avr_toolchain: AvrGccToolchain, tmp_path: Path) -> None:
    good = _ohm("sketch", "check", str(_folder(tmp_path, "good", GOOD_SKETCH)), "--board", "arduino:avr:uno")
    assert good.returncode == 0, good.stderr
    assert "Compiled for arduino:avr:uno" in good.stdout and "flash" in good.stdout

    broken_ino = _folder(tmp_path, "broken", BROKEN_SKETCH) / "broken.ino"
    broken = _ohm("sketch", "check", str(broken_ino), "--json")
    assert broken.returncode == 1
    report = json.loads(broken.stdout)
    assert report["ok"] is False and report["status"] == "errors"
    assert report["errors"][0]["file"] == "broken.ino" and report["errors"][0]["line"] == 7


def test_check_without_toolchain_exits_3_with_install_hint(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}
    result = _ohm("sketch", "check", str(_folder(tmp_path, "s", GOOD_SKETCH)), env=env)
    assert result.returncode == 3
    assert "apt install gcc-avr" in result.stderr and "arduino-cli" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--board", "nonsense"], "FQBN"),
    (["--board", "arduino:avr:nosuchboard"], "no board"),
])
def test_bad_board_is_a_usage_error(avr_toolchain: AvrGccToolchain, tmp_path: Path, args: list[str],
                                    message: str) -> None:
    result = _ohm("sketch", "check", str(_folder(tmp_path, "s", GOOD_SKETCH)), *args)
    assert result.returncode == 2 and message in result.stderr
