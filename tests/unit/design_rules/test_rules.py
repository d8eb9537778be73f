"""Every rule: a tiny design that fires it and a near twin that must not."""

from __future__ import annotations

from tests.unit.design_rules.builder import codes, findings

UNO = "U1=Arduino Uno R3"
ESP32 = "U1=ESP32 DevKit"
SETUP = "void setup() {{ {} }}\nvoid loop() {{ {} }}\n"


def sketch(setup: str, loop: str = "") -> str:
    return SETUP.format(setup, loop)


def test_power_short_to_ground() -> None:
    assert "power-short" in codes([UNO], ["U1.5V-U1.GND"])
    assert codes([UNO, "U2=HC-SR501 PIR sensor"], ["U1.5V-U2.VCC", "U1.GND-U2.GND", "U2.OUT-U1.D2"],
                 sketch("pinMode(2, INPUT);", "digitalRead(2);")) == []


def test_two_rails_wired_together() -> None:
    assert "rail-short" in codes([UNO], ["U1.5V-U1.3V3"])
    assert "rail-short" not in codes([UNO, "BT1=9V battery"], ["BT1.+-U1.VIN", "BT1.--U1.GND"])


def test_pin_the_board_does_not_have() -> None:
    assert "unknown-pin" in codes([UNO, "R1=Resistor@220"], ["U1.D20-R1.1"])
    assert "unknown-pin" in codes([UNO], [], sketch("pinMode(22, OUTPUT);"))
    assert "unknown-pin" not in codes([UNO, "R1=Resistor@220"], ["U1.D13-R1.1"], sketch("pinMode(13, OUTPUT);"))


def test_two_outputs_on_one_net() -> None:
    parts = [UNO, "U2=HC-SR04 ultrasonic sensor"]
    wires = ["U1.5V-U2.VCC", "U1.GND-U2.GND", "U2.ECHO-U1.D7", "U1.D8-U2.TRIG"]
    assert "output-conflict" in codes(parts, wires, sketch("pinMode(7, OUTPUT); pinMode(8, OUTPUT);"))
    assert "output-conflict" not in codes(parts, wires, sketch("pinMode(7, INPUT); pinMode(8, OUTPUT);"))


def test_analog_write_without_pwm_names_the_pwm_pins() -> None:
    parts = [UNO, "R1=Resistor@220", "D1=Red LED"]
    wires = ["U1.D7-R1.1", "R1.2-D1.A", "D1.K-U1.GND"]
    found = [f for f in findings(parts, wires, sketch("pinMode(7, OUTPUT);", "analogWrite(7, 128);"))
             if f.code == "no-pwm"]
    assert found and "D3, D5, D6, D9, D10 or D11" in found[0].message and found[0].location == "sketch.ino:2"
    wires9 = ["U1.D9-R1.1", "R1.2-D1.A", "D1.K-U1.GND"]
    assert "no-pwm" not in codes(parts, wires9, sketch("pinMode(9, OUTPUT);", "analogWrite(9, 128);"))


def test_analog_read_on_a_pin_without_adc() -> None:
    parts = [ESP32, "R1=potentiometer"]
    assert "no-analog" in codes(parts, ["U1.3V3-R1.1", "R1.2-U1.GPIO23", "R1.3-U1.GND"], sketch("", "analogRead(23);"),
                                board="esp32:esp32:esp32")
    assert "no-analog" not in codes(parts, ["U1.3V3-R1.1", "R1.2-U1.GPIO34", "R1.3-U1.GND"],
                                    sketch("", "analogRead(34);"), board="esp32:esp32:esp32")
    # On AVR analogRead(0) is channel A0.
    assert "no-analog" not in codes([UNO, "R1=potentiometer"], ["U1.5V-R1.1", "R1.2-U1.A0", "R1.3-U1.GND"],
                                    sketch("", "analogRead(0);"))


def test_interrupt_on_a_pin_without_one() -> None:
    parts = [UNO, "S1=push button"]
    body = "pinMode({0}, INPUT_PULLUP); attachInterrupt(digitalPinToInterrupt({0}), onPress, FALLING);"
    assert "no-interrupt" in codes(parts, ["U1.D4-S1.1", "S1.2-U1.GND"], sketch(body.format(4)))
    assert "no-interrupt" not in codes(parts, ["U1.D2-S1.1", "S1.2-U1.GND"], sketch(body.format(2)))


