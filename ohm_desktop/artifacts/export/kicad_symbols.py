"""KiCad symbols for the parts Ohm designs use: library id, default footprint, pin name → number.

A stop-gap table until the design-rules parts library (issue 14) carries KiCad pin data; the
KiCad netlist export only calls :func:`symbol_for`, so that library can replace this module.

Every pin number below was read from the KiCad 6 libraries as Debian ships them
(``kicad-symbols`` 6.0.10, ``/usr/share/kicad/symbols/<Library>.kicad_sym``, the ``(pin …
(name …) (number …))`` entries, following ``extends``), and every footprint exists in
``kicad-footprints`` 6.0.11. Aliases are the spellings Ohm's wiring uses for the same pin
(``5V`` for ``+5V``, ``RX`` for ``D0/RX``, ``A``/``anode``/``+`` for an LED's anode).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KicadSymbol:
    lib_id: str  # "MCU_Module:Arduino_Nano_v3.x"
    footprint: str  # the symbol's default footprint; "" when KiCad leaves it to the designer
    pins: dict[str, str]  # normalised pin name or alias → pin number
    description: str

    def pin_number(self, pin: str) -> str | None:
        """KiCad's pin number for a wiring pin name (``D9`` → ``12`` on a Nano), or None."""
        key = normalise_pin(pin)
        if key in self.pins:
            return self.pins[key]
        return key if key in self.pins.values() else None


def normalise_pin(pin: str) -> str:
    return re.sub(r"[\s_]+", "", pin).upper().replace("~{", "").replace("}", "")


def _pins(*pairs: tuple[str, str]) -> dict[str, str]:
    """Names → numbers; a KiCad name such as ``D0/RX`` answers to ``D0`` and ``RX`` as well.

    The first pin of a name wins (an Uno has GND on 6, 7 and 29: a wire to GND lands on 6).
    """
    table: dict[str, str] = {}
    for names, number in pairs:
        for name in [names, *names.split("/")]:
            table.setdefault(normalise_pin(name), number)
    return table


_TWO_PIN_PASSIVE = _pins(("1", "1"), ("2", "2"))
_POLAR = _pins(("K", "1"), ("CATHODE", "1"), ("-", "1"), ("A", "2"), ("ANODE", "2"), ("+", "2"))

# MCU_Module.kicad_sym, Arduino_Nano_v3.x extends Arduino_Nano_v2.x.
_NANO = _pins(
    ("D1/TX", "1"), ("D0/RX", "2"), ("~{RESET}", "3"), ("RST", "3"), ("GND", "4"), ("D2", "5"), ("D3", "6"),
    ("D4", "7"), ("D5", "8"), ("D6", "9"), ("D7", "10"), ("D8", "11"), ("D9", "12"), ("D10", "13"),
    ("D11", "14"), ("D12", "15"), ("D13", "16"), ("3V3", "17"), ("3.3V", "17"), ("AREF", "18"), ("A0", "19"),
    ("A1", "20"), ("A2", "21"), ("A3", "22"), ("A4/SDA", "23"), ("A5/SCL", "24"), ("A6", "25"), ("A7", "26"),
    ("+5V", "27"), ("5V", "27"), ("VIN", "30"),
)
# MCU_Module.kicad_sym, Arduino_UNO_R3.
_UNO = _pins(
    ("NC", "1"), ("IOREF", "2"), ("~{RESET}", "3"), ("RST", "3"), ("3V3", "4"), ("3.3V", "4"), ("+5V", "5"),
    ("5V", "5"), ("GND", "6"), ("VIN", "8"), ("A0", "9"), ("A1", "10"), ("A2", "11"),
    ("A3", "12"), ("SDA/A4", "13"), ("SCL/A5", "14"), ("D0/RX", "15"), ("D1/TX", "16"), ("D2", "17"),
    ("D3", "18"), ("D4", "19"), ("D5", "20"), ("D6", "21"), ("D7", "22"), ("D8", "23"), ("D9", "24"),
    ("D10", "25"), ("D11", "26"), ("D12", "27"), ("D13", "28"), ("AREF", "30"),
)

