"""What ``pins_arduino.h`` does not say about the AVR boards: power pins, UART pins, current limits.

Every number names its source. The header pins (I/O numbers, PWM, interrupts, analog, I2C, SPI)
are read from the installed core by :mod:`ohm_desktop.design_rules.avr_core` instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class McuLimits:
    recommended_ma: float
    max_ma: float
    vcc_max_ma: float
    #: (RX pin, TX pin) per hardware serial port, as Arduino pin numbers.
    uarts: tuple[tuple[int, int], ...]
    source: str


MCU_LIMITS: dict[str, McuLimits] = {
    # ATmega328P datasheet (Microchip DS40002061B), 28.1 Absolute Maximum Ratings: "DC Current per
    # I/O Pin 40.0 mA", "DC Current VCC and GND Pins 200.0 mA"; 28.2 DC characteristics note 3 gives
    # 20 mA at VCC = 5 V as the test condition for IOL/IOH, which Arduino quotes as the safe figure.
    # USART0 RXD = PD0 = D0, TXD = PD1 = D1 (datasheet 1.1 pinout, standard variant pin map).
    "atmega328p": McuLimits(20.0, 40.0, 200.0, ((0, 1),), "ATmega328P datasheet 28.1, 28.2"),
    "atmega168": McuLimits(20.0, 40.0, 200.0, ((0, 1),), "ATmega168 datasheet 28.1"),
    # ATmega2560 datasheet (2549Q), 31.1: 40 mA per pin, 200 mA VCC/GND. Serial1 RX1=19 TX1=18,
    # Serial2 RX2=17 TX2=16, Serial3 RX3=15 TX3=14 (Arduino Mega 2560 Rev3 pinout).
    "atmega2560": McuLimits(20.0, 40.0, 200.0, ((0, 1), (19, 18), (17, 16), (15, 14)), "ATmega2560 datasheet 31.1"),
    "atmega1280": McuLimits(20.0, 40.0, 200.0, ((0, 1), (19, 18), (17, 16), (15, 14)), "ATmega1280 datasheet 31.1"),
    # ATmega32U4 datasheet (7766J), 29.1: 40 mA per pin, 200 mA VCC/GND; Serial1 RX = D0, TX = D1.
    "atmega32u4": McuLimits(20.0, 40.0, 200.0, ((0, 1),), "ATmega32U4 datasheet 29.1"),
}


@dataclass(frozen=True, slots=True)
class BoardPower:
    """The header power pins of one board: (name, aliases, type, volts, budget mA)."""

    pins: tuple[tuple[str, tuple[str, ...], str, float | None, float | None], ...]
    aliases: tuple[str, ...]
    logic_v: float = 5.0
    source: str = ""
    #: VIN/RAW: (recommended low, recommended high, absolute maximum) in volts.
    vin: tuple[float, float, float] | None = (7.0, 12.0, 20.0)


_UNO_POWER = (
    # Uno Rev3 schematic: USB 5 V passes a 500 mA PTC (MF-MSMF050-2); tech specs (docs.arduino.cc/hardware/uno-rev3):
    # "DC Current for 3.3V Pin 50 mA"; "Input Voltage (recommended) 7-12V", "(limit) 6-20V" (the BoardPower default).
    ("5V", ("+5V", "VCC", "5V0"), "power_out", 5.0, 500.0),
    ("3V3", ("3.3V", "+3V3"), "power_out", 3.3, 50.0),
    ("VIN", ("VIN+", "V_IN", "RAW"), "power_in", None, None),
    ("IOREF", (), "power_out", 5.0, 50.0),
    ("GND", ("GND1", "GND2", "GND3", "0V", "-", "VSS"), "ground", None, None),
    ("AREF", (), "input", None, None),
    ("RESET", ("RST",), "input", None, None),
)

BOARD_POWER: dict[str, BoardPower] = {
    "uno": BoardPower(_UNO_POWER, ("Arduino Uno", "Arduino Uno R3", "Uno R3", "UNO", "Genuino Uno"),
                      source="Arduino Uno Rev3 schematic and tech specs"),
    # Nano (A000005) datasheet: 3V3 from the FT232RL's 3V3OUT, which "can supply up to 50 mA" (FT232R datasheet 4.3);
    # 5 V from USB through a Schottky diode; VIN 7-12 V.
    "nano": BoardPower(_UNO_POWER, ("Arduino Nano", "Nano V3", "Nano 3.0", "Nano"),
                       source="Arduino Nano datasheet; FT232R datasheet 4.3"),
    # Mega 2560 Rev3 tech specs: "DC Current for 3.3V Pin 50 mA"; same 500 mA USB PTC as the Uno.
    "mega": BoardPower(_UNO_POWER, ("Arduino Mega", "Arduino Mega 2560", "Mega 2560", "Mega2560", "Mega"),
                       source="Arduino Mega 2560 Rev3 tech specs"),
    "leonardo": BoardPower(_UNO_POWER, ("Arduino Leonardo", "Leonardo"), source="Arduino Leonardo tech specs"),
    "micro": BoardPower(_UNO_POWER, ("Arduino Micro",), source="Arduino Micro tech specs"),
    # Pro Mini: RAW 5-12 V into the on-board regulator (MIC5205, 150 mA), VCC is the regulated rail.
    "pro": BoardPower(
        (
            ("VCC", ("5V", "+5V"), "power_out", 5.0, 150.0),
            ("RAW", ("VIN",), "power_in", None, None),
            ("GND", ("0V",), "ground", None, None),
            ("RESET", ("RST",), "input", None, None),
        ),
        ("Arduino Pro Mini", "Pro Mini"),
        source="SparkFun Arduino Pro Mini schematic (MIC5205 150 mA)",
        # MIC5205 datasheet: input 2.5-16 V; SparkFun recommends RAW 5-12 V for the 5 V board.
        vin=(5.5, 12.0, 16.0),
    ),
}
