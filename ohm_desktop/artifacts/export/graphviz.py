"""The wiring as a Graphviz diagram (DOT source, or SVG drawn by Graphviz's ``dot``).

Parts are record nodes with one port per used pin. Wire colours are the wiring's own names;
light ones (white, yellow, …) get a dark outline so they stay visible on the white page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from ohm_desktop.artifacts.export.base import Design, ExportError, ExportResult, write_text
from ohm_desktop.artifacts.export.nets import used_pins, wires

# Graphviz colour names whose line disappears on a white background: drawn as a dark line
# with the light colour inside (Graphviz's "A:B:A" parallel-colour syntax).
_LIGHT_COLOURS = {"white", "yellow", "ivory", "beige", "lightyellow", "lightgray", "lightgrey", "snow", "silver"}
_OUTLINE = "#555555"


def _dot_id(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _record_text(value: str) -> str:
    return re.sub(r'([{}<>|"\\ ])', r"\\\1", value)


def _wire_colour(colour: str) -> str:
    name = colour.strip().lower().replace(" ", "")
    if name in _LIGHT_COLOURS:
        return f"{_OUTLINE}:{name}:{_OUTLINE}"
    return name


def wiring_dot(content: dict[str, Any]) -> str:
    """The wiring as a Graphviz graph: parts are record nodes with one port per used pin."""
    wiring = wires(content)
    pins = used_pins(wiring)
    lines = ["graph wiring {", "  rankdir=LR;", '  node [shape=record, fontname="Helvetica"];']
    ports: dict[tuple[str, str], str] = {}
    for number, (reference, pin_list) in enumerate(pins.items()):
        fields = []
        for index, pin in enumerate(pin_list):
            ports[(reference, pin)] = f"p{index}"
            fields.append(f"<p{index}> " + _record_text(pin))
        label = _record_text(reference)
        record = f"{label}|{{{'|'.join(fields)}}}" if fields else label
        shape = "" if fields else ", shape=ellipse"
        lines.append(f"  n{number} [label={_dot_id(record)}{shape}];")
    node_of = {reference: f"n{number}" for number, reference in enumerate(pins)}
    for wire in wiring:
        ends = []
        for reference, pin in wire.ends:
            port = ports.get((reference, pin))
            ends.append(f"{node_of[reference]}:{port}" if port else node_of[reference])
        attributes = []
        if wire.color:
            attributes.append(f"color={_dot_id(_wire_colour(wire.color))}")
            if _wire_colour(wire.color) != wire.color.lower():
                attributes.append("penwidth=2")
        if wire.net:
            attributes.append(f"label={_dot_id(wire.net)}")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {ends[0]} -- {ends[1]}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_file(content: dict[str, Any], path: Path, design: Design) -> ExportResult:
    return ExportResult(write_text(path, wiring_dot(content)))


def svg_file(content: dict[str, Any], path: Path, design: Design) -> ExportResult:
    dot = shutil.which("dot")
    if dot is None:
        raise ExportError(
            "SVG export needs Graphviz: install it (e.g. `apt install graphviz`) or export --format dot instead."
        )
    try:
        done = subprocess.run(
            [dot, "-Tsvg"], input=wiring_dot(content), capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise ExportError("Graphviz took over a minute to draw the wiring: export --format dot instead.") from exc
    if done.returncode != 0:
        first_line = (done.stderr.strip().splitlines() or ["no details"])[0]
        raise ExportError(f"Graphviz could not draw the wiring ({first_line}): export --format dot instead.")
    return ExportResult(write_text(path, done.stdout))