_SYMBOLS: dict[str, KicadSymbol] = {
    "arduino_nano": KicadSymbol("MCU_Module:Arduino_Nano_v3.x", "Module:Arduino_Nano", _NANO, "Arduino Nano v3.x"),
    "arduino_uno": KicadSymbol("MCU_Module:Arduino_UNO_R3", "Module:Arduino_UNO_R3", _UNO, "Arduino UNO R3"),
    # Device.kicad_sym: R, C and friends are two "~" pins numbered 1 and 2.
    "resistor": KicadSymbol("Device:R", "Resistor_THT:R_Axial_DIN0207_L6.3mm_D2.5mm_P10.16mm_Horizontal",
                            _TWO_PIN_PASSIVE, "Resistor"),
    "capacitor": KicadSymbol("Device:C", "Capacitor_THT:C_Disc_D5.0mm_W2.5mm_P5.00mm", _TWO_PIN_PASSIVE, "Capacitor"),
    "photoresistor": KicadSymbol("Device:R_Photo", "", _TWO_PIN_PASSIVE, "Light dependent resistor"),
    "thermistor": KicadSymbol("Device:Thermistor_NTC", "", _TWO_PIN_PASSIVE, "NTC thermistor"),
    "led": KicadSymbol("Device:LED", "LED_THT:LED_D5.0mm", _POLAR, "Light emitting diode"),  # K=1, A=2
    "diode": KicadSymbol("Device:D", "", _POLAR, "Diode"),  # K=1, A=2
    "buzzer": KicadSymbol("Device:Buzzer", "Buzzer_Beeper:Buzzer_12x9.5RM7.6",  # -=1, +=2
                          _pins(("-", "1"), ("GND", "1"), ("NEG", "1"), ("+", "2"), ("SIG", "2"), ("POS", "2"),
                                ("VCC", "2"), ("1", "1"), ("2", "2")), "Buzzer"),
    "button": KicadSymbol("Switch:SW_Push", "Button_Switch_THT:SW_PUSH_6mm", _TWO_PIN_PASSIVE, "Push button"),
    "potentiometer": KicadSymbol("Device:R_Potentiometer", "Potentiometer_THT:Potentiometer_Bourns_3386P_Vertical",
                                 _pins(("1", "1"), ("2", "2"), ("WIPER", "2"), ("W", "2"), ("SIG", "2"),
                                       ("3", "3")), "Potentiometer"),
    # Sensor.kicad_sym DHT11: VCC=1, IO=2, NC=3, GND=4.
    "dht11": KicadSymbol("Sensor:DHT11", "Sensor:Aosong_DHT11_5.5x12.0_P2.54mm",
                         _pins(("VCC", "1"), ("VDD", "1"), ("+", "1"), ("IO", "2"), ("DATA", "2"), ("SIG", "2"),
                               ("OUT", "2"), ("NC", "3"), ("GND", "4"), ("-", "4")), "Temperature and humidity sensor"),
    # Sensor_Temperature.kicad_sym DS18B20 extends MAX31820: GND=1, DQ=2, VDD=3.
    "ds18b20": KicadSymbol("Sensor_Temperature:DS18B20", "Package_TO_SOT_THT:TO-92_Inline",
                           _pins(("GND", "1"), ("DQ", "2"), ("DATA", "2"), ("VDD", "3"), ("VCC", "3")),
                           "1-Wire temperature sensor"),
    # Transistor_BJT.kicad_sym 2N3904: E=1, B=2, C=3.
    "2n3904": KicadSymbol("Transistor_BJT:2N3904", "Package_TO_SOT_THT:TO-92_Inline",
                          _pins(("E", "1"), ("B", "2"), ("C", "3")), "NPN transistor"),
    # Transistor_FET.kicad_sym 2N7000: S=1, G=2, D=3.
    "2n7000": KicadSymbol("Transistor_FET:2N7000", "Package_TO_SOT_THT:TO-92_Inline",
                          _pins(("S", "1"), ("G", "2"), ("D", "3")), "N-channel MOSFET"),
    # Motor.kicad_sym Motor_Servo: PWM=1, +=2, -=3.
    "servo": KicadSymbol("Motor:Motor_Servo", "Connector_PinHeader_2.54mm:PinHeader_1x03_P2.54mm_Vertical",
                         _pins(("PWM", "1"), ("SIG", "1"), ("SIGNAL", "1"), ("+", "2"), ("VCC", "2"), ("5V", "2"),
                               ("V+", "2"), ("-", "3"), ("GND", "3")), "Servo motor"),
    # Motor.kicad_sym Motor_DC: +=1, -=2.
    "dc_motor": KicadSymbol("Motor:Motor_DC", "", _pins(("+", "1"), ("1", "1"), ("-", "2"), ("2", "2")), "DC motor"),
    # Driver_Motor.kicad_sym L293D extends L293: EN1,2=1, 1A=2, 1Y=3, GND=4, 2Y=6, 2A=7, VCC2=8,
    # EN3,4=9, 3A=10, 3Y=11, 4Y=14, 4A=15, VCC1=16.
    "l293d": KicadSymbol("Driver_Motor:L293D", "Package_DIP:DIP-16_W7.62mm",
                         _pins(("EN1,2", "1"), ("EN1", "1"), ("1A", "2"), ("IN1", "2"), ("1Y", "3"), ("OUT1", "3"),
                               ("GND", "4"), ("2Y", "6"), ("OUT2", "6"), ("2A", "7"), ("IN2", "7"), ("VCC2", "8"),
                               ("VS", "8"), ("EN3,4", "9"), ("EN2", "9"), ("3A", "10"), ("IN3", "10"), ("3Y", "11"),
                               ("OUT3", "11"), ("4Y", "14"), ("OUT4", "14"), ("4A", "15"), ("IN4", "15"),
                               ("VCC1", "16"), ("VCC", "16"), ("VSS", "16")), "Dual H-bridge driver"),
    # Modules wired through a pin header: Connector_Generic.kicad_sym Conn_01xNN (Pin_n = n), pins in
    # the order printed on the module (HC-SR04 datasheet: Vcc, Trig, Echo, Gnd; HC-SR501: VCC, OUT, GND).
    "hc_sr04": KicadSymbol("Connector_Generic:Conn_01x04", "Connector_PinHeader_2.54mm:PinHeader_1x04_P2.54mm_Vertical",
                           _pins(("VCC", "1"), ("5V", "1"), ("TRIG", "2"), ("ECHO", "3"), ("GND", "4")),
                           "HC-SR04 ultrasonic sensor module header"),
    "hc_sr501": KicadSymbol("Connector_Generic:Conn_01x03", "Connector_PinHeader_2.54mm:PinHeader_1x03_P2.54mm_Vertical",
                            _pins(("VCC", "1"), ("5V", "1"), ("OUT", "2"), ("SIG", "2"), ("GND", "3")),
                            "HC-SR501 PIR sensor module header"),
}

