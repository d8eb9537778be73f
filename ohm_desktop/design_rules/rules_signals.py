"""Signal rules: pins that do not exist or lack a capability, fights, levels, I2C, floating inputs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ohm_desktop.artifacts.consistency import Finding, Severity
from ohm_desktop.design_rules.design import Design, Terminal
from ohm_desktop.design_rules.facts import (
    board_name,
    controller_io,
    finding,
    is_ground,
    is_power,
    location,
    other_nets,
    pin_list,
    rail_voltage,
)
from ohm_desktop.design_rules.firmware_use import PinUse, Use
from ohm_desktop.design_rules.model import BoardPin, Capability
from ohm_desktop.design_rules.nets import Net

_NUMERIC = re.compile(r"^(?:A?\d+)$", re.I)
_WRITES: frozenset[Use] = frozenset({"output", "write", "pwm", "tone"})


def board_pins_exist(design: Design) -> Iterator[Finding]:
    """A wire or a sketch line naming a pin the board does not have; a library part's unknown pin."""
    controller = design.controller
    for net in design.nets:
        for terminal in design.terminals_on(net):
            component = design.components.get(terminal.designator)
            if component is None:
                continue
            if component.board is not None and terminal.board_pin is None:
                names = [p.name for p in component.board.pins if p.number is not None]
                yield finding("error", "wiring", location(design, net, terminal.designator),
                              f"{terminal.label}: {board_name(design) if component is controller else component.name}"
                              f" has no pin {terminal.pin} (its pins are {names[0]}–{names[-1]} plus the power "
                              "pins).", "unknown-pin", parts=[terminal.designator], pins=[terminal.label], nets=[net])
            elif component.part is not None and component.origin == "library" and terminal.part_pin is None \
                    and component.part.pins:
                pins = ", ".join(p.name for p in component.part.pins)
                yield finding("warning", "wiring", location(design, net, terminal.designator),
                              f"{terminal.label}: {component.name} has no pin called {terminal.pin} "
                              f"(its pins: {pins}).", "unknown-part-pin", parts=[terminal.designator],
                              pins=[terminal.label], nets=[net])
    if design.firmware is None or controller is None or controller.board is None:
        return
    reported: set[str] = set()
    for use in design.firmware.uses:
        if use.pin in reported or not _NUMERIC.match(use.pin) or firmware_pin(design, use) is not None:
            continue
        reported.add(use.pin)
        yield finding("error", "code", use.location, f"{use.call}…): {board_name(design)} has no pin {use.pin}.",
                      "unknown-pin", parts=[controller.designator], pins=[f"{controller.designator}.{use.pin}"])


_NEEDS: dict[Use, tuple[Capability, str]] = {
    "pwm": ("pwm", "PWM"), "analog_read": ("analog", "an analog input"), "interrupt": ("interrupt", "an interrupt"),
}


def pin_capabilities(design: Design) -> Iterator[Finding]:
    """analogWrite without PWM, analogRead on a digital-only pin, interrupts, outputs on input-only pins."""
    controller = design.controller
    if design.firmware is None or controller is None or controller.board is None:
        return
    board = controller.board
    seen: set[tuple[str, str]] = set()
    for use in design.firmware.uses:
        pin = firmware_pin(design, use)
        if pin is None or (use.pin, use.use) in seen:
            continue
        seen.add((use.pin, use.use))
        label = f"{controller.designator}.{pin.name}"
        if use.use in _NEEDS:
            capability, words = _NEEDS[use.use]
            if pin.has(capability):
                continue
            options = pin_list(p.name for p in board.pins_with(capability))
            effect = {"pwm": f"{use.call}, …) only switches it fully on or off",
                      "analog_read": f"{use.call}) cannot read a voltage there",
                      "interrupt": f"{use.call}) never fires"}[use.use]
            yield finding("error", "code", use.location, f"{label} has no {words.removeprefix('an ')} on "
                          f"{board_name(design)}: {effect}; use {options}.", f"no-{capability}",
                          parts=[controller.designator], pins=[label], nets=_net_names(design, label))
        elif use.use in {"input", "input_pullup", "read"} and not pin.has("digital"):
            yield finding("error", "code", use.location, f"{label} is analog-only on {board_name(design)}: "
                          f"{use.call}…) cannot read it as a digital pin; use analogRead() or another pin.",
                          "no-digital", parts=[controller.designator], pins=[label], nets=_net_names(design, label))
        elif use.use in {"output", "write", "pwm"} and pin.has("input_only"):
            yield finding("error", "code", use.location, f"{label} is input-only on {board_name(design)}: "
                          f"{use.call}…) cannot drive it. Use another pin.", "input-only-pin",
                          parts=[controller.designator], pins=[label], nets=_net_names(design, label))