def test_output_on_an_input_only_pin() -> None:
    parts = [ESP32, "R1=Resistor@330", "D1=LED"]
    assert "input-only-pin" in codes(parts, ["U1.GPIO34-R1.1", "R1.2-D1.A", "D1.K-U1.GND"],
                                     sketch("pinMode(34, OUTPUT);"), board="esp32:esp32:esp32")
    assert "input-only-pin" not in codes(parts, ["U1.GPIO25-R1.1", "R1.2-D1.A", "D1.K-U1.GND"],
                                         sketch("pinMode(25, OUTPUT);"), board="esp32:esp32:esp32")


def test_i2c_on_the_wrong_pins() -> None:
    parts = [UNO, "U2=BME280 breakout"]
    power = ["U1.5V-U2.VIN", "U1.GND-U2.GND"]
    assert "wrong-i2c-pin" in codes(parts, [*power, "U2.SDA-U1.D2", "U2.SCL-U1.D3"])
    assert "wrong-i2c-pin" not in codes(parts, [*power, "U2.SDA-U1.A4", "U2.SCL-U1.A5"])


def test_spi_on_the_wrong_pins_when_the_sketch_uses_hardware_spi() -> None:
    parts = [UNO, "U2=nRF24L01", "U3=AMS1117-3.3"]
    power = ["U1.5V-U3.VIN", "U3.GND-U1.GND", "U3.VOUT-U2.VCC", "U2.GND-U1.GND", "U2.SCK-U1.D13",
             "U2.MISO-U1.D12", "U2.CSN-U1.D10", "U2.CE-U1.D9"]
    spi = "#include <SPI.h>\n" + sketch("SPI.begin();")
    assert "wrong-spi-pin" in codes(parts, [*power, "U2.MOSI-U1.D7"], spi)
    assert "wrong-spi-pin" not in codes(parts, [*power, "U2.MOSI-U1.D11"], spi)


def test_supply_range_of_a_bare_3v3_chip() -> None:
    wires = ["U2.VDD-U1.{}", "U2.GND-U1.GND", "U2.SDI-U1.A4", "U2.SCK-U1.A5", "U1.3V3-R1.1", "R1.2-U2.SDI",
             "U1.3V3-R2.1", "R2.2-U2.SCK"]
    parts = [UNO, "U2=BME280 chip", "R1=Resistor@4.7k", "R2=Resistor@4.7k"]
    assert "supply-range" in codes(parts, [w.format("5V") for w in wires])
    assert "supply-range" not in codes(parts, [w.format("3V3") for w in wires])


def test_3v3_only_input_on_5v_logic_and_5v_output_into_esp32() -> None:
    rfid = ["U2.3.3V-U1.3V3", "U2.GND-U1.GND", "U2.MOSI-U1.D11", "U2.MISO-U1.D12", "U2.SCK-U1.D13", "U2.SDA-U1.D10"]
    assert "logic-level" in codes([UNO, "U2=RC522 RFID module"], rfid)
    assert "logic-level" not in codes(["U1=Arduino Uno", "U2=nRF24L01"],
                                      ["U2.VCC-U1.3V3", "U2.GND-U1.GND", "U2.MOSI-U1.D11"])
    sonar = ["U2.VCC-U1.5V", "U2.GND-U1.GND", "U2.ECHO-U1.GPIO18", "U1.GPIO5-U2.TRIG"]
    assert "logic-level" in codes([ESP32, "U2=HC-SR04"], sonar, board="esp32:esp32:esp32")
    pir = ["U2.VCC-U1.5V", "U2.GND-U1.GND", "U2.OUT-U1.GPIO18"]
    assert "logic-level" not in codes([ESP32, "U2=HC-SR501 PIR sensor"], pir, board="esp32:esp32:esp32")


def test_bare_i2c_chip_needs_pull_ups_breakout_does_not() -> None:
    base = ["U2.VDD-U1.3V3", "U2.VDDIO-U1.3V3", "U2.GND-U1.GND", "U2.SDI-U1.GPIO21", "U2.SCK-U1.GPIO22"]
    assert "i2c-no-pullup" in codes([ESP32, "U2=BMP280 chip"], base, board="esp32:esp32:esp32")
    pulled = [*base, "U1.3V3-R1.1", "R1.2-U1.GPIO21", "U1.3V3-R2.1", "R2.2-U1.GPIO22"]
    assert "i2c-no-pullup" not in codes([ESP32, "U2=BMP280 chip", "R1=Resistor@4.7k", "R2=Resistor@4.7k"], pulled,
                                        board="esp32:esp32:esp32")
    breakout = ["U2.VCC-U1.3V3", "U2.GND-U1.GND", "U2.SDA-U1.GPIO21", "U2.SCL-U1.GPIO22"]
    assert "i2c-no-pullup" not in codes([ESP32, "U2=BMP280 breakout"], breakout, board="esp32:esp32:esp32")


