"""Parts the simulator knows, and what it makes of a design's BOM and wiring.

I2C sensors answer at their address with a register image a real part would give after reset
(chip ids and calibration from the datasheets); displays and LCD backpacks accept every write;
analog sensor modules hold their pin at a default mid-scale voltage; buttons are released unless
set; LEDs, motor drivers and relays are only observed as the board pins driving them.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

PeripheralKind = Literal["i2c", "i2c_sink", "analog", "button", "observed", "ultrasonic"]
DEFAULT_DISTANCE_CM = 100.0


@dataclass(frozen=True, slots=True)
class I2cDevice:
    """A register-file device: ``registers`` preloads register 0 upwards."""

    address: int
    model: str
    registers: bytes = field(default=b"", repr=False)

    @property
    def sink(self) -> bool:
        return not self.registers


@dataclass(frozen=True, slots=True)
class Peripheral:
    """One BOM part as simulated: its designator, what it is and where it sits."""

    designator: str
    name: str
    kind: PeripheralKind
    address: int | None = None
    pins: tuple[str, ...] = ()
    device: I2cDevice | None = None
    part_pins: tuple[tuple[str, str], ...] = ()  # the part's own pin -> the board pin it is wired to

    def board_pin(self, part_pin: str) -> str | None:
        return next((board for own, board in self.part_pins if own == part_pin.upper()), None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"designator": self.designator, "name": self.name, "kind": self.kind}
        if self.address is not None:
            out["address"] = f"0x{self.address:02x}"
        if self.pins:
            out["pins"] = list(self.pins)
        return out


@dataclass(frozen=True, slots=True)
class DesignPeripherals:
    """What the simulation takes from a design."""

    peripherals: tuple[Peripheral, ...] = ()
    not_simulated: tuple[str, ...] = ()  # "U4 HC-SR04", once each
    design_pins: tuple[str, ...] = ()  # board pins the wiring uses ("D9", "A0")
    output_pins: dict[str, str] = field(default_factory=dict)  # board pin -> the part it drives

    @property
    def i2c_devices(self) -> list[I2cDevice]:
        return [p.device for p in self.peripherals if p.device is not None]

    @property
    def ultrasonic(self) -> list[Peripheral]:
        """HC-SR04-like sensors with TRIG and ECHO wired to the board, in a fixed order."""
        return [p for p in self.peripherals if p.kind == "ultrasonic"]

    @property
    def analog_pins(self) -> list[str]:
        return [pin for p in self.peripherals if p.kind == "analog" for pin in p.pins if pin.startswith("A")]


# ----------------------------------------------------------------------------- register images
def mpu6050(address: int = 0x68, *, accel_g: tuple[float, float, float] = (0.0, 0.0, 1.0),
            gyro_dps: tuple[float, float, float] = (0.0, 0.0, 0.0), temp_c: float = 25.0) -> I2cDevice:
    """InvenSense MPU-6000/6050 register map rev 4.2: WHO_AM_I (0x75) = 0x68, PWR_MGMT_1 (0x6B) = 0x40
    after reset; accel/temp/gyro big-endian at 0x3B..0x48 (±2 g: 16384 LSB/g, ±250 °/s: 131 LSB/(°/s),
    temperature = raw/340 + 36.53)."""
    regs = bytearray(0x76)
    accel = [_clamp16(round(g * 16384)) for g in accel_g]
    gyro = [_clamp16(round(d * 131)) for d in gyro_dps]
    temp = _clamp16(round((temp_c - 36.53) * 340))
    regs[0x3B:0x49] = struct.pack(">7h", *accel, temp, *gyro)
    regs[0x6B] = 0x40
    regs[0x75] = 0x68
    return I2cDevice(address, "MPU-6050", bytes(regs))


def bme280(address: int = 0x76, *, chip_id: int = 0x60) -> I2cDevice:
    """Bosch BME280 (chip id 0x60; BMP280: 0x58). Calibration is the datasheet's worked example
    (BST-BMP280-DS001 §3.12 / BME280 §4.2.3): with adc_T = 519888 and adc_P = 415148 the Bosch
    formulas give 25.08 °C and 1006.5 hPa; adc_H = 30000 with the humidity trims gives ~52 %."""
    regs = bytearray(0x100)
    regs[0x88:0xA0] = struct.pack("<HhhHhhhhhhhh", 27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7,
                                  15500, -14600, 6000)
    regs[0xA1] = 75  # dig_H1
    h4, h5 = 324, 0
    regs[0xE1:0xE8] = struct.pack("<hB", 362, 0) + bytes([h4 >> 4, (h4 & 0x0F) | ((h5 & 0x0F) << 4), h5 >> 4, 30])
    regs[0xD0] = chip_id
    adc_p, adc_t, adc_h = 415148, 519888, 30000
    regs[0xF7:0xFF] = bytes([adc_p >> 12, (adc_p >> 4) & 0xFF, (adc_p & 0x0F) << 4,
                             adc_t >> 12, (adc_t >> 4) & 0xFF, (adc_t & 0x0F) << 4,
                             adc_h >> 8, adc_h & 0xFF])
    return I2cDevice(address, "BMP280" if chip_id == 0x58 else "BME280", bytes(regs))


def display_sink(address: int, model: str) -> I2cDevice:
    """A write-only part (SSD1306 OLED, PCF8574 LCD backpack): acknowledges everything, reads 0."""
    return I2cDevice(address, model)


def _clamp16(value: int) -> int:
    return max(-32768, min(32767, value))


# ----------------------------------------------------------------------------- BOM/wiring
_I2C_PARTS: tuple[tuple[str, Any], ...] = (
    (r"mpu-?6050|gy-?521|mpu-?6500", lambda a: mpu6050(a or 0x68)),
    (r"bme-?280", lambda a: bme280(a or 0x76)),
    (r"bmp-?280", lambda a: bme280(a or 0x76, chip_id=0x58)),
    (r"ssd-?1306|oled", lambda a: display_sink(a or 0x3C, "SSD1306")),
    (r"pcf-?8574|i2c lcd|lcd.*i2c|i2c.*lcd", lambda a: display_sink(a or 0x27, "PCF8574 LCD")),
)
_ANALOG = r"potentiometer|\bpot\b|trimmer|ldr|photoresistor|light sensor|soil|moisture|tcrt5000|line (?:sensor|tracker|follow)|\bqtr\b|reflectance|thermistor|ntc|lm35|tmp36|joystick|\bmq-?\d|gas sensor|gp2y|analog"
_ULTRASONIC = r"hc-?sr0?4|ultrasonic|jsn-?sr04|rcwl-?1601"
_BUTTON = r"button|push ?button|tactile|\bswitch\b|microswitch|limit switch"
_OBSERVED = r"\bled\b|leds\b|l298|l293|drv88|tb6612|motor driver|h-bridge|relay|buzzer|mosfet|transistor|servo|\bmotor\b"
_IGNORED = r"arduino|resistor|capacitor|\bwire|breadboard|battery|jumper|header|power supply|regulator|diode|chassis|wheel|cable|holder|screw|\bpcb\b|usb"
_BOARD = r"arduino|\buno\b|\bnano\b|\bmega\b|leonardo|atmega"
_BOARD_PIN = re.compile(r"^(D\d+|A\d+|SDA|SCL)$", re.IGNORECASE)
_ADDRESS = re.compile(r"0x([0-9a-f]{2})\b", re.IGNORECASE)


def from_design(bom: dict[str, Any] | None, wiring: dict[str, Any] | None) -> DesignPeripherals:
    """Peripherals of a design: BOM parts matched by name, placed by the wiring's board pins."""
    parts = [p for p in (bom or {}).get("parts", []) if isinstance(p, dict)]
    designators = [str(p.get("designator") or f"#{i + 1}") for i, p in enumerate(parts)]
    board_refs = {d for d, p in zip(designators, parts, strict=True) if re.search(_BOARD, _text(p), re.I)}
    nets, wired_pins = _board_nets(wiring, board_refs)
    pins_of: dict[str, list[str]] = {}
    for pin, refs in nets.items():
        for ref in refs:
            pins_of.setdefault(ref, []).append(pin)
    peripherals: list[Peripheral] = []
    not_simulated: list[str] = []
    output_pins: dict[str, str] = {}
    for ref, part in zip(designators, parts, strict=True):
        text = _text(part)
        name = str(part.get("name") or part.get("mpn") or ref)
        pins = tuple(sorted(set(pins_of.get(ref, [])), key=_pin_order))
        match = next(((pattern, make) for pattern, make in _I2C_PARTS if re.search(pattern, text, re.I)), None)
        if ref in board_refs:
            continue
        if match is not None:
            address_match = _ADDRESS.search(text)
            device: I2cDevice = match[1](int(address_match[1], 16) if address_match else None)
            kind: PeripheralKind = "i2c_sink" if device.sink else "i2c"
            peripherals.append(Peripheral(ref, name, kind, device.address, pins, device))
        elif re.search(_ULTRASONIC, text, re.I):
            own = tuple(sorted(wired_pins.get(ref, {}).items()))
            sensor = Peripheral(ref, name, "ultrasonic", pins=pins, part_pins=own)
            if sensor.board_pin("TRIG") and sensor.board_pin("ECHO"):
                peripherals.append(sensor)
            else:
                not_simulated.append(f"{ref} {name} (TRIG/ECHO not wired to the board)")
        elif re.search(_ANALOG, text, re.I):
            peripherals.append(Peripheral(ref, name, "analog", pins=pins))
        elif re.search(_BUTTON, text, re.I):
            peripherals.append(Peripheral(ref, name, "button", pins=pins))
        elif re.search(_OBSERVED, text, re.I):
            peripherals.append(Peripheral(ref, name, "observed", pins=pins))
            for pin in pins:
                if pin.startswith(("D", "A")):
                    output_pins.setdefault(pin, f"{ref} {name}")
        elif not re.search(_IGNORED, text, re.I):
            not_simulated.append(f"{ref} {name}")
    design_pins = tuple(sorted({p for p in nets if p.startswith(("D", "A"))}, key=_pin_order))
    return DesignPeripherals(tuple(peripherals), tuple(dict.fromkeys(not_simulated)), design_pins, output_pins)


