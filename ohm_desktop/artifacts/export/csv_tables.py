"""Plain CSV tables: the BOM for a spreadsheet, a KiCad-style BOM, and the wiring's nets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ohm_desktop.artifacts.export.base import Design, ExportResult, parts_of, text, write_csv
from ohm_desktop.artifacts.export.nets import netlist

_BOM_COLUMNS = ("Designator", "Name", "Quantity", "Value", "Footprint", "Manufacturer", "MPN", "Supplier PN", "Notes")
_BOM_FIELDS = ("designator", "name", "quantity", "value", "footprint", "manufacturer", "mpn", "supplier_pn", "notes")


def bom_csv(content: dict[str, Any], path: Path, design: Design) -> ExportResult:
    rows = [[text(part.get(name)) for name in _BOM_FIELDS] for part in parts_of(content)]
    return ExportResult(write_csv(path, _BOM_COLUMNS, rows))


def kicad_bom_csv(content: dict[str, Any], path: Path, design: Design) -> ExportResult:
    """The columns of KiCad's bundled ``bom_csv_grouped_by_value`` script, for people who diff against it."""
    rows = [
        [
            text(part.get("designator")),
            text(part.get("value")) or text(part.get("name")),
            text(part.get("footprint")),
            text(part.get("quantity")),
            text(part.get("mpn")),
            text(part.get("manufacturer")),
            text(part.get("name")),
        ]
        for part in parts_of(content)
    ]
    header = ("Reference", "Value", "Footprint", "Qty", "MPN", "Manufacturer", "Description")
    return ExportResult(write_csv(path, header, rows))


def wiring_csv(content: dict[str, Any], path: Path, design: Design) -> ExportResult:
    rows = [[net, reference, pin] for net, nodes in netlist(content).items() for reference, pin in nodes]
    return ExportResult(write_csv(path, ("Net", "Reference", "Pin"), rows))
