"""A design resolved for checking: BOM lines matched to boards and parts, wires merged into nets.

``resolve_design`` is the one place that decides what each designator is; the rules only read
the result, so they never guess at names themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ohm_desktop.artifacts.consistency import expand_designators
from ohm_desktop.design_rules.boards import BoardCatalog, default_catalog
from ohm_desktop.design_rules.firmware_use import FirmwareUse, read_firmware
from ohm_desktop.design_rules.kicad_symbols import kicad_part
from ohm_desktop.design_rules.model import Board, BoardPin, Part, PartPin, PinType
from ohm_desktop.design_rules.nets import Endpoint, Net, build_nets
from ohm_desktop.design_rules.parts import PartsLibrary, default_library

_BOARD_PIN = re.compile(r"^(?:D|GPIO|IO|GP|A)\d+$", re.I)
_VALUE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmMrR]?)\s*(\d*)\s*(?:Ω|ohms?|R)?\s*$", re.I)


@dataclass
class Component:
    """One designator of the design and what it is."""

    designator: str
    name: str
    part: Part | None = None
    board: Board | None = None
    value: str | None = None
    #: "board", "library", "designator" (inferred), "kicad" or "unknown".
    origin: str = "unknown"

    @property
    def kind(self) -> str:
        return "board" if self.board is not None else (self.part.kind if self.part else "unknown")

    def resistance_ohms(self) -> float | None:
        """``220``, ``220R``, ``4.7k``, ``4k7``, ``10 kΩ`` → ohms; None when absent or unreadable."""
        match = _VALUE.match(self.value or "")
        if not match:
            match = _VALUE.match(re.sub(r"(?i)\s*(ohm|Ω).*$", "", self.name.split()[0] if self.name else ""))
            if not match:
                return None
        number, unit, tail = match.groups()
        scale = {"k": 1e3, "m": 1e6, "r": 1.0, "": 1.0}[unit.lower()]
        return float(f"{number}.{tail}" if tail else number) * scale


@dataclass(frozen=True, slots=True)
class Terminal:
    """A wired pin: who it belongs to and what kind of pin it is."""

    designator: str
    pin: str
    type: PinType
    board_pin: BoardPin | None = None
    part_pin: PartPin | None = None

    @property
    def label(self) -> str:
        return f"{self.designator}.{self.pin}"


@dataclass
class Design:
    components: dict[str, Component]
    nets: list[Net]
    terminals: dict[Endpoint, Terminal]
    firmware: FirmwareUse | None
    controller: Component | None
    connections: list[dict[str, Any]]
    has_bom: bool
    #: The board the sketch's FQBN names, when it names one this catalog knows.
    sketch_board: Board | None = None
    #: Results rules share within one check (firmware pin uses per board pin...), keyed by name.
    memo: dict[str, Any] = field(default_factory=dict)
    _net_of: dict[Endpoint, Net] = field(default_factory=dict)
    _terminals: dict[int, list[Terminal]] = field(default_factory=dict)
    _nets_by_part: dict[str, list[Net]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Indexed once: the rules ask these questions for every part and net (a check stays O(wires)).
        for net in self.nets:
            pins = net.pins
            self._terminals[net.id] = [self.terminals[e] for e in pins if e in self.terminals]
            for endpoint in net.endpoints:
                self._net_of[endpoint] = net
            for designator in dict.fromkeys(d for d, _ in pins):
                self._nets_by_part.setdefault(designator, []).append(net)

    def net_of(self, designator: str, pin: str) -> Net | None:
        return self._net_of.get((designator, pin))

    def terminals_on(self, net: Net) -> list[Terminal]:
        return self._terminals.get(net.id, [])

    def nets_of(self, designator: str) -> list[Net]:
        """Every net a part has a pin on, in wiring order."""
        return self._nets_by_part.get(designator, [])

    def component(self, designator: str) -> Component | None:
        return self.components.get(designator)

    def board_terminal(self, number_or_name: str) -> tuple[BoardPin, Net | None] | None:
        """A controller pin by the firmware's name for it, with its net (None when unwired)."""
        if self.controller is None or self.controller.board is None:
            return None
        pin = self.controller.board.pin(number_or_name)
        if pin is None:
            return None
        return pin, self.net_of(self.controller.designator, pin.name)


