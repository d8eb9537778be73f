"""Exports produce files the bench tools read: spreadsheets, JLCPCB, KiCad, Arduino, WireViz, Graphviz."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from ohm_desktop.artifacts.export import (
    EXPORT_FORMATS,
    ExportError,
    available_formats,
    export_artifact,
    export_design,
    netlist,
    sketch_name,
)
from ohm_desktop.errors import UsageError

BOM = {
    "projectName": "Line follower",
    "parts": [
        {"designator": "U1", "name": "Arduino Nano", "quantity": 1, "mpn": "A000005", "manufacturer": "Arduino"},
        {"designator": "R1", "name": "Resistor", "value": "10kΩ", "footprint": "0603", "quantity": 1, "supplier_pn": "C25804"},
        {"designator": "R2", "name": "Resistor", "value": "10kΩ", "footprint": "0603", "quantity": 1, "lcsc": "C25804"},
        {"designator": "C1", "name": "Capacitor", "value": "100nF", "quantity": 1, "notes": "close to U1, \"decoupling\""},
    ],
}
CODE = {
    "board": "arduino:avr:nano",
    "files": [
        {"path": "sketch.ino", "content": '#include "pins.h"\nvoid setup() { pinMode(LED, OUTPUT); }\nvoid loop() {}\n'},
        {"path": "pins.h", "content": "#define LED 13\n"},
        {"path": "src/motor.cpp", "content": "// motor\n"},
    ],
}
WIRING = {
    "connections": [
        {"from": "U1.D9", "to": "R1.1", "color": "red"},
        {"from": "R1.2", "to": "D1.A", "net": "LED"},
        {"from": "D1.K", "to": "GND", "color": "black"},
        {"from": "U1.GND", "to": "GND"},
    ]
}


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def test_bom_csv_has_one_row_per_part_with_quoting_and_unicode(tmp_path: Path) -> None:
    [path] = export_artifact("bom", BOM, "csv", tmp_path / "bom.csv")
    rows = _rows(path)
    assert rows[0] == ["Designator", "Name", "Quantity", "Value", "Footprint", "Manufacturer", "MPN", "Supplier PN", "Notes"]
    assert rows[2][:5] == ["R1", "Resistor", "1", "10kΩ", "0603"]
    assert rows[4][-1] == 'close to U1, "decoupling"'
    assert len(rows) == 1 + len(BOM["parts"])


def test_jlcpcb_groups_designators_of_the_same_part_and_leaves_the_module_out(tmp_path: Path) -> None:
    result = export_design("bom", BOM, "jlcpcb", tmp_path / "jlc.csv")
    rows = _rows(result.files[0])
    assert rows[0] == ["Comment", "Designator", "Footprint", "LCSC"]
    assert ["10kΩ", "R1,R2", "0603", "C25804"] in rows
    assert ["100nF", "C1", "", ""] in rows
    assert len(rows) == 3
    assert any("U1" in notice and "not soldered" in notice for notice in result.notices)


def test_kicad_bom_columns(tmp_path: Path) -> None:
    [path] = export_artifact("bom", BOM, "kicad", tmp_path / "kicad.csv")
    rows = _rows(path)
    assert rows[0][:6] == ["Reference", "Value", "Footprint", "Qty", "MPN", "Manufacturer"]
    assert rows[1][:6] == ["U1", "Arduino Nano", "", "1", "A000005", "Arduino"]
    assert rows[2][:4] == ["R1", "10kΩ", "0603", "1"]


def test_arduino_folder_is_named_like_its_sketch(tmp_path: Path) -> None:
    written = export_artifact("code", CODE, "arduino", tmp_path / "Line Follower")
    folder = tmp_path / "Line_Follower"
    assert sorted(p.relative_to(folder).as_posix() for p in written) == [
        "Line_Follower.ino", "pins.h", "sketch.yaml", "src/motor.cpp"
    ]
    assert "default_fqbn: arduino:avr:nano" in (folder / "sketch.yaml").read_text()
    assert (folder / "Line_Follower.ino").read_text().startswith('#include "pins.h"')
    with pytest.raises(ExportError, match="not empty"):
        export_artifact("code", CODE, "arduino", tmp_path / "Line Follower")


def test_arduino_into_an_existing_folder_creates_the_sketch_folder_inside(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "other.txt").write_text("x")
    written = export_artifact("code", CODE, "arduino", tmp_path / "exports")
    assert (tmp_path / "exports" / "sketch" / "sketch.ino") in written


def test_zip_holds_the_sketch_folder(tmp_path: Path) -> None:
    [path] = export_artifact("code", CODE, "zip", tmp_path / "robot.zip")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [
            "robot/pins.h", "robot/robot.ino", "robot/sketch.yaml", "robot/src/motor.cpp"
        ]
        assert archive.read("robot/pins.h") == b"#define LED 13\n"


def test_code_paths_cannot_escape_the_sketch_folder(tmp_path: Path) -> None:
    evil = {"files": [{"path": "../../etc/evil.h", "content": "x"}, {"path": "a.ino", "content": ""}]}
    with pytest.raises(ExportError, match="leaves the sketch folder"):
        export_artifact("code", evil, "arduino", tmp_path / "s")
    assert not (tmp_path.parent / "etc").exists()


def test_sketch_names_follow_arduino_rules() -> None:
    assert sketch_name("My Robot!") == "My_Robot"
    assert sketch_name("-x") == "x" and sketch_name("__") == "sketch" and sketch_name("Ünïcode bot") == "n_code_bot"
    assert len(sketch_name("a" * 100)) == 63


def test_netlist_groups_connected_pins_and_names_nets(tmp_path: Path) -> None:
    nets = netlist(WIRING)
    assert nets["GND"] == [("D1", "K"), ("U1", "GND")]
    assert nets["LED"] == [("D1", "A"), ("R1", "2")]
    assert nets["N1"] == [("R1", "1"), ("U1", "D9")]
    [path] = export_artifact("wiring", WIRING, "csv", tmp_path / "net.csv")
    assert _rows(path)[0] == ["Net", "Reference", "Pin"] and ["GND", "D1", "K"] in _rows(path)


def test_wireviz_yaml_has_a_connector_per_part_and_a_splice_per_net_label(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    [path] = export_artifact("wiring", WIRING, "wireviz", tmp_path / "harness.yml")
    document = yaml.safe_load(path.read_text())
    assert set(document["connectors"]) == {"U1", "R1", "D1", "GND"}
    assert document["connectors"]["U1"]["pinlabels"] == ["D9", "GND"]
    assert document["connectors"]["R1"]["pincount"] == 2
    assert document["connectors"]["GND"]["type"] == "Splice"
    assert len(document["cables"]) == 4 and document["cables"]["W1"]["colors"] == ["RD"]
    assert document["connections"][0] == [{"U1": [1]}, {"W1": [1]}, {"R1": [1]}]


def test_dot_export_is_valid_graphviz(tmp_path: Path) -> None:
    [path] = export_artifact("wiring", WIRING, "dot", tmp_path / "w.dot")
    text = path.read_text()
    assert text.startswith("graph wiring {") and text.count(" -- ") == 4 and 'color="red"' in text
    if shutil.which("dot") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("graphviz (dot) must be installed in CI: see .ci/run")
        pytest.skip("graphviz is not installed")
    check = subprocess.run(["dot", "-Tcanon", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_svg_export_needs_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("dot") is not None:
        [path] = export_artifact("wiring", WIRING, "svg", tmp_path / "w.svg")
        assert "<svg" in path.read_text() and "svg" in available_formats("wiring")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert "svg" not in available_formats("wiring")
    with pytest.raises(ExportError, match="graphviz"):
        export_artifact("wiring", WIRING, "svg", tmp_path / "x.svg")


def test_unknown_format_and_unwritable_path_are_usage_errors(tmp_path: Path) -> None:
    assert EXPORT_FORMATS["bom"] == ["csv", "jlcpcb", "kicad"]
    with pytest.raises(UsageError, match="csv, jlcpcb, kicad"):
        export_artifact("bom", BOM, "pdf", tmp_path / "x.pdf")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="Could not write"):
        export_artifact("bom", BOM, "csv", blocker / "bom.csv")


def test_white_wires_stay_visible_on_the_white_page(tmp_path: Path) -> None:
    wiring = {"connections": [{"from": "U1.D2", "to": "SW1.1", "color": "white"},
                              {"from": "U1.D3", "to": "SW1.2", "color": "red"}]}
    dot = export_artifact("wiring", wiring, "dot", tmp_path / "w.dot")[0].read_text()
    assert 'color="#555555:white:#555555", penwidth=2' in dot and 'color="red"' in dot
    if shutil.which("dot") is None:
        pytest.skip("graphviz is not installed")
    svg = export_artifact("wiring", wiring, "svg", tmp_path / "w.svg")[0].read_text()
    assert 'stroke="white"' in svg and 'stroke="#555555"' in svg