def _text(part: dict[str, Any]) -> str:
    return " ".join(str(part.get(k) or "") for k in ("name", "value", "mpn", "notes", "footprint"))


def _board_nets(wiring: dict[str, Any] | None, board_refs: set[str]
                ) -> tuple[dict[str, set[str]], dict[str, dict[str, str]]]:
    """Board pin name -> designators of the parts on the same net (connections and shared net names),
    and per part designator its own pins -> the board pin on their net."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    endpoints: set[str] = set()
    for connection in _connections(wiring):
        a, b = str(connection.get("from", "")), str(connection.get("to", ""))
        if not a or not b:
            continue
        endpoints.update((a, b))
        union(a, b)
        net = connection.get("net")
        if net:
            union(a, f"net:{net}")
    by_root: dict[str, set[str]] = {}
    for endpoint in endpoints:
        by_root.setdefault(find(endpoint), set()).add(endpoint)
    nets: dict[str, set[str]] = {}
    wired: dict[str, dict[str, str]] = {}
    for members in by_root.values():
        refs = {m.split(".", 1)[0] for m in members}
        for member in members:
            ref, _, pin = member.partition(".")
            if pin and _BOARD_PIN.match(pin) and (ref in board_refs or not board_refs):
                nets.setdefault(pin.upper(), set()).update(refs - {ref} - board_refs)
                for other in members:
                    other_ref, _, other_pin = other.partition(".")
                    if other_ref not in board_refs and other_ref != ref and other_pin:
                        wired.setdefault(other_ref, {}).setdefault(other_pin.upper(), pin.upper())
    return nets, wired


def _connections(wiring: dict[str, Any] | None) -> Iterable[dict[str, Any]]:
    return [c for c in (wiring or {}).get("connections", []) if isinstance(c, dict)]


def _pin_order(pin: str) -> tuple[str, int]:
    digits = "".join(ch for ch in pin if ch.isdigit())
    return pin[:1], int(digits) if digits else -1
