"""The simulation's pure parts: pin names, inputs, the harness protocol, design peripherals, caps."""

from __future__ import annotations

import struct

import pytest

from ohm_desktop.errors import UsageError
from ohm_desktop.simulation import SimulatorMissingError, from_design, parse_input, sim_board
from ohm_desktop.simulation.peripherals import bme280, mpu6050
from ohm_desktop.simulation.protocol import End, PinChange, Reset, SerialBytes, parse_line
from ohm_desktop.simulation.result import PIN_CAP, SERIAL_CAP, SimulationResult
from tests.support import line_follower


def test_pin_names_follow_each_boards_pins_arduino_h() -> None:
    uno, mega, leonardo = sim_board("arduino:avr:uno"), sim_board("arduino:avr:mega"), sim_board("arduino:avr:leonardo")
    assert (uno.mcu, uno.f_cpu) == ("atmega328p", 16_000_000)
    assert uno.pin_name("B5") == "D13" and uno.pin_name("C0") == "A0" and uno.port_of("D2") == "D2"
    assert mega.mcu == "atmega2560" and mega.pin_name("B7") == "D13" and mega.pin_name("F0") == "A0"
    assert mega.analog_pin("A15").channel == 15  # type: ignore[union-attr]
    assert leonardo.mcu == "atmega32u4" and leonardo.pin_name("C7") == "D13"
    assert leonardo.analog_pin("A0").channel == 7 and leonardo.console_uart == "1"  # type: ignore[union-attr]
    assert sim_board("arduino:avr:nano:cpu=atmega328old").mcu == "atmega328p"
    assert sim_board("arduino:avr:pro:cpu=8MHzatmega328").f_cpu == 8_000_000


@pytest.mark.parametrize("fqbn", ["esp32:esp32:esp32", "rp2040:rp2040:rpipico", "arduino:avr:yun"])
def test_boards_simavr_cannot_run_say_so_and_point_to_wokwi(fqbn: str) -> None:
    with pytest.raises(SimulatorMissingError, match=r"not simulated here.*Wokwi") as caught:
        sim_board(fqbn)
    assert caught.value.exit_code == 3


def test_inputs_parse_volts_and_levels_or_say_what_is_wrong() -> None:
    uno = sim_board("arduino:avr:uno")
    assert parse_input("A0=1.0V", uno).volts == 1.0
    assert parse_input("a3=2500mV", uno).volts == 2.5
    assert parse_input("D2=LOW", uno).level == 0 and parse_input("13=HIGH", uno).pin == "D13"
    assert parse_input("D2=released", uno).level is None and parse_input("A0=HIGH", uno).level == 1
    for bad, message in [("A0", "PIN=VALUE"), ("A0=7V", "outside"), ("D2=1.5V", "not an analog"),
                         ("D40=LOW", "no digital pin"), ("A0=loud", "no value")]:
        with pytest.raises(UsageError, match=message):
            parse_input(bad, uno)


def test_ultrasonic_distance_inputs_name_a_sensor_of_the_design() -> None:
    uno = sim_board("arduino:avr:uno")
    assert parse_input("U4=30cm", uno, ("U4",)).distance_cm == 30
    assert parse_input("u4=0.5m", uno, ("U4",)).distance_cm == 50
    with pytest.raises(UsageError, match="not an ultrasonic sensor"):
        parse_input("U9=30cm", uno, ("U4",))
    with pytest.raises(UsageError, match=r"2\.\.400 cm"):
        parse_input("U4=900cm", uno, ("U4",))


def test_protocol_lines_parse_and_unknown_lines_are_ignored() -> None:
    assert parse_line("S 775 68690d0a\n") == SerialBytes(775, b"hi\r\n")
    assert parse_line("P 193 B5 1") == PinChange(193, "B5", 1)
    assert parse_line("W 15000 01a2") == Reset(15000, True, 0x1A2)
    assert parse_line("END time 1000017 16000275 0256") == End("time", 1000017, 16000275, 0x256)
    assert parse_line("FUTURE 1 2 3") is None and parse_line("S notanumber zz") is None and parse_line("") is None


def test_register_images_match_the_datasheets() -> None:
    imu = mpu6050(accel_g=(0.0, 0.5, 1.0))
    assert imu.registers[0x75] == 0x68 and imu.registers[0x6B] == 0x40
    assert struct.unpack(">3h", imu.registers[0x3B:0x41]) == (0, 8192, 16384)
    sensor = bme280()
    assert sensor.registers[0xD0] == 0x60 and bme280(chip_id=0x58).model == "BMP280"
    assert struct.unpack("<H", sensor.registers[0x88:0x8A]) == (27504,)  # dig_T1 of the datasheet example


def test_design_peripherals_come_from_bom_and_wiring() -> None:
    design = from_design(line_follower.BOM, line_follower.WIRING)
    by_ref = {p.designator: p for p in design.peripherals}
    assert by_ref["U2"].kind == "i2c" and by_ref["U2"].address == 0x68 and by_ref["U2"].pins == ("A4", "A5")
    assert by_ref["S2"].kind == "analog" and by_ref["S2"].pins == ("A1",)
    assert by_ref["U3"].kind == "observed" and design.output_pins["D5"].startswith("U3")
    assert design.not_simulated == ("U5 DHT11",)  # once, and the resistor/motor are not listed
    assert design.analog_pins == ["A0", "A1", "A2"]
    sonar = by_ref["U4"]
    assert sonar.kind == "ultrasonic" and (sonar.board_pin("TRIG"), sonar.board_pin("ECHO")) == ("D11", "D12")
    assert "D12" in design.design_pins and "U1" not in by_ref


def test_serial_and_pin_logs_are_capped_and_say_what_was_dropped() -> None:
    result = SimulationResult(board=sim_board("arduino:avr:uno"))
    line = b"x" * 99 + b"\n"
    for index in range(2 * SERIAL_CAP // len(line)):
        result.record(SerialBytes(index, line))
    for index in range(PIN_CAP + 10):
        result.record(PinChange(index, "B5", index % 2))
    assert len(result.serial) <= SERIAL_CAP and result.serial.endswith("x\n")
    assert len(result.pins) == PIN_CAP and result.pins_dropped == 10
    assert result.pin_stats["D13"].changes == PIN_CAP + 9  # counted over the whole run
    assert any("serial output were dropped" in n for n in result.notes)
    assert any("10 earlier pin changes" in n for n in result.notes)
