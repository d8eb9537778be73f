"""Power rules: shorts, supply ranges, common ground, inductive loads, LEDs and current budgets."""

from __future__ import annotations

from collections.abc import Iterator

from ohm_desktop.artifacts.consistency import Finding, Severity
from ohm_desktop.design_rules.design import Component, Design, Terminal
from ohm_desktop.design_rules.facts import (
    board_name,
    controller_ground,
    controller_io,
    finding,
    is_ground,
    is_power,
    location,
    other_nets,
    rail_voltage,
    sources,
)
from ohm_desktop.design_rules.nets import Net


def power_shorts(design: Design) -> Iterator[Finding]:
    """A rail wired to ground, or two rails of different voltage wired together."""
    for net in design.nets:
        supplies = sources(design, net)
        if not supplies:
            continue
        if is_ground(design, net):
            what = supplies[0][0]
            grounds = [t.label for t in design.terminals_on(net) if t.type == "ground"] or sorted(net.labels)
            yield finding("error", "wiring", location(design, net), f"{what} is wired straight to ground "
                          f"({', '.join(grounds[:3])}): that is a short circuit — it will blow the fuse or the "
                          "regulator. Remove that wire.", "power-short",
                          parts=[s.split(".")[0] for s, _ in supplies if "." in s],
                          pins=[s for s, _ in supplies if "." in s] + grounds, nets=[net])
            continue
        volts = sorted({v for _, v in supplies})
        if len(volts) > 1:
            names = ", ".join(f"{what} ({v:g} V)" for what, v in supplies)
            yield finding("error", "wiring", location(design, net), f"Two different supplies are wired together: "
                          f"{names}. One will push current into the other; give each its own net.", "rail-short",
                          parts=[s.split(".")[0] for s, _ in supplies if "." in s],
                          pins=[s for s, _ in supplies if "." in s], nets=[net])


def supply_ranges(design: Design) -> Iterator[Finding]:
    """A part powered outside its supply range (a 3.3 V-only chip on 5 V, a 5 V module on 3.3 V)."""
    for net in design.nets:
        volts = rail_voltage(design, net)
        if volts is None or is_ground(design, net):
            continue
        for terminal in design.terminals_on(net):
            yield from _board_supply(design, net, terminal, volts)
            pin = terminal.part_pin
            if pin is None or pin.type != "power_in" or pin.supply is None:
                continue
            low, high = pin.supply
            component = design.components[terminal.designator]
            if volts > high * 1.05:
                yield finding("error", "wiring", location(design, net, terminal.designator),
                              f"{terminal.designator} ({component.name}) {pin.name} takes {low:g}–{high:g} V but is "
                              f"wired to {volts:g} V ({net.name}): it will be damaged. Power it from a "
                              f"{high:g} V-or-lower rail.", "supply-range", parts=[terminal.designator],
                              pins=[terminal.label], nets=[net])
            elif volts < low * 0.95:
                yield finding("warning", "wiring", location(design, net, terminal.designator),
                              f"{terminal.designator} ({component.name}) {pin.name} needs at least {low:g} V but "
                              f"gets {volts:g} V ({net.name}): it may not work reliably.", "supply-range",
                              parts=[terminal.designator], pins=[terminal.label], nets=[net])


def _board_supply(design: Design, net: Net, terminal: Terminal, volts: float) -> Iterator[Finding]:
    """A board's VIN/RAW/VSYS fed outside its range (its regulator overheats, or drops out)."""
    pin = terminal.board_pin
    if pin is None or pin.type != "power_in" or pin.supply is None:
        return
    low, high = pin.supply
    name = design.components[terminal.designator].name
    if pin.supply_max_v is not None and volts > pin.supply_max_v:
        yield finding("error", "wiring", location(design, net, terminal.designator),
                      f"{terminal.label} of {name} takes at most {pin.supply_max_v:g} V but gets {volts:g} V "
                      f"({net.name}): the regulator will be damaged. Use a {low:g}–{high:g} V supply.",
                      "supply-range", parts=[terminal.designator], pins=[terminal.label], nets=[net])
    elif volts < low * 0.95 or volts > high * 1.05:
        advice = "the 5 V supply goes to the 5V pin instead" if volts < low and pin.name in {"VIN", "RAW"} else \
            f"use {low:g}–{high:g} V"
        yield finding("warning", "wiring", location(design, net, terminal.designator),
                      f"{terminal.label} of {name} wants {low:g}–{high:g} V but gets {volts:g} V ({net.name}): "
                      f"the board may brown out or its regulator run hot; {advice}.", "supply-range",
                      parts=[terminal.designator], pins=[terminal.label], nets=[net])


