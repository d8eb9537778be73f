"""``ohm sketch simulate``: exit codes, the JSON shape, and --chat taking the design's parts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ohm_desktop.config import Paths
from ohm_desktop.firmware.toolchain import AvrGccToolchain
from ohm_desktop.simulation import HarnessBuilder
from ohm_desktop.store import LocalStore
from tests.support import line_follower

SERIAL_SKETCH = 'void setup() { Serial.begin(115200); Serial.println("adc=" + String(analogRead(A0))); }\nvoid loop() {}\n'


def _ohm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ohm_desktop.cli", *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / f"{name}.ino").write_text(text)
    return folder


def test_simulate_prints_serial_and_json(avr_toolchain: AvrGccToolchain, harness: HarnessBuilder,
                                         tmp_path: Path) -> None:
    folder = _folder(tmp_path, "adc", SERIAL_SKETCH)
    plain = _ohm("sketch", "simulate", str(folder), "--seconds", "0.2", "--input", "A0=1.0V")
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("adc=204") and "simulated Arduino Uno" in plain.stderr

    as_json = _ohm("sketch", "simulate", str(folder), "--seconds", "0.2", "--input", "A0=2500mV", "--json")
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert set(report) >= {"serial", "pins", "simulated_s", "wall_s", "board", "inputs", "peripherals", "stopped"}
    assert report["serial"].startswith("adc=51") and report["stopped"] == "time"
    assert report["board"] == "arduino:avr:uno" and report["inputs"] == [{"pin": "A0", "volts": 2.5}]
    assert report["simulated_s"] >= 0.2


def test_simulate_exit_codes(avr_toolchain: AvrGccToolchain, harness: HarnessBuilder, tmp_path: Path) -> None:
    broken = _ohm("sketch", "simulate", str(_folder(tmp_path, "broken", "void setup() { nope(); }\nvoid loop() {}\n")))
    assert broken.returncode == 1 and "broken.ino:1" in broken.stdout
    folder = _folder(tmp_path, "ok", SERIAL_SKETCH)
    for bad in (["--input", "A0=9V"], ["--input", "D99=LOW"], ["--input", "nonsense"], ["--seconds", "0"], []):
        args = [str(folder), *bad] if bad else []
        result = _ohm("sketch", "simulate", *args)
        assert result.returncode == 2, (bad, result.stderr)
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    esp32 = _ohm("sketch", "simulate", str(folder), "--board", "esp32:esp32:esp32")
    assert esp32.returncode == 3 and "not simulated" in esp32.stderr and "wokwi" in esp32.stderr


def test_simulate_without_simulator_exits_3_with_install_hint(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}
    result = _ohm("sketch", "simulate", str(_folder(tmp_path, "s", SERIAL_SKETCH)), env=env)
    assert result.returncode == 3
    assert "apt install simavr libsimavr-dev gcc" in result.stderr


def test_simulate_chat_uses_its_code_bom_and_wiring(avr_toolchain: AvrGccToolchain, harness: HarnessBuilder) -> None:
    store = LocalStore.open(Paths.from_environment().database)
    chat = store.create_chat("Line follower")
    store.write_version(chat.id, "bom", line_follower.BOM, change_summary="parts", created_by="Parts Planner")
    store.write_version(chat.id, "wiring", line_follower.WIRING, change_summary="wires", created_by="Wiring Planner")
    store.write_version(chat.id, "code", line_follower.CODE, change_summary="code", created_by="Firmware Engineer")
    store.close()
    result = _ohm("sketch", "simulate", "--chat", chat.id[:8], "--seconds", "0.5", "--input", "A1=4V",
                  "--input", "U4=42cm", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["not_simulated"] == ["U5 DHT11"]
    kinds = {p["designator"]: p["kind"] for p in report["peripherals"]}
    assert kinds["U2"] == "i2c" and kinds["S1"] == "analog" and kinds["U3"] == "observed"
    assert kinds["U4"] == "ultrasonic" and {"part": "U4", "distance_cm": 42.0} in report["inputs"]
    # Sensors default to mid-scale (2.5 V -> 511), the centre one was set to 4 V; the IMU answers.
    assert "L=511 C=818 R=511 az=16384 d=4" in report["serial"]  # the HC-SR04 echoes 42 cm (41 after rounding)
    assert any(p["pin"] == "D5" and p["level"] == 1 for p in report["pins"])  # both motors enabled
