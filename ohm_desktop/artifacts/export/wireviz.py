"""The wiring as a WireViz 0.4 harness, written the way a WireViz user writes one.

- one connector per part, ``pins`` numbered 1..N with the part's pin names as ``pinlabels``
  (WireViz compares connection pins with ``pins`` by value, so connections use the numbers,
  never quoted strings: ``Harness.connect`` in wireviz 0.4 raises "X:1 not found" otherwise),
  and ``type`` from the BOM part when the BOM names it;
- a net label end (``GND``) becomes a splice connector with one pin per wire landing on it,
  as WireViz's own examples draw a splice, instead of many wires on one pin;
- the wires between one pair of parts are one ``bundle`` (separate wires, which is what
  jumper wires are; a ``cable`` would be billed as "Cable, N wires"), their net names as
  ``wirelabels`` and their colours as the IEC 60757 codes WireViz's ``colors`` takes;
- a wire between two pins of the same part is one of the connector's ``loops``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ohm_desktop.artifacts.export.base import Design, ExportResult, text, write_text
from ohm_desktop.artifacts.export.designators import part_for_reference
from ohm_desktop.artifacts.export.nets import Wire, natural_key, wires

# IEC 60757 codes as WireViz 0.4 knows them (wireviz/wv_colors.py, _color_hex).
IEC_COLOURS = {
    "black": "BK", "brown": "BN", "red": "RD", "orange": "OG", "yellow": "YE", "green": "GN", "blue": "BU",
    "violet": "VT", "purple": "VT", "grey": "GY", "gray": "GY", "white": "WH", "pink": "PK", "turquoise": "TQ",
    "cyan": "TQ", "light blue": "LB", "lightblue": "LB", "olive": "OL", "beige": "BG", "ivory": "IV",
    "silver": "SL", "slate": "SL", "gold": "GD", "copper": "CU", "tin": "SN",
}
_CODES = set(IEC_COLOURS.values())
_UNSAFE = re.compile(r"[:\\\"<>{}|]")


def _yaml(value: Any) -> str:
    # JSON scalars are YAML scalars and quote whatever needs quoting (":", "#", leading digits...).
    return json.dumps(value, ensure_ascii=False)


def colour_code(colour: str) -> str | None:
    """``"red"`` → ``"RD"``; a code such as ``"RD"`` stays; ``None`` for a colour WireViz cannot draw."""
    name = colour.strip().lower().replace("_", " ").replace("-", " ")
    if colour.strip().upper() in _CODES:
        return colour.strip().upper()
    return IEC_COLOURS.get(name) or IEC_COLOURS.get(name.replace(" ", ""))


class _Connector:
    def __init__(self, name: str, splice: bool) -> None:
        self.name = name
        self.splice = splice
        self.labels: list[str] = []  # pin names; pin number = index + 1

    def pin(self, label: str) -> int:
        """The pin number for ``label`` (a splice gets a fresh pin for every wire)."""
        if self.splice or label not in self.labels:
            self.labels.append(label)
            return len(self.labels)
        return self.labels.index(label) + 1


def _safe_names(wiring: list[Wire]) -> tuple[list[Wire], dict[str, str]]:
    """Wires with part names Graphviz accepts as node names (``:`` is its port separator)."""
    renamed: dict[str, str] = {}
    taken = {ref for wire in wiring for ref, _ in wire.ends}

    def safe(ref: str) -> str:
        if not _UNSAFE.search(ref):
            return ref
        if ref not in renamed:
            name = _UNSAFE.sub("_", ref) or "part"
            while name in taken:
                name += "_"
            taken.add(name)
            renamed[ref] = name
        return renamed[ref]

    result = [Wire((safe(w.start[0]), w.start[1]), (safe(w.end[0]), w.end[1]), w.net, w.color) for w in wiring]
    return result, renamed


def wireviz_yaml(content: dict[str, Any], bom: dict[str, Any] | None = None) -> tuple[str, list[str]]:
    """The harness YAML and notices (colours WireViz cannot draw, part names it cannot use)."""
    wiring, renamed = _safe_names(wires(content))
    notices: list[str] = []
    if renamed:
        pairs = ", ".join(f"{old!r} as {new}" for old, new in renamed.items())
        notices.append(f"Graphviz cannot draw ':' and the like in part names, so WireViz shows {pairs}.")
    connectors: dict[str, _Connector] = {}
    for reference, pin in sorted({end for wire in wiring for end in wire.ends if end[1]},
                                 key=lambda end: (end[0], natural_key(end[1]))):
        connectors.setdefault(reference, _Connector(reference, splice=False)).pin(pin)
    for wire in wiring:
        for reference, pin in wire.ends:
            if not pin and reference not in connectors:
                connectors[reference] = _Connector(reference, splice=True)
    bundles: dict[tuple[str, str], list[tuple[Wire, int, int]]] = {}
    loops: dict[str, list[tuple[int, int]]] = {}
    unknown_colours: list[str] = []
    for wire in wiring:
        (a_ref, a_pin), (b_ref, b_pin) = wire.ends
        a, b = connectors[a_ref], connectors[b_ref]
        a_number, b_number = a.pin(a_pin or a_ref), b.pin(b_pin or b_ref)
        if a_ref == b_ref:
            loops.setdefault(a_ref, []).append((a_number, b_number))
            continue
        if wire.color and colour_code(wire.color) is None:
            unknown_colours.append(wire.color)
        # Splices always sit on the right, so every wire of a bundle runs the same way.
        if a.splice and not b.splice:
            a_ref, b_ref, a_number, b_number = b_ref, a_ref, b_number, a_number
        key = (a_ref, b_ref)
        if (b_ref, a_ref) in bundles:
            key, a_number, b_number = (b_ref, a_ref), b_number, a_number
        bundles.setdefault(key, []).append((wire, a_number, b_number))
    if unknown_colours:
        names = ", ".join(dict.fromkeys(unknown_colours))
        notices.append(f"WireViz has no colour code for {names}: those wires are drawn uncoloured.")

    lines = ["connectors:"]
    for name, connector in connectors.items():
        lines.append(f"  {_yaml(name)}:")
        if connector.splice:
            lines += ["    type: Splice", f"    pinlabels: [{', '.join(_yaml(name) for _ in connector.labels)}]",
                      "    show_pincount: false"]
        else:
            part = part_for_reference(bom, name)
            if part is not None and text(part.get("name")):
                lines.append(f"    type: {_yaml(text(part.get('name')))}")
                if text(part.get("value")):
                    lines.append(f"    subtype: {_yaml(text(part.get('value')))}")
            if connector.labels == [str(number) for number in range(1, len(connector.labels) + 1)]:
                lines.append(f"    pincount: {len(connector.labels)}")  # pins named 1..N need no labels
            else:
                lines.append(f"    pinlabels: [{', '.join(_yaml(label) for label in connector.labels)}]")
        if name in loops:
            lines.append(f"    loops: [{', '.join(f'[{x}, {y}]' for x, y in loops[name])}]")
    cable_lines: list[str] = []
    connection_lines: list[str] = []
    for index, ((a_ref, b_ref), bundle) in enumerate(bundles.items(), start=1):
        cable = f"W{index}"
        codes = [colour_code(wire.color) or "" for wire, _, _ in bundle]
        cable_lines += [f"  {cable}:", "    category: bundle", f"    wirecount: {len(bundle)}"]
        if any(codes):
            cable_lines.append(f"    colors: [{', '.join(_yaml(code) for code in codes)}]")
        if any(wire.net for wire, _, _ in bundle):
            cable_lines.append(f"    wirelabels: [{', '.join(_yaml(wire.net) for wire, _, _ in bundle)}]")
        connection_lines += [
            f"  - - {_yaml(a_ref)}: [{', '.join(str(a) for _, a, _ in bundle)}]",
            f"    - {cable}: [{', '.join(str(n) for n in range(1, len(bundle) + 1))}]",
            f"    - {_yaml(b_ref)}: [{', '.join(str(b) for _, _, b in bundle)}]",
        ]
    if cable_lines:
        lines += ["cables:", *cable_lines, "connections:", *connection_lines]
    return "\n".join(lines) + "\n", notices


def harness_file(content: dict[str, Any], path: Path, design: Design) -> ExportResult:
    body, notices = wireviz_yaml(content, design.bom)
    return ExportResult(write_text(path, body), notices)
