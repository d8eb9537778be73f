"""The frozen app's one entry point: ``ohm`` (command line) or ``ohm-desktop`` (window).

One executable serves both commands so the bundle carries the Python archive once; the
folder holds ``ohm-desktop`` plus an ``ohm`` symlink to it, and this script picks the command
from the name it was started as (on Windows the spec builds two executables instead, because
there the console/GUI subsystem is fixed per .exe).
"""

from __future__ import annotations

import os
import sys


def _command_name(argv0: str) -> str:
    name = os.path.basename(argv0).lower()
    return name[:-4] if name.endswith(".exe") else name


def main() -> int:
    if _command_name(sys.argv[0]) == "ohm":
        from ohm_desktop.cli import main as entry
    else:
        from ohm_desktop.__main__ import main as entry
    return int(entry() or 0)


if __name__ == "__main__":
    raise SystemExit(main())
