"""The design as a KiCad netlist: the S-expression ``.net`` file Eeschema exports (version "E",
KiCad 6) and Pcbnew's "Update PCB from netlist" and kinet2pcb read.

- components: every BOM part (designator ranges expanded) and every wired part the BOM lacks,
  with value, footprint and the BOM's other fields as ``(fields (field (name …) …))``;
- nets: the wiring's connected groups of pins, named by the wiring's ``net`` names (a group
  without one gets KiCad's own ``Net-(REF-PadN)`` style);
- pins: KiCad symbol pin numbers where :mod:`kicad_symbols` knows the part, else Ohm's pin name;
- footprints: a BOM footprint that is a KiCad ``Library:Footprint`` name is kept; an SMD size
  code (``0805``) on a passive becomes its KiCad footprint; anything else is left empty and
  reported, because Pcbnew fails on a footprint that is no library name.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ohm_desktop.artifacts.export.base import Design, ExportResult, parts_of, text, write_text
from ohm_desktop.artifacts.export.designators import designators_of
from ohm_desktop.artifacts.export.kicad_symbols import KicadSymbol, smd_footprint, symbol_for
from ohm_desktop.artifacts.export.nets import natural_key, netlist

_KICAD_FOOTPRINT = re.compile(r"^[A-Za-z0-9_.+-]+:[A-Za-z0-9_.+,()-]+$")
_FIELDS = (("mpn", "MPN"), ("manufacturer", "Manufacturer"), ("supplier_pn", "Supplier PN"), ("notes", "Notes"))
_NAMESPACE = uuid.UUID("6f686d2d-6b69-6361-642d-6e65746c6973")  # fixed: the same design gives the same file


@dataclass(slots=True)
class _Component:
    ref: str
    value: str
    footprint: str
    symbol: KicadSymbol | None
    fields: list[tuple[str, str]] = field(default_factory=list)


def _q(value: str) -> str:
    """A KiCad S-expression string (KiCad escapes backslash and double quote)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _components(bom: dict[str, Any] | None, wired: list[str]) -> tuple[dict[str, _Component], list[str]]:
    components: dict[str, _Component] = {}
    bad_footprints: list[str] = []
    changed: list[str] = []
    for part in parts_of(bom):
        name, value = text(part.get("name")), text(part.get("value"))
        symbol = symbol_for(name, value, text(part.get("mpn")))
        footprint = text(part.get("footprint"))
        if footprint and not _KICAD_FOOTPRINT.match(footprint):
            smd = smd_footprint(symbol, footprint) if symbol is not None else None
            if smd is not None:
                changed.append(f"{text(part.get('designator')) or name} {footprint} → {smd}")
                footprint = smd
            else:
                bad_footprints.append(f"{footprint!r} ({text(part.get('designator')) or name})")
                footprint = ""
        elif not footprint and symbol is not None:
            footprint = symbol.footprint
        fields = [(label, text(part.get(key))) for key, label in _FIELDS if text(part.get(key))]
        fields.insert(0, ("Description", name))
        for ref in designators_of(part):
            components[ref] = _Component(ref, value or name, footprint, symbol, fields)
    notices = []
    if changed:
        notices.append(f"KiCad footprints chosen for SMD sizes: {', '.join(dict.fromkeys(changed))}.")
    if bad_footprints:
        notices.append(
            f"Left the footprint empty for {', '.join(bad_footprints)}: not a KiCad library name "
            "(Library:Footprint); assign one in Pcbnew's footprint assignment tool."
        )
    missing = [ref for ref in wired if ref not in components]
    for ref in missing:
        components[ref] = _Component(ref, ref, "", None)
    if missing:
        notices.append(f"{', '.join(missing)} are wired but not in the BOM: written with no value or footprint.")
    return components, notices


def kicad_netlist(wiring: dict[str, Any], bom: dict[str, Any] | None, source: str = "ohm") -> tuple[str, list[str]]:
    """The ``.net`` text and notices (footprints dropped or chosen, pins with no KiCad number)."""
    nets = {name: nodes for name, nodes in netlist(wiring).items() if nodes}
    wired = list(dict.fromkeys(ref for nodes in nets.values() for ref, _ in nodes))
    components, notices = _components(bom, wired)
    unmapped: list[str] = []

    def pin_number(ref: str, pin: str) -> str:
        symbol = components[ref].symbol
        number = symbol.pin_number(pin) if symbol is not None else None
        if number is None:
            unmapped.append(f"{ref}.{pin}")
            return pin
        return number

    lines = [
        '(export (version "E")',
        "  (design",
        f"    (source {_q(source + '.kicad_sch')})",
        '    (tool "Ohm Desktop")',
        '    (sheet (number "1") (name "/") (tstamps "/")))',
        "  (components",
    ]
    for ref in sorted(components, key=natural_key):
        component = components[ref]
        lines.append(f"    (comp (ref {_q(ref)})")
        lines.append(f"      (value {_q(component.value)})")
        if component.footprint:
            lines.append(f"      (footprint {_q(component.footprint)})")
        if component.fields:
            fields = " ".join(f"(field (name {_q(name)}) {_q(value)})" for name, value in component.fields)
            lines.append(f"      (fields {fields})")
        if component.symbol is not None:
            lib, _, part = component.symbol.lib_id.partition(":")
            lines.append(f"      (libsource (lib {_q(lib)}) (part {_q(part)}) (description {_q(component.symbol.description)}))")
        lines.append('      (sheetpath (names "/") (tstamps "/"))')
        lines.append(f"      (tstamps {_q(str(uuid.uuid5(_NAMESPACE, ref)))}))")
    lines.append("  )")
    lines.append("  (nets")
    for code, (name, nodes) in enumerate(nets.items(), start=1):
        numbered = [(ref, pin_number(ref, pin)) for ref, pin in nodes]
        if re.fullmatch(r"N\d+_*", name):
            name = f"Net-({numbered[0][0]}-Pad{numbered[0][1]})"
        lines.append(f"    (net (code {_q(str(code))}) (name {_q(name)})")
        lines += [f"      (node (ref {_q(ref)}) (pin {_q(pin)}))" for ref, pin in numbered]
        lines[-1] += ")"
    lines.append("  )")
    lines.append(")")
    if unmapped:
        notices.append(
            f"No KiCad pin number is known for {', '.join(dict.fromkeys(unmapped))}: "
            "those pins keep Ohm's names; check them against the symbols in Eeschema."
        )
    return "\n".join(lines) + "\n", notices


def netlist_file(content: dict[str, Any], path: Path, design: Design) -> ExportResult:
    project = text((design.bom or {}).get("projectName")) or path.stem
    body, notices = kicad_netlist(content, design.bom, source=re.sub(r"[^\w.-]+", "_", project))
    return ExportResult(write_text(path, body), notices)
