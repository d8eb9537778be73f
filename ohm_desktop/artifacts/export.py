"""Exports to the formats the bench uses: supplier BOMs, Arduino sketch folders, netlists.

``export_artifact`` writes files and returns their paths. It never writes outside the
target it was given, and a sketch path from a model cannot escape its folder (the code
schema already refuses such paths; the check here is the second line).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

EXPORT_FORMATS: dict[str, list[str]] = {
    "bom": ["csv", "jlcpcb", "kicad"],
    "code": ["sketch", "zip"],
    "wiring": ["netlist-csv", "wireviz", "dot", "svg"],
}
FILE_SUFFIX = {
    "csv": ".csv",
    "jlcpcb": ".csv",
    "kicad": ".csv",
    "zip": ".zip",
    "netlist-csv": ".csv",
    "wireviz": ".yaml",
    "dot": ".dot",
    "svg": ".svg",
    "sketch": "",
}
_WIRE_COLORS = {
    "red": "RD",
    "black": "BK",
    "yellow": "YE",
    "green": "GN",
    "blue": "BU",
    "white": "WH",
    "orange": "OG",
    "brown": "BN",
    "purple": "VT",
    "violet": "VT",
    "grey": "GY",
    "gray": "GY",
    "pink": "PK",
}


class ExportError(ValueError):
    """The export cannot be made (unknown format, missing tool); the message says what to do."""


def available_formats(artifact_type: str) -> list[str]:
    """Formats that can be produced on this machine (SVG needs Graphviz's ``dot``)."""
    formats = list(EXPORT_FORMATS.get(artifact_type, []))
    if "svg" in formats and shutil.which("dot") is None:
        formats.remove("svg")
    return formats


def export_artifact(artifact_type: str, content: dict[str, Any], fmt: str, path: Path) -> list[Path]:
    """Write ``content`` in format ``fmt`` at ``path``; returns the files written."""
    if fmt not in EXPORT_FORMATS.get(artifact_type, []):
        choices = ", ".join(EXPORT_FORMATS.get(artifact_type, [])) or "none"
        raise ExportError(f"A {artifact_type} cannot be exported as {fmt!r}: choose one of {choices}.")
    path = Path(path)
    if artifact_type == "bom":
        return [_write_text(path, bom_csv(content, fmt))]
    if artifact_type == "code":
        return write_sketch_folder(content, path) if fmt == "sketch" else [write_sketch_zip(content, path)]
    if fmt == "netlist-csv":
        return [_write_text(path, netlist_csv(content))]
    if fmt == "wireviz":
        return [_write_text(path, wireviz_yaml(content))]
    if fmt == "dot":
        return [_write_text(path, wiring_dot(content))]
    return [render_svg(wiring_dot(content), path)]


def _write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def _csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def bom_csv(content: dict[str, Any], fmt: str = "csv") -> str:
    """A BOM as generic, JLCPCB or KiCad-style CSV text."""
    parts = [p for p in content.get("parts", []) if isinstance(p, dict)]
    if fmt == "jlcpcb":
        rows = [["Comment", "Designator", "Footprint", "JLCPCB Part #"]]
        rows += [
            [
                p.get("value") or p.get("name", ""),
                p.get("designator", ""),
                p.get("footprint", ""),
                p.get("supplier_pn", ""),
            ]
            for p in parts
        ]
    elif fmt == "kicad":
        rows = [["Reference", "Value", "Footprint", "Qty", "MPN", "Manufacturer"]]
        rows += [
            [
                p.get("designator", ""),
                p.get("value") or p.get("name", ""),
                p.get("footprint", ""),
                p.get("quantity", 1),
                p.get("mpn", ""),
                p.get("manufacturer", ""),
            ]
            for p in parts
        ]
    else:
        columns = [
            "designator",
            "name",
            "value",
            "quantity",
            "footprint",
            "manufacturer",
            "mpn",
            "supplier_pn",
            "notes",
        ]
        rows = [columns] + [[p.get(c, "") if p.get(c) is not None else "" for c in columns] for p in parts]
    return _csv(rows)


def sketch_name(content: dict[str, Any]) -> str:
    """The Arduino sketch name: the main .ino's stem (Arduino requires folder == sketch name)."""
    for file in content.get("files", []):
        path = str(file.get("path", ""))
        if path.endswith(".ino"):
            stem = Path(path).stem
            return re.sub(r"[^A-Za-z0-9_]", "_", stem) or "sketch"
    return "sketch"


def _sketch_files(content: dict[str, Any]) -> list[tuple[str, str]]:
    name = sketch_name(content)
    files: list[tuple[str, str]] = []
    main_done = False
    for file in content.get("files", []):
        relative = str(file.get("path", "")).replace("\\", "/")
        if relative.startswith("/") or ".." in relative.split("/"):
            raise ExportError(
                f"The file path {relative!r} would leave the sketch folder: fix the code artifact."
            )
        if relative.endswith(".ino") and not main_done:
            relative, main_done = f"{name}.ino", True
        files.append((relative, str(file.get("content", ""))))
    return files


def write_sketch_folder(content: dict[str, Any], target: Path) -> list[Path]:
    """``target/<name>/<name>.ino`` plus the other files, ready for the Arduino IDE or arduino-cli."""
    folder = Path(target) / sketch_name(content)
    written = []
    for relative, text in _sketch_files(content):
        written.append(_write_text(folder / relative, text))
    return written


def write_sketch_zip(content: dict[str, Any], target: Path) -> Path:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    name = sketch_name(content)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative, text in _sketch_files(content):
            archive.writestr(f"{name}/{relative}", text)
    return target


def _endpoint(text: str) -> tuple[str, str]:
    part, dot, pin = str(text).partition(".")
    return (part, pin) if dot else (part, "")


def netlist_csv(content: dict[str, Any]) -> str:
    rows = [["net", "from_part", "from_pin", "to_part", "to_pin", "color"]]
    for index, connection in enumerate(content.get("connections", [])):
        source, target = _endpoint(connection.get("from", "")), _endpoint(connection.get("to", ""))
        rows.append(
            [connection.get("net") or f"N{index + 1}", *source, *target, connection.get("color") or ""]
        )
    return _csv(rows)


def _yaml_str(value: str) -> str:
    return json.dumps(str(value))  # JSON strings are valid YAML scalars


def wireviz_yaml(content: dict[str, Any]) -> str:
    """WireViz harness YAML: every part a connector, every connection a one-wire cable."""
    pins: dict[str, list[str]] = {}
    connections = content.get("connections", [])
    for connection in connections:
        for end in ("from", "to"):
            part, pin = _endpoint(connection.get(end, ""))
            pins.setdefault(part, [])
            if pin and pin not in pins[part]:
                pins[part].append(pin)
    lines = ["connectors:"]
    for part, part_pins in pins.items():
        lines.append(f"  {_yaml_str(part)}:")
        lines.append(f"    pins: [{', '.join(_yaml_str(p) for p in part_pins or ['1'])}]")
    lines.append("cables:")
    for index, connection in enumerate(connections):
        color = _WIRE_COLORS.get(str(connection.get("color") or "").lower())
        lines.append(f"  W{index + 1}:")
        lines.append("    wirecount: 1")
        if color:
            lines.append(f"    colors: [{color}]")
        if connection.get("net"):
            lines.append(f"    notes: {_yaml_str(connection['net'])}")
    lines.append("connections:")
    for index, connection in enumerate(connections):
        (a_part, a_pin), (b_part, b_pin) = (
            _endpoint(connection.get("from", "")),
            _endpoint(connection.get("to", "")),
        )
        lines.append("  -")
        lines.append(f"    - {_yaml_str(a_part)}: [{_yaml_str(a_pin or '1')}]")
        lines.append(f"    - W{index + 1}: [1]")
        lines.append(f"    - {_yaml_str(b_part)}: [{_yaml_str(b_pin or '1')}]")
    return "\n".join(lines) + "\n"


def wiring_dot(content: dict[str, Any]) -> str:
    """A Graphviz graph: parts as boxes, connections as labelled edges coloured like the wires."""
    lines = [
        "graph wiring {",
        '  graph [rankdir=LR, fontname="DejaVu Sans"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f1e8", fontname="DejaVu Sans"];',
        '  edge [fontname="DejaVu Sans", fontsize=9];',
    ]
    parts: list[str] = []
    for connection in content.get("connections", []):
        for end in ("from", "to"):
            part = _endpoint(connection.get(end, ""))[0]
            if part not in parts:
                parts.append(part)
    lines += [f"  {json.dumps(part)};" for part in parts]
    for connection in content.get("connections", []):
        (a_part, a_pin), (b_part, b_pin) = (
            _endpoint(connection.get("from", "")),
            _endpoint(connection.get("to", "")),
        )
        label = f"{a_pin}→{b_pin}" + (f" ({connection['net']})" if connection.get("net") else "")
        color = str(connection.get("color") or "gray40")
        lines.append(
            f"  {json.dumps(a_part)} -- {json.dumps(b_part)} [label={json.dumps(label)}, color={json.dumps(color)}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot_source: str, path: Path, *, timeout_s: float = 30) -> Path:
    """Render DOT to SVG with Graphviz; a clear error when Graphviz is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        raise ExportError("SVG export needs Graphviz: install it (`apt install graphviz`) or export as DOT.")
    done = subprocess.run(
        [dot, "-Tsvg"], input=dot_source.encode(), capture_output=True, timeout=timeout_s, check=False
    )
    if done.returncode != 0:
        raise ExportError(
            f"Graphviz could not render the diagram: {done.stderr.decode(errors='replace')[:200]}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(done.stdout)
    return path
