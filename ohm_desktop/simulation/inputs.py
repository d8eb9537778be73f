"""What the outside world applies to the board: analog voltages and digital levels on pins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ohm_desktop.errors import UsageError
from ohm_desktop.simulation.boards import SimBoard

_LEVELS = {"LOW": 0, "0": 0, "HIGH": 1, "1": 1, "RELEASED": None, "Z": None, "FLOAT": None}
_DISTANCE = re.compile(r"^(\d+(?:\.\d+)?)\s*(mm|cm|m)$", re.IGNORECASE)
_VOLTS = re.compile(r"^(-?\d+(?:\.\d+)?)\s*(m?V)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PinInput:
    """``A0`` at ``volts``, or a digital pin held at ``level`` (None: released, its pull-up wins)."""

    pin: str
    volts: float | None = None
    level: int | None = None
    distance_cm: float | None = None  # ``pin`` is then an ultrasonic sensor's designator

    @property
    def analog(self) -> bool:
        return self.volts is not None

    def to_dict(self) -> dict[str, Any]:
        if self.distance_cm is not None:
            return {"part": self.pin, "distance_cm": round(self.distance_cm, 1)}
        if self.volts is not None:
            return {"pin": self.pin, "volts": round(self.volts, 4)}
        return {"pin": self.pin, "level": "released" if self.level is None else ("HIGH" if self.level else "LOW")}


def parse_input(text: str, board: SimBoard, ultrasonic: tuple[str, ...] = ()) -> PinInput:
    """``A0=1.0V``, ``A1=2500mV``, ``D2=LOW``, ``D7=HIGH``, ``D2=released``, and ``U4=30cm`` for an
    ultrasonic sensor of the design (designators in ``ultrasonic``); UsageError otherwise."""
    pin_text, sep, value = text.partition("=")
    pin, value = pin_text.strip().upper(), value.strip()
    if not sep or not pin or not value:
        raise UsageError(f"Input {text!r} must look like PIN=VALUE, e.g. A0=1.0V or D2=LOW.")
    distance = _DISTANCE.match(value)
    if distance is not None:
        if pin not in ultrasonic:
            known = ", ".join(ultrasonic) or "none in this design"
            raise UsageError(f"{pin} is not an ultrasonic sensor of the design (simulated ones: {known}).")
        cm = float(distance[1]) * {"mm": 0.1, "cm": 1.0, "m": 100.0}[distance[2].lower()]
        if not 2 <= cm <= 400:
            raise UsageError(f"{cm:g} cm is outside what an HC-SR04 measures (2..400 cm).")
        return PinInput(pin, distance_cm=cm)
    level_key = value.upper()
    if level_key in _LEVELS:
        port = board.port_of(pin)
        if port is None:
            raise UsageError(f"{board.name} has no digital pin {pin}: use a pin such as D2 or A0.")
        return PinInput(_canonical(pin, board), level=_LEVELS[level_key])
    volts_match = _VOLTS.match(value)
    if volts_match is None:
        raise UsageError(f"Input {text!r} has no value I understand: give volts (A0=1.0V) or LOW/HIGH (D2=LOW).")
    analog = board.analog_pin(pin)
    if analog is None:
        raise UsageError(f"{pin} on the {board.name} is not an analog input: use A0..A{len(board.analog) - 1}.")
    volts = float(volts_match[1]) / (1000 if (volts_match[2] or "").lower() == "mv" else 1)
    vcc = board.vcc_mv / 1000
    if not 0 <= volts <= vcc:
        raise UsageError(f"{volts:g} V on {pin} is outside 0..{vcc:g} V, what the {board.name}'s ADC can read.")
    return PinInput(analog.name, volts=volts)


def _canonical(pin: str, board: SimBoard) -> str:
    port = board.port_of(pin)
    return board.pin_name(port) if port is not None else pin