def resolve_design(bom: dict[str, Any] | None, code: dict[str, Any] | None, wiring: dict[str, Any] | None, *,
                   catalog: BoardCatalog | None = None, library: PartsLibrary | None = None) -> Design:
    catalog = catalog or default_catalog()
    library = library or default_library()
    firmware = read_firmware(code) if code else None
    fqbn_board = catalog.by_fqbn(firmware.board) if firmware and firmware.board else None
    components: dict[str, Component] = {}
    for line in (bom or {}).get("parts", []):
        if not isinstance(line, dict) or not line.get("designator"):
            continue
        name, mpn = str(line.get("name", "")), line.get("mpn")
        for designator in expand_designators(str(line["designator"])):
            components[designator] = _identify(designator, name, str(mpn) if mpn else None, line.get("value"),
                                               catalog, library, fqbn_board)
    connections = [c for c in (wiring or {}).get("connections", []) if isinstance(c, dict)]
    _add_unlisted(components, connections, fqbn_board, library)
    controllers = [c for c in components.values() if c.board is not None]
    controller = controllers[0] if controllers else None

    def canonical(designator: str, pin: str) -> str:
        component = components.get(designator)
        if component is not None and component.board is not None:
            found = component.board.pin(pin)
            return found.name if found else pin
        if component is not None and component.part is not None:
            part_pin = component.part.pin(pin)
            return part_pin.name if part_pin else pin
        return pin

    nets = build_nets(connections, canonical)
    if controller is not None:
        for net in nets:
            on_board = [pin for designator, pin in net.pins if designator == controller.designator]
            if on_board:
                net.preferred = f"{controller.designator}.{on_board[0]}"
    terminals: dict[Endpoint, Terminal] = {}
    for net in nets:
        for designator, pin in net.pins:
            terminals[(designator, pin)] = _terminal(components.get(designator), designator, pin)
    return Design(components, nets, terminals, firmware, controller, connections, bom is not None, fqbn_board)


def _identify(designator: str, name: str, mpn: str | None, value: Any, catalog: BoardCatalog,
              library: PartsLibrary, fqbn_board: Board | None) -> Component:
    part = library.match(name, mpn)
    text_value = str(value) if value is not None else None
    if part is not None and part.board is not None:
        board = catalog.by_id(part.board)
        # The sketch's FQBN is more precise than a BOM name ("Arduino Nano" vs the Every).
        if fqbn_board is not None and board is not None and fqbn_board.id != board.id and \
                fqbn_board.mcu[:5] == board.mcu[:5]:
            board = fqbn_board
        return Component(designator, name, part, board, text_value, "board")
    board = catalog.by_name(name) if part is None else None
    if board is not None:
        return Component(designator, name, None, board, text_value, "board")
    if part is not None:
        return Component(designator, name, part, None, text_value, "library")
    stand_in = library.infer(designator, name) or kicad_part(designator, name, mpn)
    if stand_in is not None:
        return Component(designator, name, stand_in, None, text_value, stand_in.origin)
    return Component(designator, name, None, None, text_value, "unknown")


def _add_unlisted(components: dict[str, Component], connections: list[dict[str, Any]], fqbn_board: Board | None,
                  library: PartsLibrary) -> None:
    """Wired designators missing from the BOM: the board (by its pin names and the sketch's FQBN)
    or a designator-class guess, so the electrical rules still see them."""
    has_board = any(c.board is not None for c in components.values())
    for connection in connections:
        for end in ("from", "to"):
            designator, dot, pin = str(connection.get(end, "")).partition(".")
            if not dot or not designator or designator in components:
                continue
            if fqbn_board is not None and not has_board and _BOARD_PIN.match(pin.strip()):
                components[designator] = Component(designator, fqbn_board.name, None, fqbn_board, None, "board")
                has_board = True
                continue
            stand_in = library.infer(designator, "")
            components[designator] = Component(designator, designator, stand_in, None, None,
                                               stand_in.origin if stand_in else "unknown")


def _terminal(component: Component | None, designator: str, pin: str) -> Terminal:
    if component is not None and component.board is not None:
        board_pin = component.board.pin(pin)
        return Terminal(designator, pin, board_pin.type if board_pin else "unknown", board_pin=board_pin)
    if component is not None and component.part is not None:
        part_pin = component.part.pin(pin)
        return Terminal(designator, pin, part_pin.type if part_pin else "unknown", part_pin=part_pin)
    return Terminal(designator, pin, "unknown")

