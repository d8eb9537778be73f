"""The design as a Wokwi ``diagram.json`` (https://docs.wokwi.com/diagram-format), to run in Wokwi.

Parts Wokwi has an element for become ``parts`` (type and pin names as the wokwi-elements
sources spell them, ``src/*-element.ts``); each net becomes a chain of ``connections``
between the pins of those parts, so connectivity survives even where the wiring ran
through a net label such as ``GND``. Parts Wokwi does not know are listed in a notice.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ohm_desktop.artifacts.export.base import Design, ExportResult, text, write_text
from ohm_desktop.artifacts.export.designators import part_for_reference
from ohm_desktop.artifacts.export.nets import netlist, wires


@dataclass(frozen=True, slots=True)
class _Element:
    type: str
    pin: Callable[[str], str | None]  # Ohm pin name → Wokwi pin name


def _upper(pin: str) -> str:
    return re.sub(r"\s+", "", pin).upper()


def _avr_board_pin(pin: str) -> str | None:
    """Uno/Nano pins: ``D13``→``13``, ``A0``, ``GND``→``GND.1``, ``5V``, ``3.3V``, ``SDA``→``A4``."""
    name = _upper(pin).lstrip("+")
    digital = re.fullmatch(r"D?(\d{1,2})", name)
    if digital and int(digital[1]) <= 13:
        return digital[1]
    aliases = {"GND": "GND.1", "5V": "5V", "VCC": "5V", "3V3": "3.3V", "3.3V": "3.3V", "VIN": "VIN",
               "RESET": "RESET", "RST": "RESET", "AREF": "AREF", "SDA": "A4", "SCL": "A5", "RX": "0", "TX": "1"}
    if re.fullmatch(r"A[0-7]", name):
        return name
    return aliases.get(name)


# wokwi-esp32-devkit-v1 pins: D2..D35, VP, VN, EN, 3V3, VIN, GND.1, RX0/TX0 (GPIO3/1), RX2/TX2 (GPIO16/17).
_ESP32_GPIOS = {2, 4, 5, 12, 13, 14, 15, 18, 19, 21, 22, 23, 25, 26, 27, 32, 33, 34, 35}


def _esp32_pin(pin: str) -> str | None:
    name = _upper(pin).lstrip("+")
    gpio = re.fullmatch(r"(?:GPIO|IO|D|G)?(\d{1,2})", name)
    if gpio:
        number = int(gpio[1])
        special = {1: "TX0", 3: "RX0", 16: "RX2", 17: "TX2", 36: "VP", 39: "VN"}
        return f"D{number}" if number in _ESP32_GPIOS else special.get(number)
    aliases = {"GND": "GND.1", "3V3": "3V3", "3.3V": "3V3", "VCC": "3V3", "VIN": "VIN", "5V": "VIN", "EN": "EN",
               "TX": "TX0", "RX": "RX0", "TX0": "TX0", "RX0": "RX0", "TX2": "TX2", "RX2": "RX2", "VP": "VP", "VN": "VN"}
    return aliases.get(name)


def _table(mapping: dict[str, str]) -> Callable[[str], str | None]:
    return lambda pin: mapping.get(_upper(pin))


_ELEMENTS: tuple[tuple[re.Pattern[str], _Element], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), element)
    for pattern, element in (
        (r"arduino\s*uno", _Element("wokwi-arduino-uno", _avr_board_pin)),
        (r"arduino\s*nano(?!\s*(every|33|esp|iot|ble|rp))", _Element("wokwi-arduino-nano", _avr_board_pin)),
        (r"\besp32\b", _Element("wokwi-esp32-devkit-v1", _esp32_pin)),
        (r"\bHC-?SR04\b|ultrasonic", _Element("wokwi-hc-sr04", _table(
            {"VCC": "VCC", "5V": "VCC", "TRIG": "TRIG", "ECHO": "ECHO", "GND": "GND"}))),
        (r"\bDHT-?22\b|\bAM2302\b", _Element("wokwi-dht22", _table(
            {"VCC": "VCC", "+": "VCC", "DATA": "SDA", "SDA": "SDA", "OUT": "SDA", "SIG": "SDA", "NC": "NC",
             "GND": "GND", "-": "GND"}))),
        (r"\bservo\b|\bSG90\b", _Element("wokwi-servo", _table(
            {"PWM": "PWM", "SIG": "PWM", "SIGNAL": "PWM", "V+": "V+", "VCC": "V+", "5V": "V+", "+": "V+",
             "GND": "GND", "-": "GND"}))),
        (r"\bPIR\b", _Element("wokwi-pir-motion-sensor", _table({"VCC": "VCC", "OUT": "OUT", "GND": "GND"}))),
        (r"\bLCD\b.*\b(16x?02|1602)\b|\b1602\b", _Element("wokwi-lcd1602", _table(
            {"GND": "GND", "VCC": "VCC", "5V": "VCC", "SDA": "SDA", "SCL": "SCL"}))),
        (r"\b4x4\b.*\bkeypad\b|\bmembrane\s*keypad\b", _Element("wokwi-membrane-keypad", _table(
            {name: name for name in ("R1", "R2", "R3", "R4", "C1", "C2", "C3", "C4")}))),
        (r"\bmicro\s*SD\b", _Element("wokwi-microsd-card", _table(
            {"CS": "CS", "SCK": "SCK", "MOSI": "DI", "DI": "DI", "MISO": "DO", "DO": "DO", "VCC": "VCC",
             "5V": "VCC", "GND": "GND", "CD": "CD"}))),
        (r"\bDS1307\b", _Element("wokwi-ds1307", _table(
            {"GND": "GND", "VCC": "5V", "5V": "5V", "SDA": "SDA", "SCL": "SCL", "SQW": "SQW"}))),
        (r"\b(neopixel|WS2812B?)\b.*\bring\b|\bring\b.*\b(neopixel|WS2812B?)\b", _Element("wokwi-led-ring", _table(
            {"GND": "GND", "VCC": "VCC", "5V": "VCC", "DIN": "DIN", "DI": "DIN", "DOUT": "DOUT", "DO": "DOUT"}))),
        (r"\bslide\s*switch\b", _Element("wokwi-slide-switch", _table({"1": "1", "2": "2", "3": "3"}))),
        (r"\bpotentiometer\b|\bpot\b", _Element("wokwi-potentiometer", _table(
            {"1": "GND", "GND": "GND", "2": "SIG", "WIPER": "SIG", "SIG": "SIG", "W": "SIG", "3": "VCC",
             "VCC": "VCC"}))),
        (r"\bbuzzer\b|\bpiezo\b", _Element("wokwi-buzzer", _table(
            {"1": "1", "-": "1", "GND": "1", "2": "2", "+": "2", "SIG": "2"}))),
        (r"\b(push\s*)?button\b|\btactile\b", _Element("wokwi-pushbutton", _table(
            {"1": "1.l", "2": "2.l", "3": "1.r", "4": "2.r"}))),
        (r"\bLED\b(?!\s*(strip|matrix|ring|driver|display))", _Element("wokwi-led", _table(
            {"A": "A", "ANODE": "A", "+": "A", "K": "C", "C": "C", "CATHODE": "C", "-": "C"}))),
        (r"\bresistor\b", _Element("wokwi-resistor", _table({"1": "1", "2": "2"}))),
    )
)
_LED_COLOURS = ("red", "green", "blue", "yellow", "white", "orange", "purple")


def element_for(part: dict[str, Any] | None) -> _Element | None:
    description = " ".join(text(part.get(key)) for key in ("name", "value", "mpn")) if part else ""
    return next((element for pattern, element in _ELEMENTS if pattern.search(description)), None)


def _ohms(value: str) -> str | None:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*(?:Ω|ohms?|R)?\s*", value)
    if match is None:
        return None
    ohms = float(match[1]) * {"": 1, "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6}[match[2]]
    return str(int(ohms)) if ohms.is_integer() else str(ohms)


def _attrs(element: _Element, part: dict[str, Any]) -> dict[str, str]:
    description = f"{text(part.get('name'))} {text(part.get('value'))}".lower()
    if element.type == "wokwi-led":
        colour = next((c for c in _LED_COLOURS if c in description), None)
        return {"color": colour} if colour else {}
    if element.type == "wokwi-resistor":
        ohms = _ohms(text(part.get("value")))
        return {"value": ohms} if ohms else {}
    if element.type == "wokwi-led-ring":
        count = re.search(r"\b(\d{1,3})\s*(?:LEDs|pixels)\b", description)
        return {"pixels": count[1]} if count else {}
    if element.type == "wokwi-lcd1602" and "i2c" in description:
        return {"pins": "i2c"}
    return {}


def _wire_colour(net: str, colours: dict[str, str]) -> str:
    if net in colours:
        return colours[net]
    upper = net.upper()
    return "black" if "GND" in upper else "red" if re.search(r"5V|VCC|3V3|VIN", upper) else "green"


def wokwi_diagram(wiring: dict[str, Any], bom: dict[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """The ``diagram.json`` document and notices (parts and pins Wokwi has no element or pin for)."""
    nets = netlist(wiring)
    references = list(dict.fromkeys(ref for nodes in nets.values() for ref, _ in nodes))
    parts: list[dict[str, Any]] = []
    elements: dict[str, _Element] = {}
    unknown: list[str] = []
    for index, ref in enumerate(references):
        part = part_for_reference(bom, ref)
        element = element_for(part) or element_for({"name": ref})
        if element is None or (part is None and element.type not in {"wokwi-led", "wokwi-resistor"}):
            unknown.append(f"{ref} ({text(part.get('name')) if part else 'not in the BOM'})")
            continue
        elements[ref] = element
        parts.append({"type": element.type, "id": ref, "top": 220 * (index // 4), "left": 260 * (index % 4),
                      "attrs": _attrs(element, part or {})})
    colours: dict[str, str] = {}
    for name, nodes in nets.items():
        for wire in wires(wiring):
            if wire.color and (wire.start in nodes or wire.end in nodes):
                colours.setdefault(name, wire.color.lower())
    connections: list[list[Any]] = []
    unmapped: list[str] = []
    for name, nodes in nets.items():
        pins = []
        for ref, pin in nodes:
            if ref not in elements:
                continue
            wokwi_pin = elements[ref].pin(pin)
            if wokwi_pin is None:
                unmapped.append(f"{ref}.{pin}")
            else:
                pins.append(f"{ref}:{wokwi_pin}")
        pins = list(dict.fromkeys(pins))
        connections += [[a, b, _wire_colour(name, colours), []] for a, b in itertools.pairwise(pins)]
    notices = []
    if unknown:
        notices.append(f"Wokwi has no part for {', '.join(unknown)}: left out of diagram.json with their wires.")
    if unmapped:
        notices.append(f"Wokwi's parts have no pin {', '.join(unmapped)}: those wires were left out.")
    document = {"version": 1, "author": "Ohm Desktop", "editor": "wokwi", "parts": parts,
                "connections": connections, "dependencies": {}}
    return document, notices


def diagram_file(content: dict[str, Any], path: Path, design: Design) -> ExportResult:
    document, notices = wokwi_diagram(content, design.bom)
    return ExportResult(write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n"), notices)
