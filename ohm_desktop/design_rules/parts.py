"""The parts library (resources/design_rules/parts.toml) and how a BOM line is matched to it.

A BOM line matches by MPN first, then by name (whole words, the longest library name wins). A line
that matches nothing is inferred from its designator class (R, C, D/LED, M, SW, K...) so the
obvious rules still apply; an IC that is not in the library may still get its pins from KiCad's
symbol libraries when they are installed.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from ohm_desktop.design_rules.model import PIN_TYPES, Part, PartPin
from ohm_desktop.paths import resources_dir

_MODULE_WORDS = re.compile(r"\b(module|breakout|board|gy-?\d+|carrier)\b", re.I)
_DESIGNATOR = re.compile(r"^([A-Za-z]+)\d*")
# Designator prefix → library part standing in for an unknown line of that class (IEEE 315 / IPC letters).
_CLASS_PARTS = {
    "R": "resistor", "C": "capacitor-ceramic", "LED": "led", "M": "dc-motor", "MOT": "dc-motor",
    "SW": "pushbutton", "S": "pushbutton", "BTN": "pushbutton", "K": "relay-5v", "RL": "relay-5v",
    "RLY": "relay-5v", "Q": "npn-2n2222", "RV": "potentiometer", "VR": "potentiometer", "POT": "potentiometer",
    "BZ": "active-buzzer", "LS": "active-buzzer",
}


def parse_pin(text: str) -> PartPin:
    """``"VCC|VIN:power_in:3.0-5.5"``, ``"OUT:power_out=5.0"``, ``"SDA:open_drain@sda"`` → a PartPin."""
    labels, _, spec = text.partition(":")
    names = [label.strip() for label in labels.split("|") if label.strip()]
    spec, _, bus = spec.partition("@")
    kind, _, extra = spec.partition(":")
    voltage: float | None = None
    if "=" in kind:
        kind, _, volts = kind.partition("=")
        voltage = float(volts)
    if kind not in PIN_TYPES:
        raise ValueError(f"pin {text!r}: type must be one of {', '.join(PIN_TYPES)}")
    supply: tuple[float, float] | None = None
    if extra:
        low, _, high = extra.partition("-")
        supply = (float(low), float(high))
    role = bus.strip().lower() or None
    if role not in {None, "sda", "scl", "mosi", "miso", "sck", "cs", "tx", "rx", "data"}:
        raise ValueError(f"pin {text!r}: unknown bus role {role!r}")
    return PartPin(names[0], kind, tuple(names[1:]), supply, voltage, cast(Any, role))


def part_from_table(raw: dict[str, Any]) -> Part:
    names = tuple(str(n) for n in raw.get("names", ()))
    return Part(
        id=str(raw["id"]),
        name=names[0] if names else str(raw["id"]),
        kind=str(raw["kind"]),
        pins=tuple(parse_pin(str(p)) for p in raw.get("pins", ())),
        names=names,
        mpns=tuple(str(m) for m in raw.get("mpns", ())),
        io_max_v=raw.get("io_max_v"),
        i2c_addresses=tuple(int(a) for a in raw.get("i2c", ())),
        address_pins=tuple(str(p) for p in raw.get("address_pins", ())),
        pullups=bool(raw.get("pullups", False)),
        regulator=bool(raw.get("regulator", False)),
        current_ma=float(raw.get("current_ma", 0.0)),
        inductive=bool(raw.get("inductive", False)),
        board=raw.get("board"),
        forward_v=raw.get("forward_v"),
        breakout=raw.get("breakout"),
        source=str(raw.get("source", "")),
    )


def _key(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", text.lower())) + " "


class PartsLibrary:
    """Library parts by id, MPN and name."""

    def __init__(self, parts: Iterable[Part]) -> None:
        self.parts: tuple[Part, ...] = tuple(parts)
        self._by_id = {part.id: part for part in self.parts}
        self._by_mpn = {_key(mpn): part for part in self.parts for mpn in part.mpns}
        self._names = sorted(((_words(name), part) for part in self.parts for name in (part.name, *part.names)),
                             key=lambda item: -len(item[0]))
        # The same BOM lines are matched on every check of a chat: remember the answers.
        self._matches: dict[tuple[str, str | None], Part | None] = {}

    def by_id(self, part_id: str) -> Part | None:
        return self._by_id.get(part_id)

    def by_mpn(self, mpn: str) -> Part | None:
        """Exact MPN, or the longest library MPN the given one starts with (``L7805CV-DG`` → L7805CV)."""
        key = _key(mpn)
        if not key:
            return None
        if key in self._by_mpn:
            return self._by_mpn[key]
        prefixes = [k for k in self._by_mpn if len(k) >= 5 and key.startswith(k)]
        return self._by_mpn[max(prefixes, key=len)] if prefixes else None

    def by_name(self, name: str) -> Part | None:
        """The longest library name found as a phrase; failing that, the longest whose words all appear
        ("12V DC power supply" has every word of "12V power supply")."""
        words = _words(name)
        found = next((part for alias, part in self._names if alias in words), None)
        if found is not None:
            return found
        present = set(words.split())
        return next((part for alias, part in self._names if len(alias.split()) >= 2 and set(alias.split()) <= present),
                    None)

    def match(self, name: str, mpn: str | None = None) -> Part | None:
        """The library part a BOM line means: by MPN, then by name; None when neither matches."""
        key = (name, mpn)
        if key not in self._matches:
            self._matches[key] = self._match(name, mpn)
        return self._matches[key]

    def _match(self, name: str, mpn: str | None) -> Part | None:
        part = self.by_mpn(mpn) if mpn else None
        part = part or self.by_name(name)
        if part is not None and part.breakout and _MODULE_WORDS.search(name):
            return self._by_id.get(part.breakout, part)
        return part

    def infer(self, designator: str, name: str) -> Part | None:
        """A stand-in for an unknown line from its designator class (``R3`` → resistor), else None."""
        match = _DESIGNATOR.match(designator.strip())
        prefix = match.group(1).upper() if match else ""
        if prefix == "D":
            prefix = "LED" if re.search(r"\bled\b", name, re.I) else "D"
        if prefix in {"K", "RL", "RLY"} and _MODULE_WORDS.search(name):
            return None  # a relay *module* has its own driver: nothing safe to infer
        part_id = _CLASS_PARTS.get(prefix)
        if prefix == "D":
            part_id = "diode-1n4007"
        stand_in = self._by_id.get(part_id or "")
        return None if stand_in is None else replace(stand_in, origin="designator")


def load_library(path: Path | None = None) -> PartsLibrary:
    """Read the library TOML (the bundled one by default)."""
    source = path or resources_dir() / "design_rules" / "parts.toml"
    with source.open("rb") as handle:
        data = tomllib.load(handle)
    return PartsLibrary(part_from_table(raw) for raw in data.get("part", ()))


@functools.cache
def default_library() -> PartsLibrary:
    """The bundled library, read once per process."""
    return load_library()


def find_part(name: str, mpn: str | None = None) -> Part | None:
    """A library part by MPN, then by name (``find_part("GY-521")``)."""
    return default_library().match(name, mpn)
