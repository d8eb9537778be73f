"""Every wiring in the corpus, exported as WireViz YAML, is rendered by the real WireViz 0.4."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ohm_desktop.artifacts.export import Design, export_design
from ohm_desktop.artifacts.export.nets import wires
from tests.support.design_corpus import CORPUS, CorpusDesign

wireviz = pytest.importorskip("wireviz.wireviz", reason="the test extra installs wireviz")


@pytest.mark.parametrize("design", CORPUS, ids=lambda d: d.name)
def test_wireviz_renders_the_export_with_every_wired_part(design: CorpusDesign, tmp_path: Path) -> None:
    result = export_design("wiring", design.wiring, "wireviz", tmp_path / "harness.yml",
                           Design(design.bom, design.code, design.wiring))
    source = result.files[0].read_text(encoding="utf-8")
    svg = wireviz.parse(source, return_types="svg")  # any WireViz exception fails the test
    parts = {reference for wire in wires(design.wiring) for reference, _ in wire.ends}
    missing = [reference for reference in parts if f">{reference}<" not in svg]
    assert not missing, f"parts missing from the WireViz drawing: {missing}"


def test_wires_between_two_parts_are_one_bundle_with_colour_codes(tmp_path: Path) -> None:
    wiring = {"connections": [
        {"from": "U1.D9", "to": "U2.IN1", "color": "green"},
        {"from": "U2.IN2", "to": "U1.D8", "color": "purple", "net": "DIR"},
        {"from": "U1.5V", "to": "U1.VIN", "color": "red"},
        {"from": "U1.GND", "to": "U2.GND", "color": "teal"},
    ]}
    result = export_design("wiring", wiring, "wireviz", tmp_path / "h.yml")
    document = yaml.safe_load(result.files[0].read_text())
    assert list(document["cables"]) == ["W1"]
    bundle = document["cables"]["W1"]
    assert bundle["category"] == "bundle" and bundle["wirecount"] == 3
    assert bundle["colors"] == ["GN", "VT", ""] and bundle["wirelabels"] == ["", "DIR", ""]
    # Pins are numbered in natural order (U1: 5V D8 D9 GND VIN; U2: GND IN1 IN2), and
    # U2.IN2 → U1.D8 is turned round so the bundle runs U1 → U2 for every wire.
    assert document["connectors"]["U1"]["pinlabels"] == ["5V", "D8", "D9", "GND", "VIN"]
    assert document["connections"] == [[{"U1": [3, 2, 4]}, {"W1": [1, 2, 3]}, {"U2": [2, 3, 1]}]]
    assert document["connectors"]["U1"]["loops"] == [[1, 5]]
    assert any("teal" in notice for notice in result.notices)
    wireviz.parse(result.files[0].read_text(), return_types="svg")


_REFS = st.sampled_from(["U1", "R1", "D1", "X 1", "Q:1", "GND", "5V"])
_PINS = st.sampled_from(["1", "2", "A", "K", "D9", "GND", "+", "-", "1.5", "a b", "#3", "'", '"', "ü"])
_ENDS = st.builds(lambda ref, pin: ref if ref in ("GND", "5V") else f"{ref}.{pin}", _REFS, _PINS)
_WIRINGS = st.lists(
    st.fixed_dictionaries({"from": _ENDS, "to": _ENDS},
                          optional={"color": st.sampled_from(["red", "teal", "white", "RD", ""]),
                                    "net": st.sampled_from(["SDA", 'a"b', "GND"])}),
    min_size=1, max_size=10,
)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(connections=_WIRINGS)
def test_odd_names_and_loops_still_render(connections: list[dict[str, str]]) -> None:
    from ohm_desktop.artifacts.export.wireviz import wireviz_yaml

    source, _ = wireviz_yaml({"connections": connections})
    wireviz.parse(source, return_types="svg")
