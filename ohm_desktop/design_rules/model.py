"""The vocabulary every design check speaks: pin electrical types, board pins, parts and their pins.

Boards and library parts are plain frozen data, so exports (KiCad netlist, WireViz) and the
simulator can read the same facts the rules do.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Literal

PinType = Literal[
    "power_in", "power_out", "ground", "input", "output", "bidirectional", "open_drain", "passive", "unknown"
]
PIN_TYPES: tuple[PinType, ...] = (
    "power_in", "power_out", "ground", "input", "output", "bidirectional", "open_drain", "passive", "unknown"
)

Capability = Literal[
    "digital", "analog", "pwm", "interrupt", "input_only",
    "i2c_sda", "i2c_scl", "spi_mosi", "spi_miso", "spi_sck", "spi_ss", "uart_rx", "uart_tx",
]


@functools.lru_cache(maxsize=4096)
def pin_key(name: str) -> str:
    """How pin names compare: case, spaces, dashes and underscores do not matter (``3V3`` = ``3.3v``),
    nor a note in brackets (``D9 (PWM)``)."""
    key = re.sub(r"[\s_\-]+", "", re.sub(r"\(.*?\)", "", name).strip().upper()) or name.strip().upper()
    return "3V3" if key in {"3.3V", "3V3", "3.3"} else key


def _pieces(name: str) -> list[str]:
    """``GPIO21/SDA`` → [``GPIO21/SDA``, ``GPIO21``, ``SDA``]: either function name is how people wire it."""
    parts = [p for p in name.split("/") if p.strip()]
    return [name, *parts] if len(parts) > 1 else [name]


@dataclass(frozen=True, slots=True)
class BoardPin:
    """One header pin of a development board.

    ``number`` is the Arduino pin number (what ``digitalWrite`` takes) for I/O pins and None for
    power pins; ``voltage`` is the rail of a power output (``5V`` → 5.0) and None elsewhere.
    """

    name: str
    type: PinType
    aliases: tuple[str, ...] = ()
    number: int | None = None
    capabilities: frozenset[Capability] = frozenset()
    voltage: float | None = None
    #: Most current this pin may deliver: a power rail's budget, or an I/O pin's absolute maximum.
    max_current_ma: float | None = None
    #: A power input's recommended range and its absolute maximum (Uno VIN: 7-12 V, 20 V).
    supply: tuple[float, float] | None = None
    supply_max_v: float | None = None

    def has(self, capability: Capability) -> bool:
        return capability in self.capabilities


@dataclass(frozen=True, slots=True)
class Board:
    """A development board: its header pins and electrical limits, each fact with its source."""

    id: str
    name: str
    fqbns: tuple[str, ...]
    mcu: str
    logic_v: float
    pins: tuple[BoardPin, ...]
    #: Names people and models call it ("Arduino Uno R3", "UNO").
    aliases: tuple[str, ...] = ()
    #: Per I/O pin: what the datasheet recommends (warning above) and its absolute maximum (error above).
    pin_recommended_ma: float = 20.0
    pin_max_ma: float = 40.0
    #: Whether inputs take 5 V (AVR at 5 V: yes; ESP32, ESP8266, RP2040: no).
    five_volt_tolerant: bool = True
    sources: tuple[str, ...] = ()
    _index: dict[str, BoardPin] = field(default_factory=dict, compare=False, repr=False)
    #: Answers of :meth:`pin` so far: every check asks for the same few names again.
    _lookups: dict[str, BoardPin | None] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for pin in self.pins:
            for label in (pin.name, *pin.aliases):
                self._index.setdefault(pin_key(label), pin)
            if pin.number is not None:
                self._index.setdefault(str(pin.number), pin)

    def pin(self, name: str) -> BoardPin | None:
        """The pin called ``name`` (``D9``, ``9``, ``GPIO9``, ``A0``, ``SDA``, ``5V``...), None if absent."""
        if name not in self._lookups:
            self._lookups[name] = self._find(name)
        return self._lookups[name]

    def _find(self, name: str) -> BoardPin | None:
        for piece in _pieces(name):
            key = pin_key(piece)
            found = self._index.get(key)
            if found is None:
                match = re.fullmatch(r"(?:D|GPIO|IO|GP|PIN)(\d+)", key)
                found = self._index.get(str(int(match.group(1)))) if match else None
            if found is not None:
                return found
        return None

    def pins_with(self, capability: Capability) -> tuple[BoardPin, ...]:
        return tuple(p for p in self.pins if p.has(capability))

    @property
    def grounds(self) -> tuple[BoardPin, ...]:
        return tuple(p for p in self.pins if p.type == "ground")


@dataclass(frozen=True, slots=True)
class PartPin:
    """One pin of a library part; ``supply`` is the voltage range a power input accepts."""

    name: str
    type: PinType
    aliases: tuple[str, ...] = ()
    supply: tuple[float, float] | None = None
    #: A power output's rail voltage (a regulator's OUT, a battery's +).
    voltage: float | None = None
    #: Bus role, so the bus rules find SDA/SCL (or a 1-Wire DATA line) whatever the pin is printed as.
    bus: Literal["sda", "scl", "mosi", "miso", "sck", "cs", "tx", "rx", "data"] | None = None


@dataclass(frozen=True, slots=True)
class Part:
    """A reviewed part of the library (a chip, a breakout or module, or a discrete part)."""

    id: str
    name: str
    kind: str
    pins: tuple[PartPin, ...]
    names: tuple[str, ...] = ()
    mpns: tuple[str, ...] = ()
    #: Highest voltage a logic input takes (3.6 for a 3.3 V-only chip); None when it does not matter.
    io_max_v: float | None = None
    i2c_addresses: tuple[int, ...] = ()
    #: Pins that pick another I2C address when wired (AD0, ADDR, A0...).
    address_pins: tuple[str, ...] = ()
    #: A breakout's own SDA/SCL pull-up resistors and voltage regulator.
    pullups: bool = False
    regulator: bool = False
    #: Typical current from its supply in operation (mA), for rail budgets.
    current_ma: float = 0.0
    #: Motors, relay coils, solenoids: must not hang on an I/O pin directly.
    inductive: bool = False
    #: The development board this part is (board id), for dev-board BOM lines.
    board: str | None = None
    #: Forward voltage of an LED, for the series-current estimate.
    forward_v: float | None = None
    #: A bare chip's usual breakout (id): a BOM line that says "module" or "breakout" means that one.
    breakout: str | None = None
    #: How it was identified: "library", "designator" (inferred from R1, C2...), "kicad" or "unknown".
    origin: str = "library"
    source: str = ""
    _index: dict[str, PartPin] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for pin in self.pins:
            for label in (pin.name, *pin.aliases):
                self._index.setdefault(pin_key(label), pin)

    def pin(self, name: str) -> PartPin | None:
        return next((p for p in (self._index.get(pin_key(piece)) for piece in _pieces(name)) if p), None)

    def pins_of(self, *types: PinType) -> tuple[PartPin, ...]:
        return tuple(p for p in self.pins if p.type in types)
