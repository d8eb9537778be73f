"""Boards whose core is not installed here: ESP32 DevKit, ESP8266 NodeMCU, Raspberry Pi Pico, Nano Every.

Each fact names its source. Pin numbers are the ones the board's Arduino core uses
(``digitalWrite(n)``), so the firmware's pins and the wiring's pins compare directly.
"""

from __future__ import annotations

from ohm_desktop.design_rules.model import Board, BoardPin, Capability, PinType

_ALL_IO: frozenset[Capability] = frozenset({"digital", "pwm", "interrupt"})


def _io(number: int, name: str, aliases: tuple[str, ...], capabilities: set[Capability], max_ma: float,
        pin_type: PinType = "bidirectional") -> BoardPin:
    return BoardPin(name, pin_type, (str(number), *aliases), number, frozenset(capabilities), None, max_ma)


def _power(name: str, aliases: tuple[str, ...], kind: PinType, volts: float | None = None,
           budget: float | None = None) -> BoardPin:
    return BoardPin(name, kind, aliases, None, frozenset(), volts, budget)


def esp32_devkit() -> Board:
    """ESP32-DevKitC V4 (ESP32-WROOM-32).

    Sources: Espressif ESP32 datasheet v4.x, 2.2 pin description (GPIO34-39 input only, no pull-ups;
    GPIO6-11 wired to the module's flash), 5.4 DC characteristics (IOH 40 mA source, IOL 28 mA sink;
    VIH max VDD + 0.3 V, so not 5 V tolerant); ADC1 = GPIO32-39, ADC2 = GPIO0/2/4/12-15/25-27 (ADC2
    is unavailable while Wi-Fi runs); arduino-esp32 variants/esp32/pins_arduino.h: SDA 21, SCL 22,
    SS 5, MOSI 23, MISO 19, SCK 18, TX 1, RX 3, LED_BUILTIN absent; Serial2 default RX 16, TX 17.
    DevKitC V4 schematic: 3V3 from an AMS1117-3.3 (1 A), of which the module itself needs up to 500 mA.
    LEDC PWM (analogWrite) and interrupts work on every output-capable GPIO (arduino-esp32 docs).
    """
    adc1 = {32, 33, 34, 35, 36, 39}
    adc2 = {0, 2, 4, 12, 13, 14, 15, 25, 26, 27}
    roles: dict[int, tuple[tuple[str, ...], set[Capability]]] = {
        21: (("SDA",), {"i2c_sda"}), 22: (("SCL",), {"i2c_scl"}), 23: (("MOSI",), {"spi_mosi"}),
        19: (("MISO",), {"spi_miso"}), 18: (("SCK",), {"spi_sck"}), 5: (("SS",), {"spi_ss"}),
        1: (("TX", "TX0", "TXD0"), {"uart_tx"}), 3: (("RX", "RX0", "RXD0"), {"uart_rx"}),
        16: (("RX2",), {"uart_rx"}), 17: (("TX2",), {"uart_tx"}), 36: (("VP", "SVP"), set()),
        39: (("VN", "SVN"), set()),
    }
    pins = []
    for number in (0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 25, 26, 27, 32, 33, 34, 35, 36, 39):
        aliases, extra = roles.get(number, ((), set()))
        capabilities: set[Capability] = {"digital", "interrupt", *extra}
        if number >= 34:
            capabilities.add("input_only")
        else:
            # The GPIO matrix routes I2C, SPI and UART to any output-capable pin (Wire.begin(sda, scl)).
            capabilities |= {"pwm", "i2c_sda", "i2c_scl", "spi_mosi", "spi_miso", "spi_sck", "spi_ss",
                             "uart_rx", "uart_tx"}
        if number in adc1 | adc2:
            capabilities.add("analog")
        pins.append(_io(number, f"GPIO{number}", (f"D{number}", f"IO{number}", f"G{number}", *aliases),
                        capabilities, 40.0, "input" if number >= 34 else "bidirectional"))
    pins += [
        _power("3V3", ("3.3V", "+3V3", "VCC"), "power_out", 3.3, 500.0),
        _power("5V", ("VIN", "VBUS", "+5V", "USB"), "power_out", 5.0, 500.0),
        _power("GND", ("0V",), "ground"),
        _power("EN", ("RST", "RESET"), "input"),
    ]
    return Board("esp32", "ESP32 DevKit (ESP32-WROOM-32)", ("esp32:esp32:esp32", "esp32:esp32:esp32dev",
                 "esp32:esp32:esp32doit-devkit-v1"), "esp32", 3.3, tuple(pins),
                 aliases=("ESP32", "ESP32 DevKit", "ESP32 DevKitC", "ESP32-DevKitC", "ESP32 Dev Module",
                          "ESP32-WROOM-32", "DOIT ESP32 DEVKIT V1", "ESP32 DevKit V1", "NodeMCU-32S"),
                 pin_recommended_ma=20.0, pin_max_ma=40.0, five_volt_tolerant=False,
                 sources=("ESP32 datasheet 2.2, 5.4", "arduino-esp32 variants/esp32/pins_arduino.h",
                          "ESP32-DevKitC V4 schematic"))


