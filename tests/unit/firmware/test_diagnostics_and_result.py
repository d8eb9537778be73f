from __future__ import annotations

from pathlib import Path

import pytest

from ohm_desktop.errors import UsageError
from ohm_desktop.firmware.arduino_cli import parse_cli_json
from ohm_desktop.firmware.boards import DEBIAN_AVR_PLATFORM, Fqbn, read_board
from ohm_desktop.firmware.compiler import SketchCompiler
from ohm_desktop.firmware.diagnostics import parse_gcc_output
from ohm_desktop.firmware.result import CompileDiagnostic, CompileResult
from ohm_desktop.firmware.sketch import Sketch
from ohm_desktop.firmware.toolchain import INSTALL_HINT, discover_toolchains


def test_gcc_errors_become_sketch_relative_locations(tmp_path: Path) -> None:
    root = tmp_path / "src" / "blink"
    output = (
        f"{root}/blink.ino: In function 'void loop()':\n"
        f"{root}/blink.ino:7:3: error: expected ';' before 'delay'\n"
        f"{root}/lib/motor.cpp:12: error: 'speed' was not declared in this scope\n"
        f"{root}/blink.ino:9:1: warning: unused variable 'x'\n"
        "/usr/share/arduino/hardware/arduino/avr/cores/arduino/Arduino.h:1:2: fatal error: foo.h: No such file\n"
        "/tmp/ccX.ltrans0.ltrans.o: In function `loop':\n"
        "<artificial>:(.text+0x2a): undefined reference to `missingFn()'\n"
    )
    found = parse_gcc_output(output, [root])
    assert [str(d) for d in found] == [
        "blink.ino:7:3: error: expected ';' before 'delay'",
        "lib/motor.cpp:12: error: 'speed' was not declared in this scope",
        "/usr/share/arduino/hardware/arduino/avr/cores/arduino/Arduino.h:1:2: error: foo.h: No such file",
        "(link): error: undefined reference to `missingFn()'",
    ]


def test_compile_result_round_trips_through_its_dict() -> None:
    result = CompileResult(
        status="errors", board="arduino:avr:uno", toolchain="avr-gcc 5.4.0",
        diagnostics=(CompileDiagnostic("oops", file="a.ino", line=3, column=1),),
        flash_max=32256, ram_max=2048, duration_ms=12,
    )
    data = result.to_dict()
    assert data["ok"] is False and data["errors"][0] == {
        "file": "a.ino", "line": 3, "column": 1, "severity": "error", "message": "oops"}
    assert CompileResult.from_dict(data) == result
    assert result.exit_code == 1
    report = result.debug_report(version_number=4, round_number=1, max_rounds=2)
    assert "code version 4" in report and "round 1 of 2" in report and "a.ino:3:1: error: oops" in report


def test_arduino_cli_json_report_gives_sizes_and_errors(tmp_path: Path) -> None:
    ok = parse_cli_json(
        '{"compiler_out": "Sketch uses 924 bytes", "compiler_err": "", "success": true, "builder_result": '
        '{"executable_sections_size": [{"name": "text", "size": 924, "max_size": 32256},'
        ' {"name": "data", "size": 9, "max_size": 2048}]}}', 0, [tmp_path])
    assert (ok.flash_bytes, ok.flash_max, ok.ram_bytes, ok.ram_max, ok.diagnostics) == (924, 32256, 9, 2048, [])
    failed = parse_cli_json(
        '{"compiler_err": "' + str(tmp_path) + '/s.ino:2:1: error: boom\\n", "success": false}', 1, [tmp_path])
    assert [str(d) for d in failed.diagnostics] == ["s.ino:2:1: error: boom"]
    missing = parse_cli_json("Error: platform not installed: esp32:esp32", 1, [tmp_path])
    assert missing.platform_missing


def test_boards_txt_gives_mcu_limits_and_menu_options() -> None:
    if not (DEBIAN_AVR_PLATFORM / "boards.txt").is_file():
        pytest.skip("arduino-core-avr is not installed")
    uno = read_board(DEBIAN_AVR_PLATFORM, Fqbn.parse("arduino:avr:uno"))
    assert uno is not None and (uno.mcu, uno.flash_max, uno.ram_max) == ("atmega328p", 32256, 2048)
    old_nano = read_board(DEBIAN_AVR_PLATFORM, Fqbn.parse("arduino:avr:nano:cpu=atmega328old"))
    assert old_nano is not None and old_nano.upload_speed == 57600
    assert read_board(DEBIAN_AVR_PLATFORM, Fqbn.parse("arduino:avr:nosuchboard")) is None
    leonardo = read_board(DEBIAN_AVR_PLATFORM, Fqbn.parse("arduino:avr:leonardo"))
    assert leonardo is not None and "-DUSB_VID=0x2341" in leonardo.extra_flags
    assert '-DUSB_PRODUCT="Arduino Leonardo"' in leonardo.extra_flags
    assert uno.extra_flags == ()


def test_bad_fqbn_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="FQBN"):
        Fqbn.parse("uno")


async def test_no_toolchain_gives_an_install_hint_and_nothing_breaks(tmp_path: Path) -> None:
    assert discover_toolchains(search_path=str(tmp_path)) == []
    compiler = SketchCompiler(tmp_path / "cache", toolchains=discover_toolchains(search_path=str(tmp_path)))
    result = await compiler.compile(Sketch.from_code_content({"files": [{"path": "s.ino", "content": "x"}]}))
    assert result.status == "no_toolchain" and result.exit_code == 3
    assert result.hint == INSTALL_HINT and "apt install gcc-avr" in result.summary()