def firmware_pin(design: Design, use: PinUse) -> BoardPin | None:
    """The board pin a sketch call means. On AVR ``analogRead(0)`` is channel 0 (A0), not D0."""
    controller = design.controller
    if controller is None or controller.board is None:
        return None
    board = controller.board
    if use.use == "analog_read" and use.pin.isdigit() and board.mcu.startswith("atmega"):
        channel = board.pin(f"A{use.pin}")
        if channel is not None or int(use.pin) < 14:
            return channel
    return board.pin(use.pin)


def _net_names(design: Design, label: str) -> list[str]:
    designator, _, pin = label.partition(".")
    net = design.net_of(designator, pin)
    return [net.name] if net else []


_BUS: dict[str, tuple[Capability, str]] = {
    "sda": ("i2c_sda", "SDA"), "scl": ("i2c_scl", "SCL"), "mosi": ("spi_mosi", "MOSI"),
    "miso": ("spi_miso", "MISO"), "sck": ("spi_sck", "SCK"),
}


def bus_pins(design: Design) -> Iterator[Finding]:
    """I2C (and hardware SPI, UART) lines wired to board pins that cannot carry them."""
    controller = design.controller
    if controller is None or controller.board is None:
        return
    board = controller.board
    spi = design.firmware is not None and design.firmware.spi
    for net in design.nets:
        board_io = controller_io(design, net)
        if not board_io:
            continue
        for terminal in design.terminals_on(net):
            role = terminal.part_pin.bus if terminal.part_pin else None
            if role in {"sda", "scl"} or (spi and role in {"mosi", "miso", "sck"}):
                capability, words = _BUS[str(role)]
                for io in board_io:
                    assert io.board_pin is not None
                    if io.board_pin.has(capability):
                        continue
                    options = pin_list(p.name for p in board.pins_with(capability))
                    yield finding("error", "wiring", location(design, net, terminal.designator),
                                  f"{terminal.label} ({words}) is wired to {io.label}, which is not {words} on "
                                  f"{board_name(design)}: the bus will not work. Wire it to {options}.",
                                  f"wrong-{'i2c' if role in {'sda', 'scl'} else 'spi'}-pin",
                                  parts=[terminal.designator, io.designator], pins=[terminal.label, io.label],
                                  nets=[net])
            elif role == "tx":
                for io in board_io:
                    assert io.board_pin is not None
                    if io.board_pin.has("uart_tx") and not io.board_pin.has("uart_rx"):
                        yield finding("error", "wiring", location(design, net, terminal.designator),
                                      f"{terminal.label} (TX) is wired to {io.label}, also a TX: transmit must go "
                                      "to receive. Swap the TX and RX wires.", "uart-swapped",
                                      parts=[terminal.designator], pins=[terminal.label, io.label], nets=[net])


def output_conflicts(design: Design) -> Iterator[Finding]:
    """Two push-pull outputs on one net (including a pin the firmware drives)."""
    for net in design.nets:
        drivers = [t.label for t in design.terminals_on(net) if t.type == "output"]
        driven_by_code = [t.label for t in controller_io(design, net) if _firmware_drives(design, t)]
        everything = drivers + driven_by_code
        if len(everything) < 2:
            continue
        yield finding("error", "wiring", location(design, net), f"{' and '.join(everything[:3])} are both outputs "
                      f"on one net ({net.name}): when one drives high and the other low they fight and can burn out. "
                      "Only one output per net; the other side must be an input.", "output-conflict",
                      parts=[label.split(".")[0] for label in everything], pins=everything, nets=[net])


