"""Artifacts in the file formats the bench already uses.

    EXPORT_FORMATS["bom"]      == ["csv", "jlcpcb", "kicad"]
    EXPORT_FORMATS["code"]     == ["arduino", "zip"]
    EXPORT_FORMATS["wiring"]   == ["csv", "wireviz", "dot", "svg"]
    written = export_artifact("bom", content, "jlcpcb", Path("order.csv"))   # -> [Path("order.csv")]

``path`` is the file to write, except for ``code``/``arduino`` where it is the sketch folder
(its name is the sketch name, as the Arduino IDE requires; when ``path`` is an existing
folder, the sketch folder is created inside it). SVG needs Graphviz's ``dot`` on PATH
(:func:`available_formats` leaves it out otherwise). Every function is Qt-free and raises
:class:`ExportError` (a UsageError) with a sentence the user can act on.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from ohm_desktop.errors import UsageError

EXPORT_FORMATS: dict[str, list[str]] = {
    "bom": ["csv", "jlcpcb", "kicad"],
    "code": ["arduino", "zip"],
    "wiring": ["csv", "wireviz", "dot", "svg"],
}

#: What each format is, for menus and ``--help``.
FORMAT_DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("bom", "csv"): "generic CSV, one row per part",
    ("bom", "jlcpcb"): "JLCPCB assembly BOM (Comment, Designator, Footprint, JLCPCB Part #)",
    ("bom", "kicad"): "KiCad-style BOM (Reference, Value, Footprint, Qty, MPN, Manufacturer)",
    ("code", "arduino"): "Arduino sketch folder (folder name = sketch name)",
    ("code", "zip"): "zip archive of the sketch folder",
    ("wiring", "csv"): "netlist CSV (Net, Reference, Pin)",
    ("wiring", "wireviz"): "WireViz YAML harness description",
    ("wiring", "dot"): "Graphviz DOT diagram",
    ("wiring", "svg"): "SVG diagram rendered by Graphviz (needs `dot`)",
}


class ExportError(UsageError):
    """An export could not be written (bad format, unwritable path, missing tool)."""


def available_formats(artifact_type: str) -> list[str]:
    """The formats that can be exported on this machine (SVG only when Graphviz is installed)."""
    formats = list(EXPORT_FORMATS.get(artifact_type, []))
    if "svg" in formats and shutil.which("dot") is None:
        formats.remove("svg")
    return formats


def default_file_name(artifact_type: str, export_format: str, project: str = "ohm") -> str:
    """A sensible output name, e.g. ``robot-jlcpcb.csv`` or ``robot`` (sketch folder)."""
    stem = sketch_name(project)
    suffix = {
        ("bom", "csv"): "-bom.csv",
        ("bom", "jlcpcb"): "-jlcpcb.csv",
        ("bom", "kicad"): "-kicad-bom.csv",
        ("code", "arduino"): "",
        ("code", "zip"): ".zip",
        ("wiring", "csv"): "-netlist.csv",
        ("wiring", "wireviz"): ".wireviz.yml",
        ("wiring", "dot"): ".dot",
        ("wiring", "svg"): ".svg",
    }.get((artifact_type, export_format), f".{export_format}")
    return stem + suffix


def export_artifact(artifact_type: str, content: dict[str, Any], export_format: str, path: Path) -> list[Path]:
    """Write ``content`` (validated artifact JSON) in ``export_format`` at ``path``; returns the files written."""
    writer = _WRITERS.get((artifact_type, export_format))
    if writer is None:
        known = ", ".join(EXPORT_FORMATS.get(artifact_type, [])) or "none"
        raise ExportError(f"Cannot export {artifact_type} as {export_format!r}: use one of {known}.")
    path = Path(path)
    try:
        return writer(content, path)
    except OSError as exc:
        raise ExportError(
            f"Could not write the export to {path} ({exc.strerror or exc}): choose a folder you can write to."
        ) from exc


# -------------------------------------------------------------------------- bom
_BOM_COLUMNS = ("Designator", "Name", "Quantity", "Value", "Footprint", "Manufacturer", "MPN", "Supplier PN", "Notes")
_BOM_FIELDS = ("designator", "name", "quantity", "value", "footprint", "manufacturer", "mpn", "supplier_pn", "notes")
_LCSC = re.compile(r"^C\d{3,}$", re.IGNORECASE)


def _parts(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [part for part in content.get("parts") or [] if isinstance(part, dict)]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _write_csv(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> list[Path]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    # utf-8-sig: spreadsheet programs (and JLCPCB's uploader) read µ and Ω correctly with a BOM.
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    return [path]


def _bom_csv(content: dict[str, Any], path: Path) -> list[Path]:
    rows = [[_text(part.get(name)) for name in _BOM_FIELDS] for part in _parts(content)]
    return _write_csv(path, _BOM_COLUMNS, rows)


def lcsc_part_number(part: dict[str, Any]) -> str:
    """The JLCPCB/LCSC part number of a part (``C25804``), from ``lcsc``/``jlcpcb`` or ``supplier_pn``."""
    for name in ("lcsc", "jlcpcb", "jlcpcb_pn", "lcsc_pn", "supplier_pn"):
        value = _text(part.get(name)).strip()
        if _LCSC.match(value):
            return value.upper()
    return ""


def _bom_jlcpcb(content: dict[str, Any], path: Path) -> list[Path]:
    # JLCPCB wants one line per distinct part with every designator of it: "R1,R2,R3".
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for part in _parts(content):
        comment = _text(part.get("value")) or _text(part.get("name"))
        if part.get("value") and part.get("name"):
            comment = f"{part['value']} {part['name']}"
        key = (comment, _text(part.get("footprint")), lcsc_part_number(part))
        designators = grouped.setdefault(key, [])
        designators.extend(d.strip() for d in _text(part.get("designator")).split(",") if d.strip())
    rows = [[comment, ",".join(designators), footprint, lcsc] for (comment, footprint, lcsc), designators in grouped.items()]
    return _write_csv(path, ("Comment", "Designator", "Footprint", "JLCPCB Part #"), rows)


def _bom_kicad(content: dict[str, Any], path: Path) -> list[Path]:
    rows = [
        [
            _text(part.get("designator")),
            _text(part.get("value")) or _text(part.get("name")),
            _text(part.get("footprint")),
            _text(part.get("quantity")),
            _text(part.get("mpn")),
            _text(part.get("manufacturer")),
            _text(part.get("name")),
        ]
        for part in _parts(content)
    ]
    return _write_csv(path, ("Reference", "Value", "Footprint", "Qty", "MPN", "Manufacturer", "Description"), rows)


# ------------------------------------------------------------------------- code
_SKETCH_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")


def sketch_name(text: str) -> str:
    """A valid Arduino sketch name from any text (letters, digits, ``_ - .``; starts alphanumeric; ≤ 63)."""
    name = _SKETCH_NAME_CHARS.sub("_", text.strip()).strip("_.-")
    if not name or not name[0].isalnum():
        name = "sketch_" + name
    return name[:63].rstrip("_.-") or "sketch"


def _main_sketch(files: list[dict[str, Any]]) -> str | None:
    top_level = [str(f.get("path")) for f in files if "/" not in str(f.get("path")).replace("\\", "/")]
    inos = [path for path in top_level if path.lower().endswith(".ino")]
    return inos[0] if inos else None


def _sketch_files(content: dict[str, Any], name: str) -> dict[str, str]:
    """Relative path → text for a sketch called ``name`` (its main .ino renamed to ``name.ino``)."""
    files = [f for f in content.get("files") or [] if isinstance(f, dict)]
    main = _main_sketch(files)
    result: dict[str, str] = {}
    for file in files:
        relative = str(file.get("path", "")).replace("\\", "/")
        parts = PurePosixPath(relative).parts
        if not parts or relative.startswith("/") or ".." in parts:
            raise ExportError(f"The code file path {relative!r} leaves the sketch folder; fix the code artifact.")
        if relative == main:
            relative = f"{name}.ino"
        result[relative] = str(file.get("content", ""))
    if main is None:
        result[f"{name}.ino"] = "// Generated by Ohm: the sketch code lives in the other files.\n"
    return result


def _code_arduino(content: dict[str, Any], path: Path) -> list[Path]:
    folder = path
    if path.is_dir() and any(path.iterdir()):
        main = _main_sketch([f for f in content.get("files") or [] if isinstance(f, dict)])
        folder = path / sketch_name(PurePosixPath(main).stem if main else "sketch")
    name = sketch_name(folder.name)
    folder = folder.with_name(name)
    if folder.exists() and any(folder.iterdir()):
        raise ExportError(f"The folder {folder} already exists and is not empty: choose another -o path.")
    written = []
    for relative, text in _sketch_files(content, name).items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def _code_zip(content: dict[str, Any], path: Path) -> list[Path]:
    name = sketch_name(path.stem if path.suffix.lower() == ".zip" else path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative, text in sorted(_sketch_files(content, name).items()):
            archive.writestr(f"{name}/{relative}", text)
    return [path]


# ----------------------------------------------------------------------- wiring
def _endpoints(content: dict[str, Any]) -> list[tuple[dict[str, Any], str, str]]:
    return [
        (connection, str(connection.get("from", "")).strip(), str(connection.get("to", "")).strip())
        for connection in content.get("connections") or []
        if isinstance(connection, dict)
    ]


def _split(endpoint: str) -> tuple[str, str]:
    """``U1.D9`` → (``U1``, ``D9``); a bare name (``GND``) is a net label: (``GND``, ``""``)."""
    part, dot, pin = endpoint.partition(".")
    return (part.strip(), pin.strip()) if dot and part.strip() else (endpoint.strip(), "")


def netlist(content: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Nets of the wiring: net name → sorted (reference, pin) nodes.

    Connected endpoints form one net (union-find). A net is named by a ``net`` field of one
    of its wires, else by a bare label endpoint such as ``GND``, else ``N1``, ``N2``...
    """
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    names: dict[str, str] = {}
    for connection, start, end in _endpoints(content):
        parent[find(start)] = find(end)
        if connection.get("net"):
            names.setdefault(start, str(connection["net"]))
        for endpoint in (start, end):
            if not _split(endpoint)[1]:
                names.setdefault(endpoint, endpoint)
    members: dict[str, list[str]] = {}
    for node in list(parent):
        members.setdefault(find(node), []).append(node)
    nets: dict[str, list[tuple[str, str]]] = {}
    unnamed = 0
    for nodes in sorted(members.values(), key=lambda group: sorted(group)[0]):
        label = next((names[n] for n in sorted(nodes) if n in names), None)
        if label is None:
            unnamed += 1
            label = f"N{unnamed}"
        while label in nets:
            label += "_"
        nets[label] = sorted(_split(node) for node in nodes if _split(node)[1])
    return nets


