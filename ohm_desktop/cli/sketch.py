"""``ohm sketch check PATH [--board FQBN] [--json]``: compile a sketch the way the window does
(``ohm sketch simulate`` lives in cli/simulate.py).

Exit codes: 0 compiled, 1 compile errors, 3 no toolchain installed (the hint says what to install).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from ohm_desktop.config import Paths
from ohm_desktop.firmware import Sketch, SketchCompiler, cache_dir_for
from ohm_desktop.firmware.boards import DEFAULT_BOARD
from ohm_desktop.firmware.sketch_project import default_fqbn


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sketch = subparsers.add_parser("sketch", help="check Arduino sketches")
    actions = sketch.add_subparsers(dest="sketch_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="compile a sketch folder or .ino file for a board")
    check.add_argument("path", type=Path, help="sketch folder or .ino file")
    check.add_argument("--board", default=None, help=f"board FQBN (default: sketch.yaml's default_fqbn, else {DEFAULT_BOARD})")
    check.add_argument("--json", action="store_true", help="print the result as one JSON object")
    check.set_defaults(func=run_check)
    from ohm_desktop.cli.simulate import register_simulate

    register_simulate(actions)


def run_check(args: argparse.Namespace) -> int:
    sketch = Sketch.from_path(args.path)
    compiler = SketchCompiler(cache_dir_for(Paths.from_environment().data))
    board = args.board or default_fqbn(args.path) or DEFAULT_BOARD  # sketch.yaml as arduino-cli reads it
    result = asyncio.run(compiler.compile(sketch, board))
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return result.exit_code
    if result.status == "errors":
        for diagnostic in result.errors:
            print(diagnostic)
    stream = sys.stdout if result.ok else sys.stderr
    print(result.summary(), file=stream)
    return result.exit_code