def _firmware_drives(design: Design, terminal: Terminal) -> bool:
    if design.firmware is None or terminal.board_pin is None:
        return False
    return bool(_modes(design, terminal.board_pin) & _WRITES)


def _modes(design: Design, pin: BoardPin) -> set[Use]:
    """How the firmware uses a board pin (resolved once per check for every pin)."""
    if design.firmware is None:
        return set()
    by_pin: dict[str, set[Use]] | None = design.memo.get("modes")
    if by_pin is None:
        by_pin = {}
        for use in design.firmware.uses:
            resolved = firmware_pin(design, use)
            if resolved is not None:
                by_pin.setdefault(resolved.name, set()).add(use.use)
        design.memo["modes"] = by_pin
    return by_pin.get(pin.name, set())


def logic_levels(design: Design) -> Iterator[Finding]:
    """5 V logic into a 3.3 V-only input, or a 5 V output into a board that is not 5 V tolerant."""
    controller = design.controller
    if controller is None or controller.board is None:
        return
    board = controller.board
    for net in design.nets:
        board_io = controller_io(design, net)
        if not board_io:
            continue
        for terminal in design.terminals_on(net):
            component = design.components.get(terminal.designator)
            part = component.part if component else None
            if component is None or part is None or terminal.part_pin is None:
                continue
            if board.logic_v >= 4.5 and part.io_max_v is not None and part.io_max_v < 4.5 and \
                    terminal.type in {"input", "bidirectional", "open_drain"}:
                severity: Severity = "warning" if terminal.type == "open_drain" else "error"
                yield finding(severity, "wiring", location(design, net, terminal.designator),
                              f"{terminal.label} ({component.name}) takes at most {part.io_max_v:g} V but "
                              f"{board_io[0].label} is 5 V logic on {board_name(design)}: it can be damaged. Put a "
                              "level shifter (or a divider for a one-way signal) between them.", "logic-level",
                              parts=[terminal.designator, controller.designator],
                              pins=[terminal.label, board_io[0].label], nets=[net])
            elif not board.five_volt_tolerant and terminal.type == "output" and not part.regulator:
                supply = _supply_of(design, component.designator)
                if supply is not None and supply >= 4.5:
                    yield finding("error", "wiring", location(design, net, terminal.designator),
                                  f"{terminal.label} ({component.name}) outputs {supply:g} V into "
                                  f"{board_io[0].label}, but {board_name(design)} takes 3.3 V at most: use a "
                                  "divider (1 kΩ/2 kΩ) or a level shifter.", "logic-level",
                                  parts=[terminal.designator, controller.designator],
                                  pins=[terminal.label, board_io[0].label], nets=[net])


def _supply_of(design: Design, designator: str) -> float | None:
    component = design.components[designator]
    if component.part is None:
        return None
    for pin in component.part.pins:
        if pin.type == "power_in":
            volts = rail_voltage(design, design.net_of(designator, pin.name))
            if volts is not None:
                return volts
    return None


def i2c_bus(design: Design) -> Iterator[Finding]:
    """Bare I2C chips without pull-ups, and two devices answering at one address."""
    for net in design.nets:
        members = [t for t in design.terminals_on(net) if t.part_pin is not None and t.part_pin.bus == "sda"]
        scl = [t for t in design.terminals_on(net) if t.part_pin is not None and t.part_pin.bus == "scl"]
        for line in (members, scl):
            if not line:
                continue
            parts = [design.components[t.designator] for t in line]
            if any(p.part is not None and p.part.pullups for p in parts) or _has_pullup(design, net):
                continue
            bare = [p for p in parts if p.part is not None and not p.part.pullups]
            role = line[0].part_pin.bus.upper() if line[0].part_pin and line[0].part_pin.bus else "SDA"
            yield finding("warning", "wiring", location(design, net, bare[0].designator),
                          f"The I2C {role} line ({net.name}) has no pull-up resistor: {', '.join(p.designator for p in bare)}"
                          f" {'is a bare chip' if len(bare) == 1 else 'are bare chips'} without one, and the "
                          f"board's weak internal pull-up is not enough. Add 4.7 kΩ from {role} to "
                          "the chip's supply.", "i2c-no-pullup", parts=[p.designator for p in bare],
                          pins=[t.label for t in line], nets=[net])
        yield from _address_conflicts(design, net, members)


