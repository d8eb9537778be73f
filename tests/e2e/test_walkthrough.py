"""A bench user's first session, driven through the real `ohm-desktop` process under Xvfb with xdotool.

First run → welcome (Enter goes on) → paste a key → a BOM turn → gateway down → dark theme →
800×600. Every step is real key events into the real window; what happened is checked in the
store the window wrote, and a screenshot of each screen is saved (light and dark).

One command: ``make screenshots`` (writes docs/screenshots/); in the suite the screenshots go to a
temporary folder. Needs Xvfb and xdotool (.ci/run installs both).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT

KEY = "sk-bytez-walkthrough-key-0000aaaa"
SHOT = (
    "import sys\n"
    "from PySide6.QtGui import QGuiApplication\n"
    "app = QGuiApplication([sys.argv[0], '-platform', 'xcb'])\n"
    "assert app.primaryScreen().grabWindow(0).save(sys.argv[1])\n"
)


def _wait(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"walk-through: {what} did not happen in {timeout:.0f} s")
        time.sleep(0.1)


def _free_display() -> str:
    for number in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return f":{number}"
    raise RuntimeError("no free X display number")


@pytest.fixture
def display() -> Iterator[str]:
    if not (shutil.which("Xvfb") and shutil.which("xdotool")):
        if os.environ.get("CI") == "true":
            pytest.fail("the walk-through needs Xvfb and xdotool (see .ci/run)")
        pytest.skip("needs Xvfb and xdotool")
    name = _free_display()
    server = subprocess.Popen(["Xvfb", name, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: Path(f"/tmp/.X11-unix/X{name[1:]}").exists(), "Xvfb start", 20)
        yield name
    finally:
        server.terminate()
        server.wait(10)


class Bench:
    """The window process and the tools that drive and photograph it."""

    def __init__(self, display: str, home: Path, shots: Path, gateway_url: str) -> None:
        self.display, self.home, self.shots = display, home, shots
        self.env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT),
                        OHM_DATA_DIR=str(home / "data"), OHM_CONFIG_DIR=str(home / "config"),
                        OHM_GATEWAY_URL=gateway_url)
        self.window: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.window = subprocess.Popen([sys.executable, "-m", "ohm_desktop"], env=self.env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _wait(lambda: bool(self.window_ids("Ohm Desktop")), "the main window to appear")

    def stop(self) -> str:
        assert self.window is not None
        self.xdotool("key", "--clearmodifiers", "ctrl+q")
        try:
            _, err = self.window.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.window.kill()
            _, err = self.window.communicate()
        return err.decode(errors="replace")

    def xdotool(self, *args: str) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=30)
        return done.stdout

    def window_ids(self, name: str) -> list[str]:
        return self.xdotool("search", "--onlyvisible", "--name", f"^{name}$").split()

    def focus(self, name: str) -> None:
        _wait(lambda: bool(self.window_ids(name)), f"window {name!r}")
        self.xdotool("windowfocus", "--sync", self.window_ids(name)[0])  # no window manager: focus, not activate

    def type(self, text: str) -> None:
        self.xdotool("type", "--delay", "15", text)

    def key(self, *keys: str) -> None:
        self.xdotool("key", "--clearmodifiers", *keys)

    def shot(self, name: str) -> Path:
        time.sleep(0.5)  # let the last paint reach the X server (a picture, not a synchronisation)
        path = self.shots / f"{name}.png"
        subprocess.run([sys.executable, "-c", SHOT, str(path)], env=self.env, check=True, timeout=60)
        return path

    def messages(self) -> list[tuple[str, str, str]]:
        database = self.home / "data" / "ohm.sqlite3"
        if not database.exists():
            return []
        with sqlite3.connect(database) as db:
            return db.execute("SELECT role, status, content FROM messages ORDER BY created_at, seq").fetchall()


def test_first_session_through_the_real_window(display: str, tmp_path: Path) -> None:
    from tests.support.fake_gateway import FakeGateway, demo_responder

    shots = Path(os.environ.get("WALKTHROUGH_SHOTS_DIR") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    gateway = FakeGateway(demo_responder).start()
    bench = Bench(display, tmp_path / "home", shots, gateway.url)
    try:
        bench.start()
        bench.focus("Welcome to Ohm Desktop")
        bench.shot("01-welcome-light")
        bench.key("Return")  # goes on to the keys page (it used to mean "Skip")
        time.sleep(1.0)
        bench.type(KEY)
        bench.key("Return")
        bench.shot("02-keys-light")
        bench.key("Escape")
        bench.focus("Ohm Desktop")
        bench.key("ctrl+n")
        bench.type("I need a parts list for a line-following robot")
        bench.key("Return")
        _wait(lambda: any(r == "assistant" and s == "complete" for r, s, _ in bench.messages()), "the BOM answer")
        bench.shot("03-bom-turn-light")
        gateway.stop()
        bench.key("ctrl+l")
        bench.type("and a buzzer please")
        bench.key("Return")
        _wait(lambda: bench.messages()[-1][1] == "error", "the gateway-down failure", 90)
        bench.shot("04-gateway-down-light")
        assert "Traceback" not in bench.stop()
        settings_file = tmp_path / "home" / "config" / "settings.json"
        settings = json.loads(settings_file.read_text()) if settings_file.exists() else {}
        settings_file.write_text(json.dumps({**settings, "theme": "dark", "onboarding_done": True}))
        bench.start()
        bench.focus("Ohm Desktop")
        bench.shot("05-chat-dark")
        bench.xdotool("windowsize", bench.window_ids("Ohm Desktop")[0], "800", "600")
        bench.shot("06-800x600-dark")
        assert "Traceback" not in bench.stop()
    finally:
        if bench.window is not None and bench.window.poll() is None:
            bench.window.kill()
        gateway.stop()
    roles = [role for role, _status, _content in bench.messages()]
    assert roles.count("user") == 2  # one chat, nothing typed into a button
    names = ["01-welcome-light", "02-keys-light", "03-bom-turn-light", "04-gateway-down-light",
             "05-chat-dark", "06-800x600-dark"]
    assert all((shots / f"{name}.png").stat().st_size > 10_000 for name in names)


def test_quitting_after_a_401_is_quiet(display: str, tmp_path: Path) -> None:
    from tests.support.fake_gateway import FakeGateway, KeyBehaviour

    gateway = FakeGateway().start()
    gateway.behave(KEY, KeyBehaviour(status=401))
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.json").write_text(json.dumps({"onboarding_done": True}))
    bench = Bench(display, home, tmp_path, gateway.url)
    bench.env["BYTEZ_API_KEY_1"] = KEY
    try:
        bench.start()
        bench.focus("Ohm Desktop")
        bench.key("ctrl+l")
        bench.type("hello")
        bench.key("Return")
        _wait(lambda: any(status == "error" for _role, status, _content in bench.messages()), "the 401 failure")
        err = bench.stop()
    finally:
        if bench.window is not None and bench.window.poll() is None:
            bench.window.kill()
        gateway.stop()
    assert bench.window is not None and bench.window.returncode == 0
    assert "no running event loop" not in err and "Traceback" not in err, err[-2000:]
