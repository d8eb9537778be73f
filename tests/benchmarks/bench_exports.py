"""Every export of every corpus design, fed to the real tool it is for: acceptance share and export times.

Acceptance (goal 100 %) per tool: WireViz 0.4 renders the harness with every wired part in its
SVG; kinparse parses the KiCad netlist with every BOM part and one net per pin group; KiCad's
pcbnew loads it into a board with every pad found; Graphviz draws the SVG; the exported sketch
folder compiles with ``ohm sketch check`` (AVR boards: the toolchain on this machine); the
Wokwi diagram uses only elements and pins of @wokwi/elements. JLCPCB's uploader is online
only: its row counts exports that pass the documented rules (written, no designator range,
<= 200 designators a line). Times are medians of REPEATS in-process exports; the baseline is
the plain BOM CSV export of the same design in the same run.
"""

from __future__ import annotations

import csv
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ohm_desktop.artifacts.export import EXPORT_FORMATS, Design, ExportError, available_formats, export_design
from tests.support.design_corpus import CORPUS, CorpusDesign

REPEATS = 5
ROOT = Path(__file__).resolve().parents[2]


def _time_exports(folder: Path) -> dict[str, float]:
    times: dict[str, list[float]] = {}
    for design in CORPUS:
        context = Design(design.bom, design.code, design.wiring)
        for kind, content in (("bom", design.bom), ("code", design.code), ("wiring", design.wiring)):
            for fmt in available_formats(kind):
                for repeat in range(REPEATS):
                    target = folder / "timing" / f"{design.name}-{kind}-{fmt}-{repeat}"
                    started = time.perf_counter()
                    try:
                        export_design(kind, content, fmt, target, context)
                    except ExportError:
                        continue
                    times.setdefault(f"{kind}/{fmt}", []).append((time.perf_counter() - started) * 1000)
    return {name: round(statistics.median(values), 3) for name, values in times.items()}


def _wireviz(design: CorpusDesign, folder: Path) -> bool:
    from wireviz import wireviz

    result = export_design("wiring", design.wiring, "wireviz", folder / "h.yml", Design(design.bom, None, design.wiring))
    svg = wireviz.parse(result.files[0].read_text(encoding="utf-8"), return_types="svg")
    refs = {ref for c in design.wiring["connections"] for ref in (c["from"].split(".")[0], c["to"].split(".")[0])}
    return all(f">{ref}<" in svg for ref in refs)


def _kicad(design: CorpusDesign, folder: Path) -> tuple[bool, bool | None]:
    import kinparse

    from ohm_desktop.artifacts.export.designators import designators_of

    result = export_design("wiring", design.wiring, "kicad-netlist", folder / "n.net",
                           Design(design.bom, None, design.wiring))
    parsed = kinparse.parse_netlist(result.files[0].read_text(encoding="utf-8"))
    refs = {part.ref for part in parsed.parts}
    parsed_ok = all(set(designators_of(part)) <= refs for part in design.bom["parts"]) and bool(parsed.nets)
    if subprocess.run(["/usr/bin/python3", "-c", "import pcbnew"], capture_output=True, check=False).returncode:
        return parsed_ok, None
    data = {"components": [{"ref": p.ref, "value": p.value, "footprint": p.footprint} for p in parsed.parts],
            "nets": [{"name": n.name, "nodes": [[pin.ref, pin.num] for pin in n.pins]} for n in parsed.nets]}
    done = subprocess.run(["/usr/bin/python3", str(ROOT / "tests" / "support" / "pcbnew_load.py"),
                           str(folder / "b.kicad_pcb")], input=json.dumps(data), capture_output=True, text=True,
                          timeout=300, check=False)
    return parsed_ok, done.returncode == 0 and not json.loads(done.stdout)["errors"]


def _compiles(design: CorpusDesign, folder: Path) -> bool | None:
    if not design.avr:
        return None  # no ESP32 toolchain on this machine
    sketch = export_design("code", design.code, "arduino", folder / design.name).files[0].parent
    done = subprocess.run([sys.executable, "-m", "ohm_desktop.cli", "sketch", "check", str(sketch)],
                          capture_output=True, text=True, timeout=600, check=False)
    return done.returncode == 0


def _wokwi_pins() -> dict[str, set[str]] | None:
    import re

    npm = shutil.which("npm")
    if npm is None:
        return None
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False).stdout.strip()
    folder = Path(root) / "@wokwi" / "elements" / "dist" / "cjs"
    if not folder.is_dir():
        return None
    pins: dict[str, set[str]] = {}
    for source in folder.glob("*-element.js"):
        text = source.read_text(encoding="utf-8")
        for tag in re.findall(r"customElement\)\('([\w-]+)'\)", text):
            pins[tag] = set(re.findall(r"name: '([^']+)'", text))
    return pins


def _wokwi(design: CorpusDesign, folder: Path, pins: dict[str, set[str]]) -> bool:
    result = export_design("wiring", design.wiring, "wokwi", folder / "d.json", Design(design.bom, None, design.wiring))
    document = json.loads(result.files[0].read_text(encoding="utf-8"))
    types = {part["id"]: part["type"] for part in document["parts"]}
    return all(t in pins for t in types.values()) and all(
        end.partition(":")[2] in pins[types[end.partition(":")[0]]]
        for connection in document["connections"] for end in connection[:2]
    )


def _jlcpcb(design: CorpusDesign, folder: Path) -> bool:
    try:
        path = export_design("bom", design.bom, "jlcpcb", folder / "j.csv").files[0]
    except ExportError:
        return False
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    return rows[0] == ["Comment", "Designator", "Footprint", "LCSC"] and all(
        "-" not in row[1] and len(row[1].split(",")) <= 200 for row in rows[1:]
    )


def _graphviz(design: CorpusDesign, folder: Path) -> bool | None:
    if "svg" not in available_formats("wiring"):
        return None
    return "<svg" in export_design("wiring", design.wiring, "svg", folder / "w.svg").files[0].read_text()


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ohm-bench-exports-") as tmp:
        folder = Path(tmp)
        times = _time_exports(folder)
        wokwi_pins = _wokwi_pins()
        verdicts: dict[str, list[bool]] = {}
        failures: list[str] = []

        def record(tool: str, design: CorpusDesign, verdict: bool | None) -> None:
            if verdict is None:
                return
            verdicts.setdefault(tool, []).append(verdict)
            if not verdict:
                failures.append(f"{tool}: {design.name}")

        for design in CORPUS:
            work = folder / design.name
            work.mkdir()
            record("wireviz", design, _wireviz(design, work))
            parsed, loaded = _kicad(design, work)
            record("kinparse", design, parsed)
            record("pcbnew", design, loaded)
            record("graphviz", design, _graphviz(design, work))
            record("ohm sketch check (avr-gcc)", design, _compiles(design, work))
            record("wokwi elements", design, _wokwi(design, work, wokwi_pins) if wokwi_pins else None)
            record("jlcpcb documented rules", design, _jlcpcb(design, work))
        baseline = times["bom/csv"]
    return {
        "designs": len(CORPUS),
        "connections": [len(d.wiring["connections"]) for d in CORPUS],
        "formats": {kind: formats for kind, formats in EXPORT_FORMATS.items()},
        "acceptance_share": {tool: round(sum(v) / len(v), 3) for tool, v in verdicts.items()},
        "accepted_of": {tool: f"{sum(v)}/{len(v)}" for tool, v in verdicts.items()},
        "failures": failures,
        "export_ms_median": times,
        "export_ms_vs_bom_csv": {name: round(value / baseline, 2) for name, value in times.items()},
    }