def data_line_pullups(design: Design) -> Iterator[Finding]:
    """A bare DHT22/DS18B20 data line with no pull-up: it reads nothing (or garbage)."""
    for net in design.nets:
        line = [t for t in design.terminals_on(net) if t.part_pin is not None and t.part_pin.bus == "data"]
        if not line:
            continue
        parts = [design.components[t.designator] for t in line]
        if any(p.part is not None and p.part.pullups for p in parts) or _has_pullup(design, net):
            continue
        if _firmware_pulls_up(design, net):
            continue
        yield finding("warning", "wiring", location(design, net, line[0].designator),
                      f"{line[0].label} ({parts[0].name}) is an open-drain data line with no pull-up: the sensor "
                      "cannot answer. Add a 4.7 kΩ (DS18B20) or 10 kΩ (DHT) resistor from it to VCC.",
                      "data-no-pullup", parts=[p.designator for p in parts], pins=[t.label for t in line],
                      nets=[net])


def _firmware_pulls_up(design: Design, net: Net) -> bool:
    return any(terminal.board_pin is not None and "input_pullup" in _modes(design, terminal.board_pin)
               for terminal in controller_io(design, net))


def _has_pullup(design: Design, net: Net) -> bool:
    for terminal in design.terminals_on(net):
        component = design.components.get(terminal.designator)
        if component is None:
            continue
        if component.origin in {"unknown", "kicad"}:
            return True  # an unknown part may well carry the pull-ups: no false alarm
        if component.kind in {"resistor", "level_shifter"}:
            far = other_nets(design, component, net)
            if component.kind == "level_shifter" or any(rail_voltage(design, n) is not None for n in far):
                return True
    return False


def _address_conflicts(design: Design, net: Net, members: list[Terminal]) -> Iterator[Finding]:
    by_address: dict[int, list[str]] = {}
    for terminal in members:
        component = design.components[terminal.designator]
        part = component.part
        if part is None or not part.i2c_addresses:
            continue
        address = part.i2c_addresses[0]
        for pin_name in part.address_pins:
            address_pin = part.pin(pin_name)
            strap = design.net_of(terminal.designator, address_pin.name if address_pin else pin_name)
            if strap is not None and not is_ground(design, strap):
                address = part.i2c_addresses[1] if len(part.i2c_addresses) > 1 and is_power(design, strap) else -1
        if address >= 0:
            by_address.setdefault(address, []).append(terminal.designator)
    for address, designators in sorted(by_address.items()):
        if len(designators) < 2:
            continue
        yield finding("error", "wiring", location(design, net, designators[1]),
                      f"{' and '.join(designators)} both answer at I2C address 0x{address:02X} on one bus: neither "
                      "will work. Change one's address pin (ADDR/AD0/SDO) or use a multiplexer.",
                      "i2c-address-conflict", parts=designators, nets=[net])


def floating_inputs(design: Design) -> Iterator[Finding]:
    """An input the firmware reads that nothing drives or pulls (a button with no pull-up)."""
    controller = design.controller
    if design.firmware is None or controller is None or controller.board is None:
        return
    reported: set[str] = set()
    for use in design.firmware.uses:
        if use.use not in {"input", "read", "interrupt"}:
            continue
        pin = firmware_pin(design, use)
        if pin is None or pin.name in reported:
            continue
        modes = _modes(design, pin)
        if modes & {"input_pullup", "input_pulldown", "output", "write"}:
            continue
        net = design.net_of(controller.designator, pin.name)
        if net is None or _driven(design, net, controller.designator):
            continue
        reported.add(pin.name)
        yield _floating(design, use, pin, net)