# BOM name/value/mpn words → symbol key; the first match wins, so specific names come first.
_MATCHERS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), key)
    for pattern, key in (
        (r"arduino\s*nano(?!\s*(every|33|esp|iot|ble|rp))", "arduino_nano"),
        (r"arduino\s*uno|\bA000066\b", "arduino_uno"),
        (r"\bHC-?SR04\b", "hc_sr04"),
        (r"\bHC-?SR501\b", "hc_sr501"),
        (r"\bDS18B20\b", "ds18b20"),
        (r"\bDHT-?11\b", "dht11"),
        (r"\b2N3904\b", "2n3904"),
        (r"\b2N7000\b", "2n7000"),
        (r"\bL293D?\b", "l293d"),
        (r"\bservo\b|\bSG90\b|\bMG996R?\b", "servo"),
        (r"\bphoto\s*(resistor|cell)\b|\bLDR\b", "photoresistor"),
        (r"\bthermistor\b|\bNTC\b", "thermistor"),
        (r"\bpotentiometer\b|\bpot\b|\btrimmer\b", "potentiometer"),
        (r"\bbuzzer\b|\bpiezo\b", "buzzer"),
        (r"\b(push\s*)?button\b|\btactile\b|\bpush\s*switch\b", "button"),
        (r"\bLED\b(?!\s*(strip|matrix|ring|driver|display))", "led"),
        (r"\bdiode\b|\b1N4\d{3}\b", "diode"),
        (r"\bresistor\b", "resistor"),
        (r"\bcapacitor\b", "capacitor"),
        (r"\bDC\s*motor\b|\bgear\s*motor\b|\bTT\s*motor\b", "dc_motor"),
    )
)


def symbol_for(name: str, value: str = "", mpn: str = "") -> KicadSymbol | None:
    """The KiCad symbol for a BOM part described by ``name``/``value``/``mpn``, if the table knows one."""
    description = " ".join(part for part in (name, value, mpn) if part)
    for pattern, key in _MATCHERS:
        if pattern.search(description):
            return _SYMBOLS[key]
    return None


# Package codes an Ohm BOM writes for SMD passives → the KiCad footprint of that size.
_SMD_SIZES = {"0402": "1005", "0603": "1608", "0805": "2012", "1206": "3216"}
_SMD_LIBRARY = {"Device:R": ("Resistor_SMD", "R"), "Device:C": ("Capacitor_SMD", "C"), "Device:LED": ("LED_SMD", "LED")}


def smd_footprint(symbol: KicadSymbol, package: str) -> str | None:
    """``0805`` on a resistor → ``Resistor_SMD:R_0805_2012Metric`` (names as in kicad-footprints 6.0)."""
    match = re.fullmatch(r"(?:SMD[\s_-]*)?(\d{4})(?:[\s_-]*SMD)?", package.strip(), re.IGNORECASE)
    if match is None or match[1] not in _SMD_SIZES or symbol.lib_id not in _SMD_LIBRARY:
        return None
    code = match[1]
    library, prefix = _SMD_LIBRARY[symbol.lib_id]
    return f"{library}:{prefix}_{code}_{_SMD_SIZES[code]}Metric"
