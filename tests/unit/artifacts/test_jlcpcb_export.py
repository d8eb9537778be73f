"""JLCPCB assembly BOM rules, each from JLCPCB's documentation or the KiCad JLCPCB plugin's output.

Examples are the ones JLCPCB's help pages use ("Bill of Materials (BOM) File for PCB Assembly":
Comment "100nF 80% -20% 50CV", Designators R201, R20, C100, U1, Footprints 0402, 0805, SSOP-8;
"Recommendations for BOM / CPL File Preparation": exact designators, at most 200 per line).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from ohm_desktop.artifacts.export import ExportError, export_design
from ohm_desktop.artifacts.export.jlcpcb import lcsc_part_number


def _export(tmp_path: Path, *parts: dict[str, Any]) -> tuple[list[list[str]], list[str]]:
    result = export_design("bom", {"projectName": "Board", "parts": list(parts)}, "jlcpcb", tmp_path / "bom.csv")
    with result.files[0].open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file)), result.notices


def test_columns_and_the_documented_example_line(tmp_path: Path) -> None:
    rows, _ = _export(tmp_path, {"designator": "C100", "name": "Capacitor", "value": "100nF 80% -20% 50CV",
                                 "footprint": "0402", "quantity": 1, "supplier_pn": "C1525"})
    assert rows == [["Comment", "Designator", "Footprint", "LCSC"], ["100nF 80% -20% 50CV", "C100", "0402", "C1525"]]


def test_ranges_are_expanded_so_every_designator_matches_the_placement_file(tmp_path: Path) -> None:
    rows, _ = _export(tmp_path, {"designator": "R201, R20, R1-R3", "name": "Resistor", "value": "10k",
                                 "footprint": "0805", "quantity": 5})
    assert rows[1][1] == "R1,R2,R3,R20,R201"


def test_at_most_200_designators_per_line(tmp_path: Path) -> None:
    rows, _ = _export(tmp_path, {"designator": "C1-C450", "name": "Capacitor", "value": "100nF",
                                 "footprint": "0402", "quantity": 450})
    counts = [len(row[1].split(",")) for row in rows[1:]]
    assert counts == [200, 200, 50]
    assert {row[0] for row in rows[1:]} == {"100nF"}


def test_footprints_lose_the_kicad_library_prefix(tmp_path: Path) -> None:
    rows, _ = _export(
        tmp_path,
        {"designator": "R1", "name": "Resistor", "value": "1k", "footprint": "Resistor_SMD:R_0805_2012Metric",
         "quantity": 1},
        {"designator": "U1", "name": "CH340C", "value": "CH340C", "footprint": "SSOP-8", "quantity": 1},
    )
    assert [row[2] for row in rows[1:]] == ["R_0805_2012Metric", "SSOP-8"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"supplier_pn": "C17673"}, "C17673"),
        ({"supplier_pn": "LCSC: C17673"}, "C17673"),
        ({"supplier_pn": "lcsc#c17673"}, "C17673"),
        ({"mpn": "C17673"}, "C17673"),
        ({"notes": "0.1% thin film, LCSC: C17673"}, "C17673"),
        ({"mpn": "C0805C104K5RACTU"}, ""),  # a KEMET MPN, not an LCSC number
        ({"notes": "place next to C12"}, ""),  # a designator in free text
        ({"supplier_pn": "Digi-Key 311-10.0KCRCT-ND"}, ""),
    ],
)
def test_lcsc_numbers_are_found_in_supplier_pn_mpn_or_notes(fields: dict[str, str], expected: str) -> None:
    assert lcsc_part_number({"name": "Resistor", **fields}) == expected


def test_off_board_parts_are_left_out_with_a_sentence_saying_which(tmp_path: Path) -> None:
    rows, notices = _export(
        tmp_path,
        {"designator": "U1", "name": "ESP32-DevKitC", "quantity": 1},
        {"designator": "BT1", "name": "18650 cell", "quantity": 1, "off_board": True},
        {"designator": "M1,M2", "name": "N20 gear motor", "quantity": 2},
        {"designator": "U2", "name": "DRV8833 motor driver", "footprint": "HTSSOP-16", "quantity": 1},
        {"designator": "J1", "name": "Battery connector", "footprint": "JST-PH-2", "quantity": 1},
    )
    assert [row[1] for row in rows[1:]] == ["U2", "J1"]
    [left_out] = [notice for notice in notices if "Left out" in notice]
    assert "U1" in left_out and "BT1" in left_out and "M1,M2" in left_out


@pytest.mark.parametrize(
    ("part", "problem"),
    [
        ({"designator": "R1", "quantity": 2}, "quantity 2 but 1 designator"),
        ({"designator": "R1-R3", "quantity": 2}, "quantity 2 but 3 designator"),
        ({"quantity": 4}, "has no designator"),
        ({"designator": "R1, r1", "quantity": 2}, "the same designator to JLCPCB"),
    ],
)
def test_quantity_and_designator_mismatches_are_reported_before_anything_is_written(
    tmp_path: Path, part: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ExportError, match=problem):
        _export(tmp_path, {"name": "Resistor", "value": "10k", "footprint": "0603", **part})
    assert not (tmp_path / "bom.csv").exists()


def test_plain_utf8_without_a_byte_order_mark(tmp_path: Path) -> None:
    _export(tmp_path, {"designator": "R1", "name": "Resistor", "value": "4.7kΩ", "footprint": "0603", "quantity": 1})
    raw = (tmp_path / "bom.csv").read_bytes()
    assert raw.startswith(b"Comment,") and "4.7kΩ".encode() in raw
