"""Firmware compiled by Ohm runs on the simulated board: serial, ADC, I2C, watchdog, time limits."""

from __future__ import annotations

import re

from ohm_desktop.firmware.sketch import Sketch, SketchFile
from ohm_desktop.simulation import (
    PinInput,
    SimulationControl,
    SimulationRequest,
    Simulator,
    parse_input,
    sim_board,
)
from ohm_desktop.simulation.peripherals import DesignPeripherals, Peripheral, bme280, display_sink, mpu6050
from ohm_desktop.simulation.protocol import HarnessEvent, SerialBytes

UNO = sim_board("arduino:avr:uno")


def sketch(body: str) -> Sketch:
    return Sketch("s", (SketchFile("s.ino", body),))


async def test_serial_output_and_pin_changes_are_captured(simulator: Simulator) -> None:
    result = await simulator.run(SimulationRequest(sketch("""
void setup() { Serial.begin(115200); pinMode(13, OUTPUT); Serial.println("hello from the board"); }
void loop() { digitalWrite(13, HIGH); delay(50); digitalWrite(13, LOW); delay(50); }
"""), "arduino:avr:uno", seconds=0.5))
    assert result.stopped == "time" and result.simulated_s >= 0.5
    assert result.serial.startswith("hello from the board\r\n")
    levels = [p.level for p in result.pins if p.pin == "D13"]
    assert levels[:3] == [0, 1, 0] and len(levels) >= 9
    assert result.pin_stats["D13"].changes >= 8 and not result.resets


async def test_one_volt_on_a0_reads_204_on_a_5v_adc(simulator: Simulator) -> None:
    result = await simulator.run(SimulationRequest(sketch("""
void setup() { Serial.begin(115200); Serial.print("adc="); Serial.println(analogRead(A0)); }
void loop() {}
"""), "arduino:avr:uno", seconds=0.2, inputs=(parse_input("A0=1.0V", UNO),)))
    value = int(re.search(r"adc=(\d+)", result.serial)[1])  # type: ignore[index]
    assert abs(value - 204) <= 1


async def test_digital_input_and_an_input_changed_while_running(simulator: Simulator) -> None:
    control = SimulationControl()

    def on_event(event: HarnessEvent) -> None:
        # Change the inputs as soon as the firmware reported its first reading: no sleeping.
        if isinstance(event, SerialBytes) and b"d2=0 a1=" in event.data:
            control.set_input(PinInput("D2", level=1))
            control.set_input(PinInput("A1", volts=5.0))

    result = await simulator.run(SimulationRequest(sketch("""
void setup() { Serial.begin(115200); pinMode(2, INPUT_PULLUP); }
void loop() { Serial.print("d2="); Serial.print(digitalRead(2)); Serial.print(" a1=");
              Serial.println(analogRead(A1)); delay(20); }
"""), "arduino:avr:uno", seconds=0.5, inputs=(parse_input("D2=LOW", UNO), parse_input("A1=0V", UNO))),
        on_event=on_event, control=control)
    assert "d2=0 a1=0\r\n" in result.serial
    assert "d2=1 a1=1023\r\n" in result.serial


async def test_i2c_sensors_answer_at_their_addresses(simulator: Simulator) -> None:
    design = DesignPeripherals(peripherals=(
        Peripheral("U2", "MPU-6050", "i2c", 0x68, device=mpu6050()),
        Peripheral("U3", "BME280", "i2c", 0x76, device=bme280()),
        Peripheral("U4", "SSD1306", "i2c_sink", 0x3C, device=display_sink(0x3C, "SSD1306")),
    ))
    result = await simulator.run(SimulationRequest(sketch("""
#include <Wire.h>
byte readReg(byte addr, byte reg) {
  Wire.beginTransmission(addr); Wire.write(reg); Wire.endTransmission(false);
  Wire.requestFrom(addr, (byte)1); return Wire.available() ? Wire.read() : 0xEE;
}
void setup() {
  Serial.begin(115200); Wire.begin();
  Serial.print("who="); Serial.println(readReg(0x68, 0x75), HEX);
  Wire.beginTransmission(0x68); Wire.write(0x3F); Wire.endTransmission();
  Wire.requestFrom(0x68, 2); int az = (Wire.read() << 8) | Wire.read();
  Serial.print("az="); Serial.println(az);
  Serial.print("bme="); Serial.println(readReg(0x76, 0xD0), HEX);
  Wire.beginTransmission(0x3C); Wire.write(0x00); Wire.write(0xAE); Wire.write(0xAF);
  Serial.print("oled="); Serial.println(Wire.endTransmission());
  Wire.beginTransmission(0x69); Serial.print("absent="); Serial.println(Wire.endTransmission() != 0);
}
void loop() {}
"""), "arduino:avr:uno", seconds=0.3, design=design))
    assert "who=68\r\n" in result.serial
    assert "az=16384\r\n" in result.serial
    assert "bme=60\r\n" in result.serial
    assert "oled=0\r\n" in result.serial and result.i2c_traffic[0x3C] == (0, 3)
    assert "absent=1\r\n" in result.serial
    assert 0x69 in result.i2c_no_answer and result.i2c_traffic[0x68][0] >= 3