def _wiring_csv(content: dict[str, Any], path: Path) -> list[Path]:
    rows = [[net, reference, pin] for net, nodes in netlist(content).items() for reference, pin in nodes]
    return _write_csv(path, ("Net", "Reference", "Pin"), rows)


# WireViz uses IEC 60757 two-letter colour codes.
_IEC_COLORS = {
    "black": "BK", "brown": "BN", "red": "RD", "orange": "OG", "yellow": "YE", "green": "GN", "blue": "BU",
    "violet": "VT", "purple": "VT", "grey": "GY", "gray": "GY", "white": "WH", "pink": "PK", "turquoise": "TQ",
}


def _yaml(value: Any) -> str:
    # JSON scalars are valid YAML scalars and quote everything that needs quoting.
    return json.dumps(value, ensure_ascii=False)


def wireviz_yaml(content: dict[str, Any]) -> str:
    """The wiring as a WireViz harness: one connector per part, one single-wire cable per connection."""
    pins: dict[str, list[str]] = {}
    for _, start, end in _endpoints(content):
        for endpoint in (start, end):
            reference, pin = _split(endpoint)
            listed = pins.setdefault(reference, [])
            if (pin or "1") not in listed:
                listed.append(pin or "1")
    lines = ["connectors:"]
    for reference, pin_list in pins.items():
        lines.append(f"  {_yaml(reference)}:")
        lines.append(f"    pins: [{', '.join(_yaml(pin) for pin in pin_list)}]")
    lines.append("cables:")
    connections = ["connections:"]
    for index, (connection, start, end) in enumerate(_endpoints(content), start=1):
        cable = f"W{index}"
        lines.append(f"  {cable}:")
        lines.append("    wirecount: 1")
        color = _IEC_COLORS.get(str(connection.get("color") or "").strip().lower())
        if color:
            lines.append(f"    colors: [{color}]")
        if connection.get("net"):
            lines.append(f"    notes: {_yaml('net ' + str(connection['net']))}")
        (from_ref, from_pin), (to_ref, to_pin) = _split(start), _split(end)
        connections.append(f"  - - {_yaml(from_ref)}: [{_yaml(from_pin or '1')}]")
        connections.append(f"    - {cable}: [1]")
        connections.append(f"    - {_yaml(to_ref)}: [{_yaml(to_pin or '1')}]")
    return "\n".join([*lines, *connections]) + "\n"