def common_ground(design: Design) -> Iterator[Finding]:
    """A module that talks to the controller but whose ground is not the controller's ground."""
    controller = design.controller
    if controller is None:
        return
    board_ground = controller_ground(design)
    for component in design.components.values():
        part = component.part
        if part is None or component.board is not None or component.origin != "library":
            continue
        grounds = [p for p in part.pins if p.type == "ground"]
        signal_nets = [net for net in _nets_of(design, component) if controller_io(design, net)]
        if not grounds or not signal_nets:
            continue
        ground_nets = [design.net_of(component.designator, p.name) for p in grounds]
        wired = [n for n in ground_nets if n is not None]
        if board_ground is not None and any(n is board_ground for n in wired):
            continue
        if wired and board_ground is None and any(is_ground(design, n) for n in wired) and \
                any(n.is_ground_label for n in wired):
            continue  # everything is on a "GND" label; the board's GND pin is simply not drawn
        pin_names = [f"{component.designator}.{p.name}" for p in grounds]
        if not wired:
            message = (f"{component.designator} ({component.name}) has its {grounds[0].name} pin unconnected: "
                       f"without a ground its signals to {controller.designator} mean nothing. Wire "
                       f"{component.designator}.{grounds[0].name} to {controller.designator}.GND.")
        else:
            message = (f"{component.designator} ({component.name}) ground is not connected to "
                       f"{controller.designator}'s GND: the signals between them have no common reference. "
                       f"Join {component.designator}.{grounds[0].name} and {controller.designator}.GND.")
        yield finding("error", "wiring", location(design, signal_nets[0], component.designator), message,
                      "no-common-ground", parts=[component.designator, controller.designator], pins=pin_names,
                      nets=[*wired, *signal_nets[:1]])


def _nets_of(design: Design, component: Component) -> list[Net]:
    return design.nets_of(component.designator)


def inductive_loads(design: Design) -> Iterator[Finding]:
    """A motor, relay coil or solenoid hung straight on an I/O pin."""
    for component in design.components.values():
        if component.part is None or not component.part.inductive:
            continue
        for net in _nets_of(design, component):
            for terminal in controller_io(design, net):
                yield finding("error", "wiring", location(design, net, component.designator),
                              f"{component.designator} ({component.name}) is wired straight to {terminal.label}: "
                              f"it needs ~{component.part.current_ma:g} mA and kicks back voltage when it stops; "
                              f"an I/O pin gives {_pin_limit(design):g} mA at most. Drive it through a transistor "
                              f"or driver (with a flyback diode) or a motor driver.", "inductive-on-pin",
                              parts=[component.designator, terminal.designator], pins=[terminal.label], nets=[net])


def _pin_limit(design: Design) -> float:
    board = design.controller.board if design.controller else None
    return board.pin_max_ma if board else 40.0


def leds(design: Design) -> Iterator[Finding]:
    """An LED with no series resistor, or one whose resistor lets too much current through a pin."""
    for component in design.components.values():
        part = component.part
        if part is None or part.kind != "led" or part.forward_v is None:
            continue
        nets = _nets_of(design, component)
        if len(nets) < 2:
            continue
        # Only the LED's own side nets count: a driver sharing the ground net limits nothing.
        if any(_limits_current(design, net, component) for net in nets if not is_power(design, net)):
            yield from _led_current(design, component, nets)
            continue
        driven = [t for net in nets for t in controller_io(design, net)]
        powered = [net for net in nets if rail_voltage(design, net) is not None]
        if not driven and not powered:
            continue
        via = driven[0].label if driven else powered[0].name
        yield finding("error", "wiring", location(design, nets[0], component.designator),
                      f"{component.designator} ({component.name}) has no series resistor: from {via} it draws "
                      "far more current than it or the pin can take. Put a 220–330 Ω resistor in series.",
                      "led-no-resistor", parts=[component.designator], pins=[t.label for t in driven],
                      nets=nets)