async def test_a_watchdog_reset_is_detected(simulator: Simulator) -> None:
    result = await simulator.run(SimulationRequest(sketch("""
#include <avr/wdt.h>
void setup() { Serial.begin(115200); Serial.println("boot"); wdt_enable(WDTO_15MS); }
void loop() { /* never pats the dog */ }
"""), "arduino:avr:uno", seconds=0.2))
    assert result.resets and result.resets[0].cause == "watchdog"
    assert 10 <= result.resets[0].t_ms <= 40
    assert result.serial.count("boot") >= 2  # it booted again after the reset
    assert "watchdog resets" in result.summary()


async def test_a_jump_outside_the_program_is_a_crash(simulator: Simulator) -> None:
    result = await simulator.run(SimulationRequest(sketch("""
void setup() { Serial.begin(115200); Serial.println("before"); Serial.flush();
               void (*nowhere)() = (void (*)())0x3FF0; nowhere(); }
void loop() {}
"""), "arduino:avr:uno", seconds=1.0))
    assert result.serial.startswith("before")
    assert result.stopped == "crash" and result.crash_pc is not None
    assert "crashed" in result.summary()


async def test_a_setup_that_never_returns_still_ends_on_time(simulator: Simulator) -> None:
    result = await simulator.run(SimulationRequest(sketch("""
void setup() { Serial.begin(115200); Serial.println("stuck"); while (true) {} }
void loop() { Serial.println("never"); }
"""), "arduino:avr:uno", seconds=0.5))
    assert result.stopped == "time" and 0.5 <= result.simulated_s < 0.51
    assert "stuck" in result.serial and "never" not in result.serial


async def test_stop_ends_a_run_early(simulator: Simulator) -> None:
    control = SimulationControl()

    def on_event(event: HarnessEvent) -> None:
        if isinstance(event, SerialBytes):
            control.stop()

    result = await simulator.run(SimulationRequest(sketch("""
void setup() { Serial.begin(115200); }
void loop() { Serial.println("tick"); delay(10); }
"""), "arduino:avr:uno", seconds=60.0), on_event=on_event, control=control)
    assert result.stopped == "stopped" and result.simulated_s < 60


async def test_a_sketch_that_does_not_compile_is_not_run(simulator: Simulator) -> None:
    result = await simulator.run(SimulationRequest(sketch("void setup() { nope(); }\nvoid loop() {}\n"),
                                                   "arduino:avr:uno", seconds=0.2))
    assert result.stopped == "not_compiled"
    assert result.compile is not None and result.compile.status == "errors"


async def test_mega_serial_and_pin_names(simulator: Simulator) -> None:
    result = await simulator.run(SimulationRequest(sketch("""
void setup() { Serial.begin(115200); pinMode(53, OUTPUT); digitalWrite(53, HIGH); Serial.println("mega"); }
void loop() {}
"""), "arduino:avr:mega", seconds=0.1))
    assert "mega" in result.serial
    assert any(p.pin == "D53" and p.level == 1 for p in result.pins)


async def test_leonardo_shows_serial1_and_says_usb_serial_is_not_simulated(simulator: Simulator) -> None:
    result = await simulator.run(SimulationRequest(sketch("""
void setup() { Serial1.begin(115200); Serial1.println("leo"); pinMode(13, OUTPUT); digitalWrite(13, HIGH); }
void loop() {}
"""), "arduino:avr:leonardo", seconds=0.2))
    assert result.serial == "leo\r\n" and result.pin_stats["D13"].last_level == 1
    assert any("USB Serial is not simulated" in note for note in result.notes)


async def test_serial_input_reaches_the_firmware(simulator: Simulator) -> None:
    control = SimulationControl()

    def on_event(event: HarnessEvent) -> None:
        if isinstance(event, SerialBytes) and b"ready" in event.data:
            control.send_serial(b"ping\n")

    result = await simulator.run(SimulationRequest(sketch("""
void setup() { Serial.begin(115200); Serial.println("ready"); }
void loop() { if (Serial.available()) { String line = Serial.readStringUntil('\\n'); Serial.println("got " + line); } }
"""), "arduino:avr:uno", seconds=0.5), on_event=on_event, control=control)
    assert "got ping\r\n" in result.serial
