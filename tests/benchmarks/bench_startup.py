"""Start-up to first paint: ``ohm-desktop --smoke-test`` against a bare PySide6 window, as a ratio.

The baseline is what any PySide6 app pays: the interpreter, PySide6's import, a QApplication
and a QMainWindow with three docks shown until its window is exposed. Both are timed the same
way (from the first line of the program to exposure, offscreen platform, bytecode caches warm)
and run alternately, so machine load hits both alike. Four cases: with and without chat history
(the last chat has 200 messages), with and without a Secret Service on the session bus (a
desktop's case, where Ohm reads its keys). Goal: ratio <= 2.0 in every case.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.benchmarks.bench_ui import _in_secret_service_session

ROOT = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("OHM_BENCH_STARTUP_RUNS", "5"))
GOAL_RATIO = 2.0

BARE_WINDOW = """
import time
started = time.perf_counter()
import json
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow, QTextBrowser
app = QApplication(["bare"])
window = QMainWindow()
window.setCentralWidget(QTextBrowser())
for name in ("bom", "code", "wiring"):
    dock = QDockWidget(name, window)
    dock.setWidget(QLabel(name))
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
window.resize(1300, 800)
window.show()
for _ in range(200):
    app.processEvents()
    handle = window.windowHandle()
    if handle is not None and handle.isExposed():
        break
    time.sleep(0.005)
print(json.dumps({"startup_ms": int((time.perf_counter() - started) * 1000)}), flush=True)
"""

OHM_WINDOW = "import runpy, sys\nsys.argv = ['ohm-desktop', '--smoke-test']\nrunpy.run_module('ohm_desktop', run_name='__main__')\n"


def _once(code: str, env: dict[str, str], secret_service: bool) -> int:
    command = [sys.executable, "-c", code]
    if secret_service:
        command = _in_secret_service_session(command) or command
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"no start-up line: {done.stderr[-500:]}")
    return int(json.loads(lines[-1])["startup_ms"])


def _with_history(data_dir: Path, config_dir: Path) -> None:
    """A store whose last chat has 200 messages (what the window shows first)."""
    env = dict(os.environ, OHM_DATA_DIR=str(data_dir), OHM_CONFIG_DIR=str(config_dir))
    code = (
        "from ohm_desktop.store import LocalStore\n"
        "from ohm_desktop.config import Paths\n"
        "store = LocalStore.open(Paths.from_environment().database)\n"
        "chat = store.create_chat('robot')\n"
        "with store.transaction(durable=False):\n"
        "    for i in range(200):\n"
        "        store.add_message(chat.id, 'user' if i % 2 == 0 else 'assistant', f'Message {i}: the **TB6612** drives `PWMA` on D5.')\n"
        "store.close()\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=120)


def _case(tmp: Path, name: str, *, history: bool, secret_service: bool) -> dict[str, Any]:
    home = tmp / name / "home"
    (home / "run").mkdir(parents=True, exist_ok=True)
    (home / "run").chmod(0o700)
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_RUNTIME_DIR=str(home / "run"),
        OHM_DATA_DIR=str(tmp / name / "data"),
        OHM_CONFIG_DIR=str(tmp / name / "config"),
        BYTEZ_API_KEY_1="sk-bytez-bench-startup-key-0000",
        PYTHONPYCACHEPREFIX=str(tmp / "pycache"),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if history:
        _with_history(tmp / name / "data", tmp / name / "config")
    # Warm-up: bytecode caches, the keyring collection, fontconfig's cache.
    _once(OHM_WINDOW, env, secret_service)
    _once(BARE_WINDOW, env, secret_service)
    ohm, bare = [], []
    for _ in range(RUNS):
        ohm.append(_once(OHM_WINDOW, env, secret_service))
        bare.append(_once(BARE_WINDOW, env, secret_service))
    ratio = statistics.median(ohm) / max(1, statistics.median(bare))
    return {
        "ohm_ms_median": statistics.median(ohm),
        "bare_qt_window_ms_median": statistics.median(bare),
        "ratio_ohm_over_bare": round(ratio, 2),
        "goal_met": ratio <= GOAL_RATIO,
        "ohm_samples_ms": ohm,
        "bare_samples_ms": bare,
    }


def run() -> dict[str, Any]:
    results: dict[str, Any] = {"goal_ratio": GOAL_RATIO, "runs_each": RUNS}
    has_secret_service = _in_secret_service_session([]) is not None
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for history in (False, True):
            for secret_service in (False, True):
                if secret_service and not has_secret_service:
                    continue
                name = f"{'history' if history else 'empty'}_{'secret_service' if secret_service else 'no_keyring'}"
                results[name] = _case(tmp, name, history=history, secret_service=secret_service)
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
