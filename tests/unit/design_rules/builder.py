"""A tiny design builder: parts as "U1=Arduino Uno", wires as "U1.D9-R1.1", a sketch body."""

from __future__ import annotations

from typing import Any

from ohm_desktop.artifacts.consistency import Finding
from ohm_desktop.design_rules.check import check_design


def design(parts: list[str], wires: list[str], sketch: str | None = None,
           board: str = "arduino:avr:uno") -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any]]:
    bom_parts = []
    for text in parts:
        designator, _, rest = text.partition("=")
        name, _, value = rest.partition("@")
        line: dict[str, Any] = {"designator": designator, "name": name, "quantity": 1}
        if value:
            line["value"] = value
        bom_parts.append(line)
    connections = []
    for wire in wires:
        start, _, end = wire.rpartition("-")  # pins such as "-" and "IN-" end with a dash
        connections.append({"from": start, "to": end})
    code = None
    if sketch is not None:
        code = {"board": board, "files": [{"path": "sketch.ino", "content": sketch}]}
    return {"projectName": "t", "parts": bom_parts}, code, {"connections": connections}


def codes(parts: list[str], wires: list[str], sketch: str | None = None, board: str = "arduino:avr:uno",
          severities: tuple[str, ...] = ("error", "warning")) -> list[str]:
    """The rule codes found, errors and warnings only by default."""
    return [f.code for f in findings(parts, wires, sketch, board) if f.severity in severities]


def findings(parts: list[str], wires: list[str], sketch: str | None = None,
             board: str = "arduino:avr:uno") -> list[Finding]:
    bom, code, wiring = design(parts, wires, sketch, board)
    return check_design(bom, code, wiring)
