"""The wiring as data every wiring export reads: wires, the pins each part uses, and nets.

A wire end is ``PART.PIN`` (``U1.D9``); a bare name (``GND``) is a net label, not a part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Wire:
    """One connection of the wiring artifact, its ends split into (reference, pin)."""

    start: tuple[str, str]
    end: tuple[str, str]
    net: str
    color: str

    @property
    def ends(self) -> tuple[tuple[str, str], tuple[str, str]]:
        return self.start, self.end


def split_endpoint(endpoint: str) -> tuple[str, str]:
    """``U1.D9`` → (``U1``, ``D9``); a bare name (``GND``) is a net label: (``GND``, ``""``)."""
    part, dot, pin = endpoint.strip().partition(".")
    return (part.strip(), pin.strip()) if dot and part.strip() else (endpoint.strip(), "")


def wires(content: dict[str, Any]) -> list[Wire]:
    return [
        Wire(
            split_endpoint(str(connection.get("from", ""))),
            split_endpoint(str(connection.get("to", ""))),
            str(connection.get("net") or "").strip(),
            str(connection.get("color") or "").strip(),
        )
        for connection in content.get("connections") or []
        if isinstance(connection, dict)
    ]


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts ``D2`` before ``D10`` and ``1`` before ``A0``."""
    return tuple((0, int(piece)) if piece.isdigit() else (1, piece.lower()) for piece in re.findall(r"\d+|\D+", text))


def used_pins(wiring: list[Wire]) -> dict[str, list[str]]:
    """Part reference → the pins its wires use, in natural order (net labels have none)."""
    pins: dict[str, set[str]] = {}
    for wire in wiring:
        for reference, pin in wire.ends:
            listed = pins.setdefault(reference, set())
            if pin:
                listed.add(pin)
    return {reference: sorted(found, key=natural_key) for reference, found in pins.items()}


def netlist(content: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Nets of the wiring: net name → sorted (reference, pin) nodes.

    Connected endpoints form one net (union-find). A net is named by a ``net`` field of one
    of its wires, else by a bare label endpoint such as ``GND``, else ``N1``, ``N2``...
    """
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(node: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    names: dict[tuple[str, str], str] = {}
    for wire in wires(content):
        parent[find(wire.start)] = find(wire.end)
        if wire.net:
            names.setdefault(wire.start, wire.net)
        for node in wire.ends:
            if not node[1]:
                names.setdefault(node, node[0])
    members: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for node in list(parent):
        members.setdefault(find(node), []).append(node)
    nets: dict[str, list[tuple[str, str]]] = {}
    unnamed = 0
    for nodes in sorted(members.values(), key=lambda group: sorted(group)[0]):
        label = next((names[n] for n in sorted(nodes) if n in names), None)
        if label is None:
            unnamed += 1
            label = f"N{unnamed}"
        while label in nets:
            label += "_"
        nets[label] = sorted(node for node in nodes if node[1])
    return nets