def _wiring_wireviz(content: dict[str, Any], path: Path) -> list[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(wireviz_yaml(content), encoding="utf-8")
    return [path]


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wiring_dot(content: dict[str, Any]) -> str:
    """The wiring as a Graphviz graph: parts are record nodes with one port per used pin."""
    pins: dict[str, list[str]] = {}
    for _, start, end in _endpoints(content):
        for endpoint in (start, end):
            reference, pin = _split(endpoint)
            listed = pins.setdefault(reference, [])
            if pin and pin not in listed:
                listed.append(pin)
    lines = ["graph wiring {", "  rankdir=LR;", '  node [shape=record, fontname="Helvetica"];']
    ports: dict[tuple[str, str], str] = {}
    for number, (reference, pin_list) in enumerate(pins.items()):
        fields = []
        for index, pin in enumerate(pin_list):
            ports[(reference, pin)] = f"p{index}"
            fields.append(f"<p{index}> " + re.sub(r'([{}<>|"\\ ])', r"\\\1", pin))
        label = re.sub(r'([{}<>|"\\ ])', r"\\\1", reference)
        record = f"{label}|{{{'|'.join(fields)}}}" if fields else label
        shape = "" if fields else ", shape=ellipse"
        lines.append(f"  n{number} [label={_dot_id(record)}{shape}];")
    node_of = {reference: f"n{number}" for number, reference in enumerate(pins)}
    for connection, start, end in _endpoints(content):
        ends = []
        for endpoint in (start, end):
            reference, pin = _split(endpoint)
            port = ports.get((reference, pin))
            ends.append(f"{node_of[reference]}:{port}" if port else node_of[reference])
        attributes = []
        if connection.get("color"):
            attributes.append(f"color={_dot_id(str(connection['color']).lower())}")
        if connection.get("net"):
            attributes.append(f"label={_dot_id(str(connection['net']))}")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {ends[0]} -- {ends[1]}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _wiring_dot(content: dict[str, Any], path: Path) -> list[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(wiring_dot(content), encoding="utf-8")
    return [path]


def _wiring_svg(content: dict[str, Any], path: Path) -> list[Path]:
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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(done.stdout, encoding="utf-8")
    return [path]


_WRITERS: dict[tuple[str, str], Callable[[dict[str, Any], Path], list[Path]]] = {
    ("bom", "csv"): _bom_csv,
    ("bom", "jlcpcb"): _bom_jlcpcb,
    ("bom", "kicad"): _bom_kicad,
    ("code", "arduino"): _code_arduino,
    ("code", "zip"): _code_zip,
    ("wiring", "csv"): _wiring_csv,
    ("wiring", "wireviz"): _wiring_wireviz,
    ("wiring", "dot"): _wiring_dot,
    ("wiring", "svg"): _wiring_svg,
}