def _floating(design: Design, use: PinUse, pin: BoardPin, net: Net) -> Finding:
    assert design.controller is not None
    label = f"{design.controller.designator}.{pin.name}"
    others = [t for t in design.terminals_on(net) if t.designator != design.controller.designator]
    inputs_only = others and all(t.type == "input" for t in others)
    if inputs_only:
        return finding("warning", "code", use.location, f"{label} is read ({use.call}…)) but it is wired to "
                       f"{', '.join(t.label for t in others)}, an input: nothing drives that wire. Did you mean "
                       "pinMode(…, OUTPUT)?", "pin-mode-contradiction", parts=[label.split(".")[0]],
                       pins=[label, *(t.label for t in others)], nets=[net])
    return finding("warning", "code", use.location, f"{label} is read as an input but floats when "
                   f"{', '.join(t.designator for t in others) or 'nothing'} is not pressed/active: it will read "
                   "random values. Use pinMode(…, INPUT_PULLUP) or add a 10 kΩ pull-up/pull-down.",
                   "floating-input", parts=[label.split(".")[0], *(t.designator for t in others)],
                   pins=[label], nets=[net])


def _driven(design: Design, net: Net, controller: str) -> bool:
    if is_power(design, net):
        return True
    for terminal in design.terminals_on(net):
        if terminal.designator == controller:
            continue
        component = design.components.get(terminal.designator)
        if component is None or component.origin in {"unknown", "kicad"} or terminal.type == "unknown":
            return True
        if terminal.type in {"output", "bidirectional", "power_out", "open_drain"}:
            return True
        if component.kind in {"resistor", "pot", "sensor"} and any(is_power(design, n) for n in
                                                                    other_nets(design, component, net)):
            return True
        if component.kind in {"board", "level_shifter", "transistor", "ic"}:
            return True
    return False


def pin_mode_writes(design: Design) -> Iterator[Finding]:
    """A pin the firmware drives as an output while it is wired straight to a rail or ground."""
    controller = design.controller
    if design.firmware is None or controller is None or controller.board is None:
        return
    for net in design.nets:
        if not is_power(design, net):
            continue
        for terminal in controller_io(design, net):
            if terminal.board_pin is None or not _firmware_drives(design, terminal):
                continue
            use = next(u for u in design.firmware.uses if firmware_pin(design, u) is terminal.board_pin
                       and u.use in _WRITES)
            yield finding("error", "code", use.location, f"{terminal.label} is driven as an output ({use.call}…)) "
                          f"but is wired straight to {net.name}: driving it the other way shorts the pin. Wire it "
                          "through the part it should control, or read it as an input.", "pin-mode-contradiction",
                          parts=[controller.designator], pins=[terminal.label], nets=[net])


def unknown_parts(design: Design) -> Iterator[Finding]:
    """One info line per part the library does not know (checked only by what can be inferred)."""
    for component in design.components.values():
        if component.origin in {"library", "board"}:
            continue
        how = {"designator": f"as a generic {component.kind} (from its designator)",
               "kicad": "with pin types from KiCad's symbol", "unknown": "only for its wiring to the board"}
        yield finding("info", "bom", component.designator, f"{component.designator} ({component.name}) is not in "
                      f"Ohm's parts library: it is checked {how[component.origin]}.", "unknown-part",
                      parts=[component.designator])


def board_matches_sketch(design: Design) -> Iterator[Finding]:
    """The BOM's board and the board the sketch is built for are different boards."""
    controller, sketch_board = design.controller, design.sketch_board
    if controller is None or controller.board is None or sketch_board is None or design.firmware is None:
        return
    if controller.board.id == sketch_board.id:
        return
    yield finding("warning", "code", "board", f"The sketch is built for {sketch_board.name} "
                  f"({design.firmware.board}) but {controller.designator} in the BOM is {controller.board.name}: "
                  "pin numbers and voltages differ between them. Make the sketch's board and the BOM agree.",
                  "board-mismatch", parts=[controller.designator])
