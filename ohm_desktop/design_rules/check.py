"""``check_design``: the name-consistency findings plus every electrical rule, most serious first."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ohm_desktop.artifacts.consistency import Finding, check_consistency
from ohm_desktop.design_rules import rules_power, rules_signals
from ohm_desktop.design_rules.design import Design, resolve_design

Rule = Callable[[Design], Iterable[Finding]]

RULES: tuple[Rule, ...] = (
    rules_power.power_shorts,
    rules_signals.board_pins_exist,
    rules_signals.board_matches_sketch,
    rules_signals.output_conflicts,
    rules_signals.pin_capabilities,
    rules_signals.bus_pins,
    rules_power.supply_ranges,
    rules_signals.logic_levels,
    rules_signals.i2c_bus,
    rules_signals.data_line_pullups,
    rules_signals.floating_inputs,
    rules_signals.pin_mode_writes,
    rules_power.leds,
    rules_power.inductive_loads,
    rules_power.common_ground,
    rules_power.rail_budgets,
    rules_signals.unknown_parts,
)
_ORDER = {"error": 0, "warning": 1, "info": 2}


def check_design(bom: dict[str, Any] | None, code: dict[str, Any] | None, wiring: dict[str, Any] | None,
                 *, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """Every finding about the three artifacts (any may be None); an empty list when nothing is wrong."""
    findings = list(check_consistency(bom, code, wiring))
    if wiring is not None or code is not None:
        design = resolve_design(bom, code, wiring)
        for rule in rules:
            findings.extend(rule(design))
    unique = list(dict.fromkeys(findings))
    return sorted(unique, key=lambda f: _ORDER[f.severity])


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
