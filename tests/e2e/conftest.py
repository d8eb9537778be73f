"""Helpers to run the installed `ohm` entry point as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_ohm(*args: str, env: dict[str, str] | None = None, input_text: str | None = None, timeout: float = 60):
    """``python -m ohm_desktop.cli ARGS`` with the test's environment (isolated dirs)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env.setdefault("PYTHONPATH", str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "ohm_desktop.cli", *args],
        env=full_env,
        input=input_text,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
