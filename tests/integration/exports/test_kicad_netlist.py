"""The KiCad netlist export, read by kinparse and loaded into a board by KiCad's own pcbnew."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from ohm_desktop.artifacts.export import Design, export_design
from ohm_desktop.artifacts.export.designators import designators_of, part_for_reference
from ohm_desktop.artifacts.export.kicad_symbols import symbol_for
from ohm_desktop.artifacts.export.nets import wires
from tests.support.design_corpus import CORPUS, CorpusDesign

# kinparse 1.2 still calls pyparsing's camelCase names.
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated - use:DeprecationWarning")
kinparse = pytest.importorskip("kinparse", reason="the test extra installs kinparse")
SYSTEM_PYTHON = "/usr/bin/python3"
LOADER = Path(__file__).resolve().parents[2] / "support" / "pcbnew_load.py"


def _has_pcbnew() -> bool:
    try:
        done = subprocess.run([SYSTEM_PYTHON, "-c", "import pcbnew"], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _pin_groups(design: CorpusDesign) -> int:
    """Connected groups of part pins, counted independently of the exporter (union-find on wire ends)."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for wire in wires(design.wiring):
        a, b = (".".join(end) if end[1] else f"label:{end[0]}" for end in wire.ends)
        parent[root(a)] = root(b)
    return len({root(node) for node in list(parent) if not node.startswith("label:")})


def _export(design: CorpusDesign, tmp_path: Path) -> tuple[Path, list[str]]:
    result = export_design("wiring", design.wiring, "kicad-netlist", tmp_path / f"{design.name}.net",
                           Design(design.bom, design.code, design.wiring))
    return result.files[0], result.notices


@pytest.mark.parametrize("design", CORPUS, ids=lambda d: d.name)
def test_kinparse_reads_every_bom_part_and_one_net_per_pin_group(design: CorpusDesign, tmp_path: Path) -> None:
    path, _ = _export(design, tmp_path)
    parsed = kinparse.parse_netlist(path.read_text(encoding="utf-8"))
    references = {part.ref for part in parsed.parts}
    for part in design.bom["parts"]:
        assert set(designators_of(part)) <= references
    assert len(parsed.nets) == _pin_groups(design)
    net_of = {(pin.ref, pin.num): net.name for net in parsed.nets for pin in net.pins}
    assert len(net_of) == sum(len(net.pins) for net in parsed.nets), "a pin sits on two nets"


@pytest.mark.parametrize("design", CORPUS, ids=lambda d: d.name)
def test_pcbnew_loads_the_netlist_and_both_ends_of_every_wire_share_a_net(
    design: CorpusDesign, tmp_path: Path
) -> None:
    if not _has_pcbnew():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's kicad (pcbnew Python module) must be installed in CI: see .ci/run")
        pytest.skip("KiCad's pcbnew Python module is not installed (apt install kicad kicad-footprints)")
    path, _ = _export(design, tmp_path)
    parsed = kinparse.parse_netlist(path.read_text(encoding="utf-8"))
    data = {
        "components": [{"ref": p.ref, "value": p.value, "footprint": p.footprint} for p in parsed.parts],
        "nets": [{"name": n.name, "nodes": [[pin.ref, pin.num] for pin in n.pins]} for n in parsed.nets],
    }
    done = subprocess.run([SYSTEM_PYTHON, str(LOADER), str(tmp_path / "board.kicad_pcb")],
                          input=json.dumps(data), capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["errors"] == []
    placed = {p.ref for p in parsed.parts if p.footprint}
    net_of = {(pin.ref, pin.num): net.name for net in parsed.nets for pin in net.pins}
    for (ref, number), name in net_of.items():
        if ref in placed:
            assert report["pads"].get(f"{ref}.{number}") == name, f"pcbnew lost {ref}.{number} from {name}"
    assert placed - set(report["skipped"]), "no footprint of the design was placed"
    for wire in wires(design.wiring):
        if wire.start[1] and wire.end[1]:
            assert net_of[_kicad_pin(design, *wire.start)] == net_of[_kicad_pin(design, *wire.end)], wire


def _kicad_pin(design: CorpusDesign, ref: str, pin: str) -> tuple[str, str]:
    part = part_for_reference(design.bom, ref) or {}
    symbol = symbol_for(str(part.get("name", "")), str(part.get("value", "")), str(part.get("mpn", "")))
    return ref, (symbol.pin_number(pin) if symbol else None) or pin