def test_two_devices_at_one_i2c_address() -> None:
    parts = [UNO, "U2=GY-521", "U3=GY-521"]
    wires = ["U1.5V-U2.VCC", "U1.GND-U2.GND", "U1.5V-U3.VCC", "U1.GND-U3.GND", "U2.SDA-U1.A4", "U2.SCL-U1.A5",
             "U3.SDA-U1.A4", "U3.SCL-U1.A5"]
    assert "i2c-address-conflict" in codes(parts, wires)
    assert "i2c-address-conflict" not in codes(parts, [*wires, "U3.AD0-U1.5V"])


def test_floating_input() -> None:
    parts = [UNO, "S1=push button"]
    wires = ["U1.D2-S1.1", "S1.2-U1.GND"]
    assert "floating-input" in codes(parts, wires, sketch("pinMode(2, INPUT);", "digitalRead(2);"))
    assert "floating-input" not in codes(parts, wires, sketch("pinMode(2, INPUT_PULLUP);", "digitalRead(2);"))
    pulled = [*wires, "U1.D2-R1.1", "R1.2-U1.5V"]
    assert "floating-input" not in codes([*parts, "R1=Resistor@10k"], pulled,
                                         sketch("pinMode(2, INPUT);", "digitalRead(2);"))


def test_pin_mode_the_wiring_contradicts() -> None:
    relay = [UNO, "K1=5V relay module"]
    wires = ["U1.5V-K1.VCC", "U1.GND-K1.GND", "K1.IN-U1.D7"]
    assert "pin-mode-contradiction" in codes(relay, wires, sketch("pinMode(7, INPUT);", "digitalRead(7);"))
    assert "pin-mode-contradiction" not in codes(relay, wires, sketch("pinMode(7, OUTPUT);", "digitalWrite(7, HIGH);"))
    assert "pin-mode-contradiction" in codes([UNO], ["U1.D4-U1.GND"], sketch("pinMode(4, OUTPUT);"))


def test_led_without_series_resistor_and_too_small_a_resistor() -> None:
    assert "led-no-resistor" in codes([UNO, "D1=Red LED"], ["U1.D13-D1.A", "D1.K-U1.GND"])
    ok = [UNO, "D1=Red LED", "R1=Resistor@220"]
    wires = ["U1.D13-R1.1", "R1.2-D1.A", "D1.K-U1.GND"]
    assert codes(ok, wires, sketch("pinMode(13, OUTPUT);")) == []
    small = [UNO, "D1=Red LED", "R1=Resistor@47"]
    assert "pin-overcurrent" in codes(small, wires, sketch("pinMode(13, OUTPUT);"))


def test_motor_straight_on_an_io_pin() -> None:
    assert "inductive-on-pin" in codes([UNO, "M1=DC motor"], ["U1.D9-M1.+", "M1.--U1.GND"])
    driver = [UNO, "M1=DC motor", "U2=L298N motor driver", "BT1=4xAA battery holder"]
    wires = ["U1.D9-U2.IN1", "U1.D8-U2.IN2", "U2.OUT1-M1.+", "U2.OUT2-M1.-", "BT1.+-U2.12V", "BT1.--U2.GND",
             "U2.GND-U1.GND"]
    assert "inductive-on-pin" not in codes(driver, wires)


def test_module_ground_not_joined_to_the_controller() -> None:
    parts = [UNO, "M1=DC motor", "U2=L298N motor driver", "BT1=2x18650 battery holder"]
    wires = ["U1.D9-U2.IN1", "U1.D8-U2.IN2", "U2.OUT1-M1.+", "U2.OUT2-M1.-", "BT1.+-U2.12V", "BT1.--U2.GND"]
    assert "no-common-ground" in codes(parts, wires)
    assert "no-common-ground" not in codes(parts, [*wires, "U2.GND-U1.GND"])


def test_rail_over_its_current_budget() -> None:
    servos = [UNO, "M1=MG996R", "M2=MG996R"]
    wires = ["U1.5V-M1.VCC", "U1.GND-M1.GND", "U1.D9-M1.SIGNAL", "U1.5V-M2.VCC", "U1.GND-M2.GND", "U1.D10-M2.SIGNAL"]
    assert "rail-overcurrent" in codes(servos, wires)
    assert "rail-overcurrent" not in codes([UNO, "M1=SG90 servo"], wires[:3])


def test_uart_tx_to_tx() -> None:
    parts = [UNO, "U2=HC-05 Bluetooth module", "R1=Resistor@1k", "R2=Resistor@2k"]
    wires = ["U1.5V-U2.VCC", "U1.GND-U2.GND", "U1.D1-R1.1", "R1.2-U2.RXD", "U2.RXD-R2.1", "R2.2-U1.GND"]
    assert "uart-swapped" in codes(parts, [*wires[:2], "U2.TXD-U1.D1"])
    assert "uart-swapped" not in codes(parts, [*wires, "U2.TXD-U1.D0"])


