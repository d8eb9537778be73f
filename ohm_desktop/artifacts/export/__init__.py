"""Artifacts in the file formats the bench already uses — one module per format family.

    EXPORT_FORMATS["bom"]      == ["csv", "jlcpcb", "kicad"]
    EXPORT_FORMATS["code"]     == ["arduino", "zip"]
    EXPORT_FORMATS["wiring"]   == ["csv", "wireviz", "dot", "svg", "kicad-netlist", "wokwi"]
    result = export_design("bom", content, "jlcpcb", Path("order.csv"), Design(bom=content))
    result.files, result.notices   # what was written; what was dropped or changed, one sentence each

``path`` is the file to write, except for ``code``/``arduino`` where it is the sketch folder
(its name is the sketch name, as the Arduino IDE requires; when ``path`` is an existing
folder, the sketch folder is created inside it). SVG needs Graphviz's ``dot`` on PATH
(:func:`available_formats` leaves it out otherwise). Every function is Qt-free and raises
:class:`ExportError` (a UsageError) with a sentence the user can act on.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ohm_desktop.artifacts.export import arduino, csv_tables, graphviz, jlcpcb, kicad_netlist, wireviz, wokwi
from ohm_desktop.artifacts.export.arduino import sketch_name
from ohm_desktop.artifacts.export.base import Design, ExportError, ExportResult, Writer
from ohm_desktop.artifacts.export.graphviz import wiring_dot
from ohm_desktop.artifacts.export.jlcpcb import lcsc_part_number
from ohm_desktop.artifacts.export.nets import netlist
from ohm_desktop.artifacts.export.wireviz import wireviz_yaml


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One export: its writer, its name in menus, and the file name it proposes."""

    writer: Writer
    label: str
    suffix: str  # appended to the project's stem; "" for a folder

    @property
    def is_folder(self) -> bool:
        return not self.suffix


_FORMATS: dict[str, dict[str, ExportFormat]] = {
    "bom": {
        "csv": ExportFormat(csv_tables.bom_csv, "Spreadsheet BOM (.csv)", "-bom.csv"),
        "jlcpcb": ExportFormat(jlcpcb.assembly_bom, "JLCPCB assembly BOM (.csv)", "-jlcpcb-bom.csv"),
        "kicad": ExportFormat(csv_tables.kicad_bom_csv, "KiCad-style BOM (.csv)", "-kicad-bom.csv"),
    },
    "code": {
        "arduino": ExportFormat(arduino.folder, "Arduino sketch folder (with sketch.yaml)", ""),
        "zip": ExportFormat(arduino.zip_file, "Arduino sketch as a zip (.zip)", ".zip"),
    },
    "wiring": {
        "csv": ExportFormat(csv_tables.wiring_csv, "Net list spreadsheet (.csv)", "-netlist.csv"),
        "wireviz": ExportFormat(wireviz.harness_file, "WireViz harness (.yml)", ".wireviz.yml"),
        "dot": ExportFormat(graphviz.dot_file, "Graphviz diagram source (.dot)", ".dot"),
        "svg": ExportFormat(graphviz.svg_file, "Wiring diagram picture (.svg)", ".svg"),
        "kicad-netlist": ExportFormat(kicad_netlist.netlist_file, "KiCad netlist for Pcbnew (.net)", ".net"),
        "wokwi": ExportFormat(wokwi.diagram_file, "Wokwi simulator diagram (diagram.json)", "-diagram.json"),
    },
}

EXPORT_FORMATS: dict[str, list[str]] = {kind: list(formats) for kind, formats in _FORMATS.items()}

#: What each format is, for menus and ``--help``.
FORMAT_DESCRIPTIONS: dict[tuple[str, str], str] = {
    (kind, name): spec.label for kind, formats in _FORMATS.items() for name, spec in formats.items()
}


def format_label(artifact_type: str, export_format: str) -> str:
    """The human name of a format for menus, e.g. "JLCPCB assembly BOM (.csv)"."""
    return FORMAT_DESCRIPTIONS.get((artifact_type, export_format), export_format)


def is_folder_format(artifact_type: str, export_format: str) -> bool:
    spec = _FORMATS.get(artifact_type, {}).get(export_format)
    return spec is not None and spec.is_folder


def available_formats(artifact_type: str) -> list[str]:
    """The formats that can be exported on this machine (SVG only when Graphviz is installed)."""
    formats = list(EXPORT_FORMATS.get(artifact_type, []))
    if "svg" in formats and shutil.which("dot") is None:
        formats.remove("svg")
    return formats


def default_file_name(artifact_type: str, export_format: str, project: str = "ohm") -> str:
    """A sensible output name, e.g. ``robot-jlcpcb-bom.csv``, ``robot.net`` or ``robot`` (sketch folder)."""
    spec = _FORMATS.get(artifact_type, {}).get(export_format)
    return sketch_name(project) + (spec.suffix if spec is not None else f".{export_format}")


def export_design(
    artifact_type: str, content: dict[str, Any], export_format: str, path: Path, design: Design | None = None
) -> ExportResult:
    """Write ``content`` (validated artifact JSON) in ``export_format`` at ``path``.

    ``design`` holds the chat's other current artifacts (the BOM names a wiring's parts);
    the result lists the files written and a sentence for everything dropped or changed.
    """
    spec = _FORMATS.get(artifact_type, {}).get(export_format)
    if spec is None:
        known = ", ".join(EXPORT_FORMATS.get(artifact_type, [])) or "none"
        raise ExportError(f"Cannot export {artifact_type} as {export_format!r}: use one of {known}.")
    path = Path(path)
    if design is None:
        design = Design(bom=content if artifact_type == "bom" else None,
                        code=content if artifact_type == "code" else None,
                        wiring=content if artifact_type == "wiring" else None)
    try:
        return spec.writer(content, path, design)
    except OSError as exc:
        raise ExportError(
            f"Could not write the export to {path} ({exc.strerror or exc}): choose a folder you can write to."
        ) from exc


def export_artifact(artifact_type: str, content: dict[str, Any], export_format: str, path: Path) -> list[Path]:
    """:func:`export_design` without the other artifacts; returns only the files written."""
    return export_design(artifact_type, content, export_format, path).files


__all__ = [
    "EXPORT_FORMATS",
    "FORMAT_DESCRIPTIONS",
    "Design",
    "ExportError",
    "ExportResult",
    "available_formats",
    "default_file_name",
    "export_artifact",
    "export_design",
    "format_label",
    "is_folder_format",
    "lcsc_part_number",
    "netlist",
    "sketch_name",
    "wireviz_yaml",
    "wiring_dot",
]
