"""The app's design check loop feeds the Wiring dock of the open chat, as the composition root wires it."""

from __future__ import annotations

from ohm_desktop.app import _design_check_loop
from tests.ui.conftest import scenario, until

BOM = {"projectName": "Blink", "parts": [{"designator": "U1", "name": "Arduino Uno R3", "quantity": 1},
                                        {"designator": "D1", "name": "Red LED", "quantity": 1}]}
WIRING = {"connections": [{"from": "U1.D13", "to": "D1.A"}, {"from": "D1.K", "to": "U1.GND"}]}


def test_a_new_wiring_version_shows_its_findings_in_the_wiring_dock(window, runtime, qt_loop) -> None:  # type: ignore[no-untyped-def]
    chat = runtime.store.create_chat("blink")
    window.open_chat(chat.id)

    async def steps() -> None:
        loop = _design_check_loop(runtime, window, None)
        try:
            runtime.store.write_version(chat.id, "bom", BOM, change_summary="parts", created_by="you")
            runtime.store.write_version(chat.id, "wiring", WIRING, change_summary="wires", created_by="you")
            listed = window.panels["wiring"].findings
            await until(lambda: any("no series resistor" in listed.item(i).text() for i in range(listed.count())))
            await loop.drain()
        finally:
            await loop.aclose()

    scenario(qt_loop, steps())
