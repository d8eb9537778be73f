"""The sketch project file (``sketch.yaml``) arduino-cli reads: which board a sketch folder is for.

Only ``default_fqbn`` is read (https://arduino.github.io/arduino-cli/1.4/sketch-project-file/),
so a folder exported by Ohm compiles for its board without ``--board``.
"""

from __future__ import annotations

import re
from pathlib import Path

_DEFAULT_FQBN = re.compile(r"^default_fqbn:\s*['\"]?([\w.-]+:[\w.-]+:[\w.-]+(?::[\w=,.-]+)?)['\"]?\s*(?:#.*)?$",
                           re.MULTILINE)


def default_fqbn(sketch_path: Path) -> str | None:
    """The ``default_fqbn`` of the sketch folder holding ``sketch_path`` (a folder or an .ino), if any."""
    folder = sketch_path if sketch_path.is_dir() else sketch_path.parent
    for name in ("sketch.yaml", "sketch.yml"):
        try:
            match = _DEFAULT_FQBN.search((folder / name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if match:
            return match[1]
    return None
