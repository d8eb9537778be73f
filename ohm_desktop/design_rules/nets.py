"""Nets: wiring connections merged into the electrical nodes they form.

A wire chain is one net (U1.D9 → R1.1 and R1.1 → ... share R1.1); a bare endpoint such as
``GND`` or ``5V`` is a net label, so every wire to ``GND`` lands on one net; pins a part joins
internally (a board's three GND pins) are merged when the caller's ``canonical`` maps them to one
name. Exports (KiCad netlist) and the simulator can use this as-is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Endpoint = tuple[str, str]
"""(designator, pin); a net label is ("", label)."""

_GROUND_LABEL = re.compile(r"^(GND|GROUND|0V|VSS|AGND|DGND|-)$", re.I)


def split_endpoint(text: str) -> Endpoint:
    """``"U1.D9"`` → ("U1", "D9"); ``"GND"`` → ("", "GND") (a net label)."""
    part, dot, pin = text.strip().partition(".")
    if dot and part.strip() and pin.strip():
        return part.strip(), pin.strip()
    return "", text.strip()


@dataclass
class Net:
    """One electrical node: its endpoints, the connections that form it and a human name."""

    id: int
    endpoints: set[Endpoint] = field(default_factory=set)
    connections: set[int] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    #: A caller's better name when the wiring gave none (the board pin on it: ``U1.D7``).
    preferred: str | None = None

    @property
    def labels(self) -> set[str]:
        return {pin for part, pin in self.endpoints if not part}

    @property
    def pins(self) -> list[Endpoint]:
        """The part pins on this net (labels excluded), sorted for stable output."""
        return sorted(e for e in self.endpoints if e[0])

    @property
    def is_ground_label(self) -> bool:
        return any(_GROUND_LABEL.match(label) for label in self.labels | self.names)

    @property
    def name(self) -> str:
        """The wiring's net name when it gave one, else a label, else the first pin (``U1.D9``)."""
        if not self.names and self.preferred:
            return self.preferred
        for candidates in (self.names, self.labels):
            if candidates:
                return sorted(candidates, key=lambda n: (len(n), n))[0]
        pins = self.pins
        return f"{pins[0][0]}.{pins[0][1]}" if pins else f"net{self.id}"


def build_nets(connections: Iterable[Mapping[str, Any]],
               canonical: Callable[[str, str], str] | None = None) -> list[Net]:
    """Merge ``connections`` (``{"from", "to", "net"?}``) into nets; ``canonical(part, pin)`` names a pin
    the same way whatever alias the wiring used (``D13``/``13``/``SCK``)."""
    parent: dict[Endpoint, Endpoint] = {}

    def find(item: Endpoint) -> Endpoint:
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def endpoint(text: str) -> Endpoint:
        part, pin = split_endpoint(text)
        if part and canonical is not None:
            pin = canonical(part, pin)
        return part, pin if part else pin.upper()

    wires: list[tuple[int, Endpoint, Endpoint, str | None]] = []
    for index, connection in enumerate(connections):
        if not isinstance(connection, Mapping):
            continue
        start, end = str(connection.get("from", "")).strip(), str(connection.get("to", "")).strip()
        if not start or not end:
            continue
        a, b = endpoint(start), endpoint(end)
        name = str(connection["net"]).strip() if connection.get("net") else None
        wires.append((index, a, b, name))
        parent[find(a)] = find(b)
        if name:
            # A named net joins every wire that carries the same name, like a label.
            parent[find(("", f"net:{name}"))] = find(a)
    nets: dict[Endpoint, Net] = {}
    for index, a, b, name in wires:
        net = nets.setdefault(find(a), Net(len(nets)))
        net.endpoints.update((a, b))
        net.connections.add(index)
        if name:
            net.names.add(name)
    return list(nets.values())
