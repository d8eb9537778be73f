"""Diffs read the way a person reviews a change: by part, by file, by wire."""

from __future__ import annotations

import json

import pytest

from ohm_desktop.artifacts.diff import DiffRow, diff_versions

OLD_BOM = {
    "projectName": "Robot",
    "parts": [
        {"designator": "U1", "name": "Arduino Uno", "quantity": 1},
        {"designator": "R1", "name": "Resistor", "value": "220", "quantity": 2},
        {"designator": "C1", "name": "Capacitor", "value": "100nF", "quantity": 1},
        {"name": "Jumper wires", "quantity": 10},
    ],
}
NEW_BOM = {
    "projectName": "Robot",
    "parts": [
        {"designator": "U1", "name": "Arduino Uno", "quantity": 1},
        {"designator": "R1", "name": "Resistor", "value": "330", "quantity": 4},
        {"designator": "BZ1", "name": "Piezo buzzer", "quantity": 1},
        {"name": "Jumper wires", "quantity": 20},
    ],
}


def test_bom_diff_by_part_added_removed_and_changed_fields() -> None:
    diff = diff_versions("bom", OLD_BOM, NEW_BOM)
    assert sorted(diff.rows, key=repr) == sorted([
        DiffRow("added", "BZ1", None, None, {"designator": "BZ1", "name": "Piezo buzzer", "quantity": 1}),
        DiffRow("removed", "C1", None, {"designator": "C1", "name": "Capacitor", "value": "100nF", "quantity": 1}),
        DiffRow("changed", "R1", "quantity", 2, 4),
        DiffRow("changed", "R1", "value", "220", "330"),
        DiffRow("changed", "Jumper wires", "quantity", 10, 20),
    ], key=repr)
    text = diff.text()
    assert "+ BZ1 (name=Piezo buzzer, quantity=1)" in text
    assert "- C1" in text and "~ R1.value: 220 → 330" in text and "~ R1.quantity: 2 → 4" in text
    assert json.loads(json.dumps(diff.to_dict()))["artifact_type"] == "bom"


def test_identical_versions_have_no_rows() -> None:
    diff = diff_versions("bom", OLD_BOM, json.loads(json.dumps(OLD_BOM)))
    assert diff.unchanged and diff.text() == "no changes"


def test_repeated_designators_are_not_merged() -> None:
    old = {"projectName": "p", "parts": [{"designator": "R1", "name": "a", "quantity": 1}]}
    new = {"projectName": "p", "parts": [{"designator": "R1", "name": "a", "quantity": 1},
                                          {"designator": "R1", "name": "b", "quantity": 1}]}
    assert [(r.change, r.key) for r in diff_versions("bom", old, new).rows] == [("added", "R1 #2")]


def test_code_diff_is_a_unified_diff_per_file() -> None:
    old = {"board": "arduino:avr:uno", "files": [
        {"path": "sketch.ino", "content": "void setup() {\n  pinMode(9, OUTPUT);\n}\n"},
        {"path": "old.h", "content": "#define X 1\n"},
    ]}
    new = {"board": "arduino:avr:nano", "files": [
        {"path": "sketch.ino", "content": "void setup() {\n  pinMode(10, OUTPUT);\n}\n"},
        {"path": "config.h", "content": "#define PIN 10\n"},
    ]}
    diff = diff_versions("code", old, new)
    assert [(r.change, r.key, r.field) for r in diff.rows] == [
        ("changed", "board", None), ("changed", "sketch.ino", None), ("added", "config.h", None), ("removed", "old.h", None)
    ]
    assert "-  pinMode(9, OUTPUT);\n+  pinMode(10, OUTPUT);\n" in diff.file_diffs["sketch.ino"]
    assert diff.file_diffs["sketch.ino"].startswith("--- a/sketch.ino\n+++ b/sketch.ino\n")
    assert diff.file_diffs["config.h"].startswith("--- /dev/null\n+++ b/config.h\n")
    assert "+#define PIN 10" in diff.text() and "~ board: arduino:avr:uno → arduino:avr:nano" in diff.text()


def test_wiring_diff_by_connection_regardless_of_direction() -> None:
    old = {"connections": [
        {"from": "U1.D9", "to": "R1.1", "color": "red"},
        {"from": "R1.2", "to": "D1.A"},
        {"from": "D1.K", "to": "GND"},
    ]}
    new = {"connections": [
        {"from": "R1.1", "to": "U1.D9", "color": "orange"},  # same wire, drawn the other way
        {"from": "R1.2", "to": "D1.A", "net": "LED"},
        {"from": "U1.D2", "to": "SW1.1"},
    ], "notes": "add a button"}
    rows = {(r.change, r.key, r.field) for r in diff_versions("wiring", old, new).rows}
    assert rows == {
        ("changed", "R1.1 — U1.D9", "color"),
        ("changed", "D1.A — R1.2", "net"),
        ("added", "SW1.1 — U1.D2", None),
        ("removed", "D1.K — GND", None),
        ("changed", "notes", None),
    }


def test_unknown_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown artifact type"):
        diff_versions("schematic", {}, {})
