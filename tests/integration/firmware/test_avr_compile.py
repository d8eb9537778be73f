from __future__ import annotations

from pathlib import Path

import pytest

from ohm_desktop.firmware.compiler import SketchCompiler
from ohm_desktop.firmware.sketch import Sketch
from ohm_desktop.firmware.toolchain import AvrGccToolchain
from tests.integration.firmware.conftest import BROKEN_SKETCH, GOOD_SKETCH


def _sketch(text: str, name: str = "sketch.ino") -> Sketch:
    return Sketch.from_code_content({"board": "arduino:avr:uno", "files": [{"path": name, "content": text}]})


async def test_known_good_sketch_compiles_for_uno_with_memory_use(compiler: SketchCompiler) -> None:
    result = await compiler.compile(_sketch(GOOD_SKETCH), "arduino:avr:uno")
    assert result.status == "ok", result.output
    assert result.toolchain is not None and result.toolchain.startswith("avr-gcc")
    assert result.flash_max == 32256 and result.ram_max == 2048
    assert result.flash_bytes is not None and 1000 < result.flash_bytes < result.flash_max
    assert result.ram_bytes is not None and 100 < result.ram_bytes < result.ram_max
    assert result.errors == ()


@pytest.mark.parametrize(("board", "flash_max"), [("arduino:avr:mega", 253952), ("arduino:avr:leonardo", 28672)])
async def test_other_avr_boards_compile_with_their_own_limits(compiler: SketchCompiler, board: str,
                                                              flash_max: int) -> None:
    result = await compiler.compile(_sketch(GOOD_SKETCH), board)
    assert result.ok, result.output[-2000:]
    assert result.board == board and result.flash_max == flash_max


async def test_known_broken_sketch_reports_errors_at_the_ino_line(compiler: SketchCompiler) -> None:
    result = await compiler.compile(_sketch(BROKEN_SKETCH, "broken.ino"), "arduino:avr:uno")
    assert result.status == "errors" and result.exit_code == 1
    first = result.errors[0]
    assert (first.file, first.line) == ("broken.ino", 7)
    assert "undefinedDelay" in first.message
    assert result.flash_bytes is None
    assert "/tmp/" not in result.output  # temporary build paths are not shown to the user


async def test_errors_in_a_second_tab_and_a_cpp_file_map_to_their_files(compiler: SketchCompiler) -> None:
    sketch = Sketch.from_code_content({"files": [
        {"path": "main.ino", "content": "#include \"motor.h\"\nvoid setup() { spin(); }\nvoid loop() { tab(); }\n"},
        {"path": "tabs.ino", "content": "void tab() {\n  int x = ;\n}\n"},
        {"path": "motor.h", "content": "#pragma once\nvoid spin();\n"},
        {"path": "motor.cpp", "content": "#include \"motor.h\"\nvoid spin() {\n  return 5\n}\n"},
    ]})
    result = await compiler.compile(sketch, "arduino:avr:uno")
    locations = {(d.file, d.line) for d in result.errors}
    assert ("tabs.ino", 2) in locations
    assert any(file == "motor.cpp" for file, _ in locations)


async def test_link_errors_are_reported_without_a_file(compiler: SketchCompiler) -> None:
    result = await compiler.compile(_sketch("void neverDefined();\nvoid setup() { neverDefined(); }\nvoid loop() {}\n"))
    assert result.status == "errors"
    assert any("undefined reference" in d.message and d.file is None for d in result.errors)


async def test_core_is_compiled_once_per_board_then_reused(avr_toolchain: AvrGccToolchain, tmp_path: Path) -> None:
    compiler = SketchCompiler(tmp_path / "cache", toolchains=[avr_toolchain])
    cold = await compiler.compile(_sketch(GOOD_SKETCH))
    warm = await SketchCompiler(tmp_path / "cache", toolchains=[avr_toolchain]).compile(_sketch(GOOD_SKETCH))
    assert cold.ok and warm.ok
    assert (cold.cached_core, warm.cached_core) == (False, True)
    assert (warm.flash_bytes, warm.ram_bytes) == (cold.flash_bytes, cold.ram_bytes)
    assert len(list((tmp_path / "cache" / "core").iterdir())) == 1


async def test_hex_file_is_written_for_upload(compiler: SketchCompiler, tmp_path: Path) -> None:
    hex_file = tmp_path / "out" / "sketch.hex"
    hex_file.parent.mkdir()
    result = await compiler.compile(_sketch(GOOD_SKETCH), hex_out=hex_file)
    assert result.ok
    assert hex_file.read_text().startswith(":")
