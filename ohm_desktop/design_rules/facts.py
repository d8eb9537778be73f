"""Questions the rules ask about a resolved design: rails, grounds, drivers, where a wire is."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from ohm_desktop.artifacts.consistency import Finding, Severity
from ohm_desktop.design_rules.design import Component, Design, Terminal
from ohm_desktop.design_rules.nets import Net

_VOLT_LABEL = re.compile(r"^\+?(\d+(?:\.\d+)?)V$|^\+?(\d)V(\d)$", re.I)


def label_voltage(label: str) -> float | None:
    """``5V`` → 5.0, ``3V3``/``+3.3V`` → 3.3, anything else None."""
    match = _VOLT_LABEL.match(label.strip())
    if not match:
        return None
    if match.group(1):
        return float(match.group(1))
    return float(f"{match.group(2)}.{match.group(3)}")


def sources(design: Design, net: Net) -> list[tuple[str, float]]:
    """(what, volts) of everything that sets this net's voltage: power outputs and voltage labels."""
    found: list[tuple[str, float]] = []
    for terminal in design.terminals_on(net):
        volts = _output_voltage(terminal)
        if terminal.type == "power_out" and volts is not None:
            found.append((terminal.label, volts))
    for label in sorted(net.labels | net.names):
        volts = label_voltage(label)
        if volts is not None:
            found.append((label, volts))
    return found


def _output_voltage(terminal: Terminal) -> float | None:
    if terminal.board_pin is not None:
        return terminal.board_pin.voltage
    return terminal.part_pin.voltage if terminal.part_pin is not None else None


def rail_voltage(design: Design, net: Net | None) -> float | None:
    """The net's voltage when one source sets it (the highest when several disagree)."""
    if net is None:
        return None
    volts = [v for _, v in sources(design, net)]
    return max(volts) if volts else None


def is_ground(design: Design, net: Net | None) -> bool:
    return net is not None and (net.is_ground_label or any(t.type == "ground" for t in design.terminals_on(net)))


def is_power(design: Design, net: Net | None) -> bool:
    return net is not None and (is_ground(design, net) or rail_voltage(design, net) is not None)


def controller_io(design: Design, net: Net) -> list[Terminal]:
    """The controller's I/O pins on this net."""
    controller = design.controller
    if controller is None:
        return []
    return [t for t in design.terminals_on(net) if t.designator == controller.designator
            and t.board_pin is not None and t.board_pin.number is not None]


def controller_ground(design: Design) -> Net | None:
    controller = design.controller
    if controller is None or controller.board is None:
        return None
    for pin in controller.board.grounds:
        net = design.net_of(controller.designator, pin.name)
        if net is not None:
            return net
    return None


def other_nets(design: Design, component: Component, net: Net) -> list[Net]:
    """The nets on a two-terminal part's other pins (a resistor's far end)."""
    return [other for other in design.nets_of(component.designator) if other is not net]


def location(design: Design, net: Net | None, designator: str | None = None) -> str:
    """``connections[i]``: the first wire of ``net`` that touches ``designator`` (or any wire of it)."""
    if net is None or not net.connections:
        return designator or "wiring"
    indices = sorted(net.connections)
    if designator:
        for index in indices:
            connection = design.connections[index] if index < len(design.connections) else {}
            ends = (str(connection.get("from", "")), str(connection.get("to", "")))
            if any(end.split(".", 1)[0].strip() == designator for end in ends):
                return f"connections[{index}]"
    return f"connections[{indices[0]}]"


def finding(severity: Severity, artifact: Literal["bom", "code", "wiring"], where: str, message: str, code: str, *,
            parts: Iterable[str] = (), pins: Iterable[str] = (), nets: Iterable[Net | str] = ()) -> Finding:
    """A Finding with its parts, pins and nets de-duplicated in order."""
    net_names = tuple(dict.fromkeys(n if isinstance(n, str) else n.name for n in nets))
    return Finding(severity, artifact, where, message, code, tuple(dict.fromkeys(parts)), tuple(dict.fromkeys(pins)),
                   net_names)


def board_name(design: Design) -> str:
    controller = design.controller
    if controller is None or controller.board is None:
        return "the board"
    board = controller.board
    short = {"uno": "an Uno", "nano": "a Nano", "mega": "a Mega", "leonardo": "a Leonardo", "micro": "a Micro",
             "pro": "a Pro Mini", "esp32": "an ESP32", "nodemcu": "a NodeMCU", "pico": "a Pico",
             "nona4809": "a Nano Every"}
    return short.get(board.id, board.name)


def pin_list(names: Iterable[str], limit: int = 8) -> str:
    """``D3, D5, D6 or D9``: a short, readable list of alternatives."""
    items = list(dict.fromkeys(names))
    if len(items) > limit:
        items = [*items[:limit], "…"]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1] if items else "none"
