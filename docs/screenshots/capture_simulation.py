"""The README screenshot of the Simulate dock running the line follower (real compile, real simavr).

Run: xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python -m docs.screenshots.capture_simulation
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent


async def _settle(until: object, timeout: float = 120.0) -> None:
    """Wait on a condition; qasync runs Qt's events meanwhile (no processEvents: the run is a task)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not until() and loop.time() < deadline:  # type: ignore[operator]
        await asyncio.sleep(0.05)


def _last_line(panel: object) -> str:
    lines = panel.serial_view.toPlainText().splitlines()  # type: ignore[attr-defined]
    return lines[-1] if lines else ""


async def capture() -> None:
    from PySide6.QtCore import Qt

    from ohm_desktop.runtime import build_runtime
    from ohm_desktop.ui.main_window import MainWindow
    from ohm_desktop.ui.panels.simulation import SimulationPanel
    from ohm_desktop.ui.panels.simulation.dock import connect_code_dock, simulation_dock_factory
    from tests.support import line_follower
    from tests.support.fake_gateway import FakeGateway, Reply

    with FakeGateway(lambda _request: Reply(text="CHAT")) as gateway:
        os.environ["OHM_GATEWAY_URL"] = gateway.url
        os.environ["BYTEZ_API_KEY_1"] = "sk-bytez-screenshot-key-00001a2b"
        runtime = build_runtime()
        chat = runtime.store.create_chat("Line-following robot")
        runtime.store.write_version(chat.id, "bom", line_follower.BOM, change_summary="Parts", created_by="Parts Planner")
        runtime.store.write_version(chat.id, "wiring", line_follower.WIRING, change_summary="Wiring",
                                    created_by="Wiring Designer")
        runtime.store.write_version(chat.id, "code", line_follower.CODE, change_summary="First firmware",
                                    created_by="Firmware Engineer")
        holder: dict[str, MainWindow] = {}
        window = MainWindow(runtime, extra_docks=[simulation_dock_factory(runtime, lambda: holder["window"])])
        holder["window"] = window
        connect_code_dock(window)
        window.resize(1400, 900)
        window.show()
        window.open_chat(chat.id)
        window.docks["code"].raise_()
        window.resizeDocks([window.docks["simulate"]], [560], Qt.Orientation.Vertical)
        panel = window.docks["simulate"].widget()
        assert isinstance(panel, SimulationPanel)
        window.panels["code"].simulate_button.click()
        await _settle(lambda: "az=16384" in panel.serial_view.toPlainText())
        await _settle(lambda: panel.serial_view.toPlainText().count("\n") > 12, timeout=20)
        for _ in range(2):
            panel.sliders["A0"].setValue(100)
            panel.sliders["A1"].setValue(400)  # the centre sensor sees the line: both motors on
            await _settle(lambda: "C=818" in _last_line(panel), timeout=20)
            await asyncio.sleep(1.0)  # a second of straight driving on the timeline
            panel.sliders["A1"].setValue(100)
            panel.sliders["A0"].setValue(420)  # the line drifts left: only the right motor runs
            await _settle(lambda: "C=204" in _last_line(panel), timeout=20)
            await asyncio.sleep(1.0)
        window.grab().save(str(OUT / "simulate-dock.png"))
        panel.stop()
        await _settle(lambda: not panel.running, timeout=20)
        window.close()
        await runtime.aclose()


def main() -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OHM_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["OHM_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["OHM_KEYRING_SERVICE"] = "ohm-desktop-screenshots"
        app = QApplication.instance() or QApplication(sys.argv[:1])
        del app
        qasync.run(capture())
    print(f"screenshot written to {OUT / 'simulate-dock.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