def esp8266_nodemcu() -> Board:
    """NodeMCU 1.0 (ESP-12E).

    Sources: esp8266/Arduino variants/nodemcu/pins_arduino.h (D0=16, D1=5, D2=4, D3=0, D4=2, D5=14,
    D6=12, D7=13, D8=15, RX=3, TX=1; SDA = 4 (D2), SCL = 5 (D1); SCK 14, MISO 12, MOSI 13, SS 15;
    LED_BUILTIN 2); ESP8266EX datasheet 5.1: IMAX 12 mA per I/O, not 5 V tolerant; analogWrite and
    attachInterrupt on GPIO0-15, not GPIO16 (Arduino core reference "Digital IO"); A0 on NodeMCU
    has a 220k/100k divider, so 0-3.3 V reads full scale. 3V3 from an AMS1117-3.3 on the board.
    """
    mapping = {"D0": 16, "D1": 5, "D2": 4, "D3": 0, "D4": 2, "D5": 14, "D6": 12, "D7": 13, "D8": 15,
               "RX": 3, "TX": 1, "SD3": 10, "SD2": 9}
    roles: dict[int, tuple[tuple[str, ...], set[Capability]]] = {
        4: (("SDA",), {"i2c_sda"}), 5: (("SCL",), {"i2c_scl"}), 14: (("SCK", "HSCLK"), {"spi_sck"}),
        12: (("MISO", "HMISO"), {"spi_miso"}), 13: (("MOSI", "HMOSI"), {"spi_mosi"}),
        15: (("SS", "CS", "HCS"), {"spi_ss"}), 3: (("RXD0",), {"uart_rx"}), 1: (("TXD0",), {"uart_tx"}),
        2: (("LED_BUILTIN",), set()),
    }
    pins = []
    for label, number in mapping.items():
        aliases, extra = roles.get(number, ((), set()))
        capabilities: set[Capability] = {"digital", *extra}
        if number != 16:
            # Software I2C (Wire.begin(sda, scl)) works on any of these; PWM and interrupts too.
            capabilities |= {"pwm", "interrupt", "i2c_sda", "i2c_scl"}
        pins.append(_io(number, label, (f"GPIO{number}", *aliases), capabilities, 12.0))
    pins += [
        BoardPin("A0", "input", ("ADC0", "ADC", "17"), 17, frozenset({"analog", "input_only"}), None, 12.0),
        _power("3V3", ("3.3V", "+3V3"), "power_out", 3.3, 300.0),
        _power("VIN", ("5V", "VU", "VUSB", "+5V"), "power_out", 5.0, 500.0),
        _power("GND", ("G", "0V"), "ground"),
        _power("RST", ("RESET",), "input"),
        _power("EN", ("CH_PD",), "input"),
    ]
    return Board("nodemcu", "NodeMCU 1.0 (ESP-12E)", ("esp8266:esp8266:nodemcuv2", "esp8266:esp8266:nodemcu"),
                 "esp8266", 3.3, tuple(pins),
                 aliases=("NodeMCU", "ESP8266", "NodeMCU ESP8266", "NodeMCU v2", "NodeMCU v3", "ESP-12E",
                          "Wemos D1 Mini", "D1 mini"),
                 pin_recommended_ma=12.0, pin_max_ma=12.0, five_volt_tolerant=False,
                 sources=("esp8266/Arduino variants/nodemcu/pins_arduino.h", "ESP8266EX datasheet 5.1"))


