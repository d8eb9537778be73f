"""Pin names and electrical types of ICs from KiCad's symbol libraries, when they are installed.

Debian's ``kicad-symbols`` puts the libraries in ``/usr/share/kicad/symbols/*.kicad_sym`` (KiCad 6
S-expression format: ``(symbol "NAME" ... (pin TYPE STYLE ... (name "A0") (number "1")))``,
see https://dev-docs.kicad.org/en/file-formats/sexpr-symbol-lib/). Only parts missing from Ohm's
library are looked up, so this costs nothing for a design made of known parts.
"""

from __future__ import annotations

import bisect
import functools
import re
from pathlib import Path

from ohm_desktop.design_rules.model import Part, PartPin, PinType

KICAD_SYMBOL_DIRS = (Path("/usr/share/kicad/symbols"), Path("/usr/local/share/kicad/symbols"))

_SYMBOL = re.compile(r'^  \(symbol "([^"]+)"(?: \(extends "([^"]+)"\))?', re.MULTILINE)
_PIN = re.compile(r'\(pin (\w+) \w+ .*?\(name "([^"]*)".*?\(number "([^"]*)"', re.DOTALL)
# KiCad electrical types → ours. Tri-state pins (SPI MISO, bus drivers) share a net by design, so they
# count as bidirectional, never as a second push-pull output; open-collector/emitter are open-drain.
_TYPES: dict[str, PinType] = {
    "input": "input", "output": "output", "bidirectional": "bidirectional", "tri_state": "bidirectional",
    "passive": "passive", "power_in": "power_in", "power_out": "power_out", "open_collector": "open_drain",
    "open_emitter": "open_drain", "free": "unknown", "unspecified": "unknown", "no_connect": "unknown",
}
_GROUND_NAMES = re.compile(r"^(GND|VSS|AGND|DGND|PGND|EP|GND\d*)$", re.I)


def _key(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


@functools.cache
def _index() -> dict[str, tuple[Path, int, str | None]]:
    """Normalised symbol name → (library file, offset of its definition, parent it extends)."""
    index: dict[str, tuple[Path, int, str | None]] = {}
    for folder in KICAD_SYMBOL_DIRS:
        if not folder.is_dir():
            continue
        for library in sorted(folder.glob("*.kicad_sym")):
            text = library.read_text(encoding="utf-8", errors="replace")
            for match in _SYMBOL.finditer(text):
                index.setdefault(_key(match.group(1)), (library, match.start(), match.group(2)))
    return index


@functools.cache
def _sorted_keys() -> tuple[str, ...]:
    return tuple(sorted(_index()))


def _lookup(name: str) -> tuple[Path, int, str | None] | None:
    """Exact symbol name, else the shortest one that starts with it (``NE555`` → ``NE555D``: KiCad
    names many symbols by MPN plus package suffix)."""
    key = _key(name)
    index = _index()
    if key in index or len(key) < 4:
        return index.get(key)
    keys = _sorted_keys()
    start = bisect.bisect_left(keys, key)
    matches = [k for k in keys[start:start + 50] if k.startswith(key)]
    return index[min(matches, key=len)] if matches else None


def available() -> bool:
    return any(folder.is_dir() for folder in KICAD_SYMBOL_DIRS)


def symbol_pins(name: str, depth: int = 0) -> tuple[PartPin, ...] | None:
    """The pins of KiCad symbol ``name`` (an MPN such as ``PCF8574``), None when KiCad has no such symbol."""
    entry = _lookup(name)
    if entry is None or depth > 3:
        return None
    library, offset, parent = entry
    if parent is not None:
        return symbol_pins(parent, depth + 1)
    text = library.read_text(encoding="utf-8", errors="replace")
    following = _SYMBOL.search(text, offset + 1)
    body = text[offset: following.start() if following else len(text)]
    pins: dict[str, PartPin] = {}
    for kind, pin_name, number in _PIN.findall(body):
        pin_type = _TYPES.get(kind, "unknown")
        if pin_type in {"power_in", "passive"} and _GROUND_NAMES.match(pin_name):
            pin_type = "ground"  # KiCad marks GND as power_in (or passive); the rules need to know it is ground
        label = pin_name if pin_name and pin_name != "~" else number
        # "~{RESET}/PB5": the overbar is markup, and either function name is how people wire it.
        plain = re.sub(r"~\{([^}]*)\}", r"\1", label)
        aliases = tuple(dict.fromkeys(a for a in (number, plain, *plain.split("/")) if a and a != label))
        pins.setdefault(label, PartPin(label, pin_type, aliases))
    return tuple(pins.values()) or None


def kicad_part(designator: str, name: str, mpn: str | None) -> Part | None:
    """A stand-in part built from KiCad's symbol for ``mpn`` (or a name word that is a symbol name)."""
    candidates = [mpn] if mpn else []
    candidates += [word for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9\-]{3,}", name) if re.search(r"\d", word)]
    for candidate in candidates:
        pins = symbol_pins(candidate)
        if pins:
            return Part(id=f"kicad:{candidate}", name=name, kind="ic", pins=pins, origin="kicad",
                        source=f"KiCad symbol {candidate}")
    return None
