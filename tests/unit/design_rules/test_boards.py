"""Boards: AVR pins come from the installed core's headers, the others from the shipped data."""

from __future__ import annotations

from pathlib import Path

import pytest

from ohm_desktop.design_rules import find_board
from ohm_desktop.design_rules.avr_core import DEBIAN_AVR_PLATFORM, read_avr_boards
from ohm_desktop.design_rules.c_macros import Macros, evaluate, read_header

needs_core = pytest.mark.skipif(not (DEBIAN_AVR_PLATFORM / "boards.txt").is_file(),
                                reason="Debian's arduino-core-avr is not installed")


@needs_core
def test_uno_pins_read_from_the_installed_core() -> None:
    uno = find_board("arduino:avr:uno")
    assert uno is not None and uno.mcu == "atmega328p"
    assert [p.name for p in uno.pins_with("pwm")] == ["D3", "D5", "D6", "D9", "D10", "D11"]
    assert [p.name for p in uno.pins_with("interrupt")] == ["D2", "D3"]
    assert uno.pin("SDA") is uno.pin("A4") is uno.pin("18") is uno.pin("D18")
    assert uno.pin("13") is uno.pin("LED_BUILTIN") is uno.pin("SCK")
    assert uno.pin("D20") is None  # the Uno has A0-A5 only
    five = uno.pin("5V")
    assert five is not None and five.type == "power_out" and five.voltage == 5.0


@needs_core
def test_nano_a6_a7_are_analog_only_and_mega_has_more_interrupts() -> None:
    nano = find_board("arduino:avr:nano:cpu=atmega328old")
    assert nano is not None
    a6 = nano.pin("A6")
    assert a6 is not None and a6.has("analog") and not a6.has("digital")
    mega = find_board("Arduino Mega 2560")
    assert mega is not None
    assert {p.number for p in mega.pins_with("interrupt")} == {2, 3, 18, 19, 20, 21}
    assert mega.pin("SDA") is mega.pin("D20")


def test_names_pick_the_longest_matching_board() -> None:
    every = find_board("Arduino Nano Every")
    assert every is not None and every.id == "nona4809"
    assert find_board("ESP32 DevKit V1 (30 pin)").id == "esp32"  # type: ignore[union-attr]
    assert find_board("10k resistor") is None


def test_shipped_boards_know_3v3_logic_and_input_only_pins() -> None:
    esp32 = find_board("esp32:esp32:esp32")
    assert esp32 is not None and esp32.logic_v == 3.3 and not esp32.five_volt_tolerant
    gpio34 = esp32.pin("34")
    assert gpio34 is not None and gpio34.has("input_only") and not gpio34.has("pwm")
    pico = find_board("Raspberry Pi Pico")
    assert pico is not None and pico.pin("GP26") is pico.pin("A0")
    nodemcu = find_board("NodeMCU ESP8266")
    assert nodemcu is not None and nodemcu.pin("D1") is nodemcu.pin("GPIO5") is nodemcu.pin("SCL")


def test_macro_reader_follows_includes_and_mcu_conditionals(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "pins_arduino.h").write_text(
        "#define NUM_DIGITAL_PINS 4\n#if defined(__AVR_ATmega8__)\n#define digitalPinHasPWM(p) ((p) == 1)\n"
        "#else\n#define digitalPinHasPWM(p) ((p) == 2 || (p) == 3)\n#endif\n"
        "#define digitalPinToInterrupt(p) ((p) == 2 ? 0 : NOT_AN_INTERRUPT)\n")
    (tmp_path / "child").mkdir()
    (tmp_path / "child" / "pins_arduino.h").write_text('#include "../base/pins_arduino.h"\n#undef NUM_DIGITAL_PINS\n'
                                                       "#define NUM_DIGITAL_PINS 6\n")
    macros = read_header(tmp_path / "child" / "pins_arduino.h", Macros(), frozenset())
    assert macros.value("NUM_DIGITAL_PINS") == 6
    assert [p for p in range(6) if macros.value("digitalPinHasPWM", p)] == [2, 3]
    assert macros.value("digitalPinToInterrupt", 3) == -1
    assert evaluate("(1 < 2) ? 7 - 2 * 3 : 0", macros, {}) == 1


def test_a_platform_without_the_header_yields_no_boards(tmp_path: Path) -> None:
    (tmp_path / "boards.txt").write_text("uno.name=Arduino Uno\nuno.build.mcu=atmega328p\nuno.build.variant=standard\n")
    assert read_avr_boards(tmp_path) == []


@needs_core
def test_pin_names_with_notes_and_two_functions_resolve() -> None:
    uno = find_board("arduino:avr:uno")
    assert uno is not None
    assert uno.pin("D9 (PWM)") is uno.pin("9")
    assert uno.pin("A4/SDA") is uno.pin("A4")
    assert uno.pin("Pin 13") is uno.pin("13")