def test_unknown_part_is_one_info_and_no_alarm() -> None:
    found = findings([UNO, "U2=Flux widget 3000"], ["U1.D7-U2.SIG", "U1.5V-U2.VCC", "U1.GND-U2.GND"],
                     sketch("pinMode(7, INPUT);", "digitalRead(7);"))
    assert [(f.severity, f.code) for f in found] == [("info", "unknown-part")]


def test_unknown_pin_of_a_library_part() -> None:
    assert "unknown-part-pin" in codes([UNO, "M1=SG90"], ["U1.D9-M1.WOBBLE"])
    assert "unknown-part-pin" not in codes([UNO, "M1=SG90"], ["U1.D9-M1.SIG", "U1.5V-M1.VCC", "U1.GND-M1.GND"])


def test_findings_name_part_pin_and_net() -> None:
    found = [f for f in findings([UNO, "D1=Red LED"], ["U1.D13-D1.A", "D1.K-U1.GND"]) if f.code == "led-no-resistor"]
    assert found[0].parts == ("D1",) and found[0].pins == ("U1.D13",) and found[0].location == "connections[0]"
    assert found[0].to_dict()["nets"]


def test_bare_one_wire_sensor_needs_a_pull_up() -> None:
    wires = ["U2.VDD-U1.5V", "U2.GND-U1.GND", "U2.DQ-U1.D4"]
    assert "data-no-pullup" in codes([UNO, "U2=DS18B20"], wires)
    assert "data-no-pullup" not in codes([UNO, "U2=DS18B20", "R1=Resistor@4.7k"], [*wires, "U1.D4-R1.1", "R1.2-U1.5V"])
    assert "data-no-pullup" not in codes([UNO, "U2=DHT22 module"], ["U2.VCC-U1.5V", "U2.GND-U1.GND", "U2.DATA-U1.D4"])


def test_digital_read_on_an_analog_only_pin() -> None:
    parts = ["U1=Arduino Nano", "S1=push button"]
    wires = ["U1.A6-S1.1", "S1.2-U1.GND"]
    assert "no-digital" in codes(parts, wires, sketch("pinMode(A6, INPUT_PULLUP);", "digitalRead(A6);"),
                                 board="arduino:avr:nano")
    assert "no-digital" not in codes(parts, ["U1.A3-S1.1", "S1.2-U1.GND"],
                                     sketch("pinMode(A3, INPUT_PULLUP);", "digitalRead(A3);"), board="arduino:avr:nano")


def test_bom_board_and_sketch_board_disagree() -> None:
    wires = ["U1.GPIO2-R1.1", "R1.2-D1.A", "D1.K-U1.GND"]
    parts = [UNO, "R1=Resistor@330", "D1=LED"]
    assert "board-mismatch" in codes(parts, ["U1.D2-R1.1", "R1.2-D1.A", "D1.K-U1.GND"], sketch("pinMode(2, OUTPUT);"),
                                     board="esp32:esp32:esp32")
    assert "board-mismatch" not in codes([ESP32, "R1=Resistor@330", "D1=LED"], wires, sketch("pinMode(2, OUTPUT);"),
                                         board="esp32:esp32:esp32")


def test_board_vin_outside_its_range() -> None:
    assert codes([UNO, "BT1=9V battery"], ["BT1.+-U1.VIN", "BT1.--U1.GND"]) == []
    assert "supply-range" in codes([UNO, "PS1=5V power supply"], ["PS1.+-U1.VIN", "PS1.--U1.GND"])
    found = findings([UNO, "PS1=24V supply"], ["PS1.+-U1.VIN", "PS1.--U1.GND", "PS1.+-24V"])
    assert any(f.code == "supply-range" and f.severity == "error" for f in found)


def test_ic_known_only_to_kicad_is_checked_without_false_alarms() -> None:
    from ohm_desktop.design_rules.kicad_symbols import available

    if not available():
        return
    parts = [UNO, "U2=MCP23017 I/O expander", "R1=Resistor@4.7k", "R2=Resistor@4.7k"]
    wires = ["U1.5V-U2.VDD", "U2.VSS-U1.GND", "U2.SDA-U1.A4", "U2.SCL-U1.A5", "R1.1-U1.A4", "R1.2-U1.5V",
             "R2.1-U1.A5", "R2.2-U1.5V"]
    found = findings(parts, wires, sketch("Wire.begin();"))
    assert [(f.severity, f.code) for f in found] == [("info", "unknown-part")]
    assert "KiCad" in found[0].message
