from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from ohm_desktop.artifacts.diff import diff_versions
from ohm_desktop.artifacts.export import ExportError, bom_csv, export_artifact, wireviz_yaml

BOM1 = {"projectName": "Bot", "parts": [
    {"designator": "R1", "name": "Resistor", "value": "220R", "quantity": 2, "footprint": "0805", "supplier_pn": "C17557"},
    {"designator": "U1", "name": "Arduino Uno", "quantity": 1, "mpn": "A000066", "manufacturer": "Arduino"}]}
BOM2 = {"projectName": "Bot", "parts": [
    {"designator": "R1", "name": "Resistor", "value": "330R", "quantity": 4, "footprint": "0805"},
    {"designator": "BZ1", "name": "Buzzer", "quantity": 1}]}
CODE1 = {"board": "arduino:avr:uno", "files": [{"path": "blink.ino", "content": "void setup(){}\nvoid loop(){}\n"}]}
CODE2 = {"board": "arduino:avr:uno", "files": [
    {"path": "blink.ino", "content": "void setup(){}\nvoid loop(){ delay(1); }\n"},
    {"path": "pins.h", "content": "#define LED 13\n"}]}
WIRING = {"connections": [{"from": "U1.D9", "to": "R1.1", "net": "PWM", "color": "yellow"},
                          {"from": "R1.2", "to": "D1.A", "net": "LED"}]}


def test_bom_diff_by_part() -> None:
    rows = {(r.kind, r.key): r.detail for r in diff_versions("bom", BOM1, BOM2).rows}
    assert rows[("changed", "R1")].startswith("value '220R' → '330R'; quantity 2 → 4")
    assert ("added", "BZ1") in rows and ("removed", "U1") in rows


def test_code_diff_is_unified_per_file() -> None:
    diff = diff_versions("code", CODE1, CODE2)
    kinds = {r.key: r for r in diff.rows}
    assert kinds["blink.ino"].kind == "changed" and "+void loop(){ delay(1); }" in kinds["blink.ino"].unified
    assert kinds["pins.h"].kind == "added"
    assert diff_versions("code", CODE1, CODE1).unchanged


def test_wiring_diff_by_connection() -> None:
    changed = {"connections": [{"from": "R1.1", "to": "U1.D9", "net": "PWM2"}]}
    rows = diff_versions("wiring", WIRING, changed).rows
    assert [(r.kind, r.key) for r in rows] == [("changed", "R1.1 — U1.D9"), ("removed", "D1.A — R1.2")]


def test_jlcpcb_and_kicad_columns() -> None:
    jlc = list(csv.reader(io.StringIO(bom_csv(BOM1, "jlcpcb"))))
    assert jlc[0] == ["Comment", "Designator", "Footprint", "JLCPCB Part #"]
    assert jlc[1] == ["220R", "R1", "0805", "C17557"]
    kicad = list(csv.reader(io.StringIO(bom_csv(BOM1, "kicad"))))
    assert kicad[0] == ["Reference", "Value", "Footprint", "Qty", "MPN", "Manufacturer"]
    assert kicad[2] == ["U1", "Arduino Uno", "", "1", "A000066", "Arduino"]


def test_sketch_folder_is_named_after_the_sketch(tmp_path: Path) -> None:
    written = export_artifact("code", CODE2, "sketch", tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == ["blink/blink.ino", "blink/pins.h"]
    archive = export_artifact("code", CODE2, "zip", tmp_path / "blink.zip")[0]
    assert sorted(zipfile.ZipFile(archive).namelist()) == ["blink/blink.ino", "blink/pins.h"]


def test_escaping_paths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="leave the sketch folder"):
        export_artifact("code", {"files": [{"path": "../evil.ino", "content": ""}]}, "sketch", tmp_path)


def test_wiring_exports(tmp_path: Path) -> None:
    yaml = wireviz_yaml(WIRING)
    assert '"U1":' in yaml and "colors: [YE]" in yaml and '- "U1": ["D9"]' in yaml
    assert "netlist" and export_artifact("wiring", WIRING, "netlist-csv", tmp_path / "n.csv")[0].read_text().startswith("net,")
    dot = export_artifact("wiring", WIRING, "dot", tmp_path / "w.dot")[0].read_text()
    assert '"U1" -- "R1"' in dot
    if shutil.which("dot"):
        svg = export_artifact("wiring", WIRING, "svg", tmp_path / "w.svg")[0].read_text()
        assert "<svg" in svg
    with pytest.raises(ExportError, match="choose one of"):
        export_artifact("bom", BOM1, "pdf", tmp_path / "x")
