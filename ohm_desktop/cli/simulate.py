"""``ohm sketch simulate PATH|--chat CHAT [--board FQBN] [--seconds S] [--input PIN=VALUE ...] [--json]``.

Compiles (reusing the compile cache) and runs the firmware on a simulated board, printing the
serial output as it arrives. Exit codes: 0 it ran (whatever the firmware did), 1 it does not
compile, 2 bad input, 3 no simulator installed (or a board simavr cannot run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from ohm_desktop.config import Paths
from ohm_desktop.errors import UsageError
from ohm_desktop.firmware import Sketch, cache_dir_for
from ohm_desktop.firmware.boards import DEFAULT_BOARD
from ohm_desktop.simulation import (
    DesignPeripherals,
    SimulationRequest,
    parse_input,
    sim_board,
    simulator_for,
)
from ohm_desktop.simulation.protocol import HarnessEvent, SerialBytes
from ohm_desktop.simulation.runner import DEFAULT_SECONDS


def register_simulate(actions: Any) -> None:
    simulate = actions.add_parser("simulate", help="run a sketch on a simulated board (simavr)")
    simulate.add_argument("path", nargs="?", help="sketch folder or .ino file")
    simulate.add_argument("--chat", metavar="CHAT", help="the chat's current code, BOM and wiring instead of PATH")
    simulate.add_argument("--board", default=None, help=f"board FQBN (default: the code's board or {DEFAULT_BOARD})")
    simulate.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="simulated seconds (default 5)")
    simulate.add_argument("--input", action="append", default=[], metavar="PIN=VALUE",
                          help="A0=1.0V (analog volts), D2=LOW/HIGH (digital level), U4=30cm (an ultrasonic "
                               "sensor of --chat's design); repeatable")
    simulate.add_argument("--json", action="store_true", help="print the result as one JSON object")
    simulate.set_defaults(func=run_simulate)


def run_simulate(args: argparse.Namespace) -> int:
    if (args.path is None) == (args.chat is None):
        raise UsageError("Give a sketch PATH or --chat CHAT (one of them), e.g. `ohm sketch simulate blink/`.")
    design = DesignPeripherals()
    board_text = args.board
    if args.chat is not None:
        from ohm_desktop.cli.chats import open_store
        from ohm_desktop.simulation.chat_design import chat_design

        store = open_store()
        try:
            found = chat_design(store, store.find_chat(args.chat).id)
        finally:
            store.close()
        sketch, design = found.sketch, found.peripherals
        board_text = board_text or found.board
    else:
        sketch = Sketch.from_path(Path(args.path))
    board = sim_board(board_text or DEFAULT_BOARD)
    sonars = tuple(p.designator for p in design.ultrasonic)
    inputs = tuple(parse_input(text, board, sonars) for text in args.input)
    request = SimulationRequest(sketch, board.fqbn, args.seconds, inputs, design)
    simulator = simulator_for(cache_dir_for(Paths.from_environment().data))

    def stream(event: HarnessEvent) -> None:
        if isinstance(event, SerialBytes):
            sys.stdout.write(event.data.decode("latin-1"))
            sys.stdout.flush()

    result = asyncio.run(simulator.run(request, on_event=None if args.json else stream))
    if result.stopped == "not_compiled":
        compiled = result.compile
        if args.json:
            print(json.dumps(result.to_dict(), ensure_ascii=False))
        elif compiled is not None:
            for diagnostic in compiled.errors:
                print(diagnostic)
            print(compiled.summary(), file=sys.stderr)
        return compiled.exit_code if compiled is not None and compiled.exit_code else 1
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return 0
    if result.serial and not result.serial.endswith("\n"):
        print()
    for note in result.notes:
        print(note, file=sys.stderr)
    print(result.summary(), file=sys.stderr)
    return 0
