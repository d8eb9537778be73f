"""Wokwi diagram.json exports checked against Wokwi's own part library (npm ``@wokwi/elements``).

The simulator itself runs in Wokwi's cloud; what an offline check can prove is that every
part type is an element Wokwi ships and every connection names a pin that element has
(the ``pinInfo`` names in the package's built ``dist/cjs/*-element.js``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ohm_desktop.artifacts.export import Design, export_design
from tests.support.design_corpus import CORPUS, CorpusDesign


def _elements_dir() -> Path | None:
    npm = shutil.which("npm")
    if npm is None:
        return None
    done = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=60, check=False)
    folder = Path(done.stdout.strip()) / "@wokwi" / "elements" / "dist" / "cjs"
    return folder if folder.is_dir() else None


@pytest.fixture(scope="module")
def wokwi_pins() -> dict[str, set[str]]:
    """Element tag → pin names, read from the installed @wokwi/elements package."""
    folder = _elements_dir()
    if folder is None:
        reason = "npm package @wokwi/elements is not installed (npm install -g @wokwi/elements)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + ": see .ci/run")
        pytest.skip(reason)
    pins: dict[str, set[str]] = {}
    for source in folder.glob("*-element.js"):
        text = source.read_text(encoding="utf-8")
        for tag in re.findall(r"customElement\)\('([\w-]+)'\)", text):
            pins[tag] = set(re.findall(r"name: '([^']+)'", text))
    return pins


@pytest.mark.parametrize("design", CORPUS, ids=lambda d: d.name)
def test_every_part_and_pin_is_one_wokwi_knows(design: CorpusDesign, tmp_path: Path,
                                                wokwi_pins: dict[str, set[str]]) -> None:
    result = export_design("wiring", design.wiring, "wokwi", tmp_path / "diagram.json",
                           Design(design.bom, design.code, design.wiring))
    document = json.loads(result.files[0].read_text(encoding="utf-8"))
    assert document["version"] == 1 and document["parts"], "no part Wokwi knows"
    types = {part["id"]: part["type"] for part in document["parts"]}
    assert len(types) == len(document["parts"]), "part ids must be unique"
    for part_type in types.values():
        assert part_type in wokwi_pins, f"{part_type} is not a Wokwi element"
    for start, end, colour, hints in document["connections"]:
        for endpoint in (start, end):
            part_id, _, pin = endpoint.partition(":")
            assert pin in wokwi_pins[types[part_id]], f"{endpoint}: {types[part_id]} has no pin {pin}"
        assert isinstance(colour, str) and hints == []


def test_parts_wokwi_lacks_are_listed_and_their_wires_left_out(tmp_path: Path) -> None:
    bom = {"projectName": "x", "parts": [{"designator": "U1", "name": "Arduino Uno", "quantity": 1},
                                         {"designator": "U2", "name": "L298N module", "quantity": 1},
                                         {"designator": "D1", "name": "LED", "value": "red", "quantity": 1}]}
    wiring = {"connections": [{"from": "U1.D9", "to": "U2.IN1"}, {"from": "U1.D13", "to": "D1.A"},
                              {"from": "D1.K", "to": "GND"}, {"from": "U1.GND", "to": "GND"}]}
    result = export_design("wiring", wiring, "wokwi", tmp_path / "d.json", Design(bom=bom, wiring=wiring))
    document = json.loads((tmp_path / "d.json").read_text())
    assert [part["id"] for part in document["parts"]] == ["D1", "U1"]
    assert document["parts"][0]["attrs"] == {"color": "red"}
    assert [c[:3] for c in document["connections"]] == [["D1:A", "U1:13", "green"], ["D1:C", "U1:GND.1", "black"]]
    assert any("U2" in notice and "L298N" in notice for notice in result.notices)