def raspberry_pi_pico() -> Board:
    """Raspberry Pi Pico (RP2040).

    Sources: Raspberry Pi Pico datasheet 2.1 pinout (GP0-GP22 and GP26-GP28 on the header; GP26-28 =
    ADC0-2; VBUS = USB 5 V; VSYS 1.8-5.5 V input; 3V3(OUT) "recommended to keep the load below 300 mA");
    RP2040 datasheet 2.19 function table (I2C0 SDA on GP0/4/8/12/16/20, SCL on GP1/5/9/13/17/21; I2C1
    SDA on GP2/6/10/14/18/26, SCL on GP3/7/11/15/19/27; every GPIO has a PWM slice), 5.5.3: drive
    strength 2-12 mA (default 4 mA), IOVDD not 5 V tolerant. arduino-pico variants/rpipico: Wire SDA
    GP4, SCL GP5; SPI MISO GP16, CS GP17, SCK GP18, MOSI GP19; Serial1 TX GP0, RX GP1.
    """
    sda = {0, 4, 8, 12, 16, 20, 2, 6, 10, 14, 18, 26}
    scl = {1, 5, 9, 13, 17, 21, 3, 7, 11, 15, 19, 27}
    spi: dict[Capability, set[int]] = {"spi_miso": {0, 4, 16, 8, 12}, "spi_ss": {1, 5, 17, 9, 13},
                                       "spi_sck": {2, 6, 18, 10, 14}, "spi_mosi": {3, 7, 19, 11, 15}}
    defaults = {4: "SDA", 5: "SCL", 16: "MISO", 17: "SS", 18: "SCK", 19: "MOSI", 0: "TX", 1: "RX"}
    pins = []
    for number in (*range(23), 26, 27, 28):
        capabilities: set[Capability] = set(_ALL_IO)
        if number in sda:
            capabilities.add("i2c_sda")
        if number in scl:
            capabilities.add("i2c_scl")
        for capability, numbers in spi.items():
            if number in numbers:
                capabilities.add(capability)
        if number in {0, 4, 8, 12, 16}:
            capabilities.add("uart_tx")
        if number in {1, 5, 9, 13, 17}:
            capabilities.add("uart_rx")
        aliases: tuple[str, ...] = (f"GPIO{number}", f"D{number}")
        if number >= 26:
            capabilities.add("analog")
            aliases += (f"A{number - 26}", f"ADC{number - 26}")
        if number in defaults:
            aliases += (defaults[number],)
        pins.append(_io(number, f"GP{number}", aliases, capabilities, 12.0))
    pins += [
        _power("3V3", ("3V3(OUT)", "3V3_OUT", "3.3V", "+3V3"), "power_out", 3.3, 300.0),
        _power("VBUS", ("5V", "+5V", "USB"), "power_out", 5.0, 500.0),
        # Pico datasheet 2.1: VSYS 1.8-5.5 V.
        BoardPin("VSYS", "power_in", (), None, frozenset(), None, None, (1.8, 5.5), 5.5),
        _power("GND", ("AGND", "0V"), "ground"),
        _power("3V3_EN", (), "input"),
        _power("RUN", ("RESET",), "input"),
        _power("ADC_VREF", ("AREF",), "input"),
    ]
    return Board("pico", "Raspberry Pi Pico", ("rp2040:rp2040:rpipico", "arduino:mbed_rp2040:pico"), "rp2040",
                 3.3, tuple(pins), aliases=("Raspberry Pi Pico", "Pi Pico", "Pico", "RP2040 Pico", "Pico W",
                                            "Raspberry Pi Pico W"),
                 pin_recommended_ma=4.0, pin_max_ma=12.0, five_volt_tolerant=False,
                 sources=("Raspberry Pi Pico datasheet 2.1", "RP2040 datasheet 2.19, 5.5.3",
                          "arduino-pico variants/rpipico/pins_arduino.h"))


def nano_every() -> Board:
    """Arduino Nano Every (ATmega4809).

    Sources: Arduino Nano Every datasheet (ABX00028): PWM on D3, D5, D6, D9, D10; interrupts on every
    digital pin; A0-A7 analog (D14-D21); I2C SDA = A4, SCL = A5; SPI D11 MOSI, D12 MISO, D13 SCK;
    Serial1 RX D0, TX D1; "DC Current per I/O pin 20 mA"; 5 V logic. ArduinoCore-megaavr
    variants/nona4809/pins_arduino.h agrees (digitalPinHasPWM: 3, 5, 6, 9, 10). ATmega4809 datasheet
    37.2: 40 mA absolute maximum per pin. 3V3 pin: 50 mA (Nano family tech specs).
    """
    roles: dict[int, tuple[tuple[str, ...], set[Capability]]] = {
        0: (("RX", "RX1"), {"uart_rx"}), 1: (("TX", "TX1"), {"uart_tx"}), 11: (("MOSI",), {"spi_mosi"}),
        12: (("MISO",), {"spi_miso"}), 13: (("SCK", "LED_BUILTIN"), {"spi_sck"}), 8: (("SS",), {"spi_ss"}),
        18: (("SDA",), {"i2c_sda"}), 19: (("SCL",), {"i2c_scl"}),
    }
    pins = []
    for number in range(22):
        aliases, extra = roles.get(number, ((), set()))
        capabilities: set[Capability] = {"digital", "interrupt", *extra}
        if number in {3, 5, 6, 9, 10}:
            capabilities.add("pwm")
        name = f"D{number}"
        if number >= 14:
            capabilities.add("analog")
            name, aliases = f"A{number - 14}", (f"D{number}", *aliases)
        pins.append(_io(number, name, aliases, capabilities, 40.0))
    pins += [
        _power("5V", ("+5V", "VCC"), "power_out", 5.0, 500.0),
        _power("3V3", ("3.3V", "+3V3"), "power_out", 3.3, 50.0),
        # Nano Every datasheet: "Input voltage 7-21 V".
        BoardPin("VIN", "power_in", ("RAW",), None, frozenset(), None, None, (7.0, 21.0), 21.0),
        _power("GND", ("0V",), "ground"),
        _power("AREF", (), "input"),
        _power("RESET", ("RST",), "input"),
    ]
    return Board("nona4809", "Arduino Nano Every", ("arduino:megaavr:nona4809",), "atmega4809", 5.0, tuple(pins),
                 aliases=("Arduino Nano Every", "Nano Every"), pin_recommended_ma=20.0, pin_max_ma=40.0,
                 sources=("Arduino Nano Every datasheet ABX00028", "ArduinoCore-megaavr variants/nona4809",
                          "ATmega4809 datasheet 37.2"))


def shipped_boards() -> list[Board]:
    return [esp32_devkit(), esp8266_nodemcu(), raspberry_pi_pico(), nano_every()]