def _limits_current(design: Design, net: Net, led: Component) -> bool:
    """Something on the net other than the LED and the supply: a resistor, a driver, an unknown part."""
    for terminal in design.terminals_on(net):
        if terminal.designator == led.designator:
            continue
        component = design.components.get(terminal.designator)
        if component is None or component.board is not None:
            continue
        if component.kind in {"resistor", "transistor", "motor_driver", "module", "ic", "unknown", "pot"} or \
                component.origin in {"unknown", "kicad"}:
            return True
    return False


def _led_current(design: Design, led: Component, nets: list[Net]) -> Iterator[Finding]:
    """pin → resistor → LED → ground: (V − Vf) / R against the pin's limits."""
    controller = design.controller
    if controller is None or controller.board is None or led.part is None or led.part.forward_v is None:
        return
    board = controller.board
    for net in nets:
        for terminal in design.terminals_on(net):
            resistor = design.components.get(terminal.designator)
            if resistor is None or resistor.kind != "resistor":
                continue
            ohms = resistor.resistance_ohms()
            if not ohms:
                continue
            for far in other_nets(design, resistor, net):
                io = controller_io(design, far)
                if not io:
                    continue
                current = (board.logic_v - led.part.forward_v) / ohms * 1000
                if current <= board.pin_recommended_ma * 1.05:
                    continue
                severity: Severity = "error" if current > board.pin_max_ma else "warning"
                yield finding(severity, "wiring", location(design, far, resistor.designator),
                              f"{io[0].label} drives {led.designator} through {resistor.designator} "
                              f"({ohms:g} Ω): about {current:.0f} mA, over the {board.pin_recommended_ma:g} mA a pin "
                              f"of {board_name(design)} should give ({board.pin_max_ma:g} mA absolute maximum). "
                              f"Use {_resistor_for(board.logic_v, led.part.forward_v, board.pin_recommended_ma)} Ω "
                              "or more.", "pin-overcurrent", parts=[led.designator, resistor.designator],
                              pins=[io[0].label], nets=[far, net])


def _resistor_for(volts: float, forward: float, milliamps: float) -> int:
    needed = (volts - forward) / (milliamps / 1000)
    series = (100, 150, 220, 330, 470, 680, 1000)
    return next((r for r in series if r >= needed), 1000)


def rail_budgets(design: Design) -> Iterator[Finding]:
    """More current drawn from a board's 5V/3V3 pin than it can give."""
    controller = design.controller
    if controller is None or controller.board is None:
        return
    for pin in controller.board.pins:
        if pin.type != "power_out" or pin.max_current_ma is None:
            continue
        net = design.net_of(controller.designator, pin.name)
        if net is None or is_ground(design, net):
            continue
        loads = []
        for terminal in design.terminals_on(net):
            component = design.components.get(terminal.designator)
            if component is None or component.part is None or terminal.type != "power_in":
                continue
            if component.part.current_ma > 0:
                loads.append((component, component.part.current_ma))
        total = sum(current for _, current in loads)
        if total <= pin.max_current_ma:
            continue
        names = ", ".join(f"{c.designator} ~{ma:g} mA" for c, ma in loads)
        yield finding("warning", "wiring", location(design, net, controller.designator),
                      f"{controller.designator}.{pin.name} gives about {pin.max_current_ma:g} mA but the parts on it "
                      f"draw ~{total:g} mA ({names}): the board will brown out or reset. Power them from a separate "
                      "supply (and join the grounds).", "rail-overcurrent",
                      parts=[controller.designator, *(c.designator for c, _ in loads)],
                      pins=[f"{controller.designator}.{pin.name}"], nets=[net])


