"""Load a netlist into a board with KiCad's own ``pcbnew`` module, as Pcbnew's netlist update does.

Run with the Python that has Debian's ``kicad`` bindings (``/usr/bin/python3``), not the venv:
``python3 pcbnew_load.py BOARD.kicad_pcb < netlist.json`` where the JSON is
``{"components": [{"ref", "value", "footprint"}], "nets": [{"name", "nodes": [[ref, pin]]}]}``
(parsed from the .net file by kinparse in the test). Like Pcbnew, a component without a
footprint is skipped; a footprint missing from the libraries or a pin with no pad is an error.
The board is saved, read back with ``pcbnew.LoadBoard`` and every pad's net printed as JSON.
"""

import json
import sys

import pcbnew

FOOTPRINTS = "/usr/share/kicad/footprints"


def main() -> None:
    data = json.load(sys.stdin)
    board = pcbnew.BOARD()
    report = {"skipped": [], "errors": [], "pads": {}}
    for component in data["components"]:
        if not component["footprint"]:
            report["skipped"].append(component["ref"])
            continue
        library, _, name = component["footprint"].partition(":")
        footprint = pcbnew.FootprintLoad(f"{FOOTPRINTS}/{library}.pretty", name)
        if footprint is None:
            report["errors"].append(f"{component['ref']}: no footprint {component['footprint']}")
            continue
        footprint.SetReference(component["ref"])
        footprint.SetValue(component["value"])
        board.Add(footprint)
    for net in data["nets"]:
        item = pcbnew.NETINFO_ITEM(board, net["name"])
        board.Add(item)
        for ref, pin in net["nodes"]:
            footprint = board.FindFootprintByReference(ref)
            if footprint is None:
                continue
            pad = footprint.FindPadByNumber(pin)
            if pad is None:
                report["errors"].append(f"{ref}.{pin}: the footprint has no such pad")
                continue
            while pad is not None:  # every pad with that number (e.g. a 4-pad push button)
                pad.SetNet(item)
                pad = footprint.FindPadByNumber(pin, pad)
    board.BuildListOfNets()
    pcbnew.SaveBoard(sys.argv[1], board)
    loaded = pcbnew.LoadBoard(sys.argv[1])
    for footprint in loaded.GetFootprints():
        for pad in footprint.Pads():
            if pad.GetNetname():
                report["pads"][f"{footprint.GetReference()}.{pad.GetNumber()}"] = pad.GetNetname()
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
