"""The design check runs on every new version and sends errors back to the specialist that wrote it."""

from __future__ import annotations

import copy
from typing import Any

from ohm_desktop.design_rules.check_loop import DesignCheckLoop, DesignCheckUpdate, intent_for
from ohm_desktop.store import LocalStore

BOM = {"projectName": "Blink", "parts": [{"designator": "U1", "name": "Arduino Uno R3", "quantity": 1},
                                        {"designator": "D1", "name": "Red LED", "quantity": 1},
                                        {"designator": "R1", "name": "Resistor", "value": "220", "quantity": 1}]}
NO_RESISTOR = {"connections": [{"from": "U1.D13", "to": "D1.A"}, {"from": "D1.K", "to": "U1.GND"}]}
FIXED = {"connections": [{"from": "U1.D13", "to": "R1.1"}, {"from": "R1.2", "to": "D1.A"},
                         {"from": "D1.K", "to": "U1.GND"}]}


class ScriptedSpecialist:
    """Stands in for a specialist turn: writes the next scripted wiring as a new version."""

    def __init__(self, store: LocalStore, fixes: list[dict[str, Any]]) -> None:
        self.store = store
        self.fixes = fixes
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, chat_id: str, intent: str, context: str) -> None:
        self.calls.append((intent, context))
        if self.fixes:
            self.store.write_version(chat_id, "wiring", self.fixes.pop(0), change_summary="fix design errors",
                                     created_by="Wiring Designer")


async def test_wiring_error_goes_to_wiring_and_the_fix_is_checked() -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat("blink")
    store.write_version(chat.id, "bom", BOM, change_summary="parts", created_by="you")
    wiring = ScriptedSpecialist(store, [copy.deepcopy(FIXED)])
    loop = DesignCheckLoop(store, ask_agent=wiring, max_rounds=2)
    updates: list[DesignCheckUpdate] = []
    loop.subscribe(updates.append)
    detach = loop.attach()
    store.write_version(chat.id, "wiring", NO_RESISTOR, change_summary="wires", created_by="Wiring Designer")
    await loop.drain()
    detach()

    assert [v.version_number for v in store.list_versions(chat.id, "wiring")] == [1, 2]
    assert len(wiring.calls) == 1
    intent, context = wiring.calls[0]
    assert intent == "WIRING"
    assert "connections[0]" in context and "led-no-resistor" in context and "round 1 of 2" in context
    assert [u.state for u in updates] == ["done", "repairing", "done"]
    assert not updates[-1].errors and updates[-1].version_number == 2


async def test_rounds_are_bounded_and_humans_are_not_rewritten() -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat()
    store.write_version(chat.id, "bom", BOM, change_summary="parts", created_by="you")
    stubborn = ScriptedSpecialist(store, [copy.deepcopy(NO_RESISTOR) for _ in range(5)])
    loop = DesignCheckLoop(store, ask_agent=stubborn, max_rounds=2)
    updates: list[DesignCheckUpdate] = []
    loop.subscribe(updates.append)
    loop.attach()
    store.write_version(chat.id, "wiring", NO_RESISTOR, change_summary="wires", created_by="Wiring Designer")
    await loop.drain()
    assert len(stubborn.calls) == 2
    assert updates[-1].state == "stopped" and "2 automatic fix rounds" in (updates[-1].reason or "")

    calls = len(stubborn.calls)
    store.write_version(chat.id, "wiring", NO_RESISTOR, change_summary="mine", created_by="you")
    await loop.drain()
    assert len(stubborn.calls) == calls and loop.latest(chat.id).errors  # type: ignore[union-attr]


async def test_without_consent_findings_are_only_reported() -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat()
    store.write_version(chat.id, "bom", BOM, change_summary="parts", created_by="you")
    specialist = ScriptedSpecialist(store, [copy.deepcopy(FIXED)])
    loop = DesignCheckLoop(store, ask_agent=specialist, consent=lambda: False)
    loop.attach()
    store.write_version(chat.id, "wiring", NO_RESISTOR, change_summary="wires", created_by="Wiring Designer")
    await loop.drain()
    assert specialist.calls == [] and loop.latest(chat.id).errors  # type: ignore[union-attr]


def test_code_written_by_debug_goes_back_to_debug() -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat()
    code = {"board": "arduino:avr:uno", "files": [{"path": "a.ino", "content": "void setup(){}"}]}
    by_debug = store.write_version(chat.id, "code", code, change_summary="c", created_by="Bench Debugger")
    names = {"Bench Debugger": "DEBUG", "Firmware Engineer": "CODE"}
    assert intent_for(by_debug, names) == "DEBUG"
    by_code = store.write_version(chat.id, "code", code, change_summary="c", created_by="Firmware Engineer")
    assert intent_for(by_code, names) == "CODE"


async def test_refresh_reports_a_chat_without_asking_anyone() -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat()
    store.write_version(chat.id, "bom", BOM, change_summary="parts", created_by="Parts Planner")
    store.write_version(chat.id, "wiring", NO_RESISTOR, change_summary="wires", created_by="Wiring Designer")
    specialist = ScriptedSpecialist(store, [copy.deepcopy(FIXED)])
    loop = DesignCheckLoop(store, ask_agent=specialist)
    updates: list[DesignCheckUpdate] = []
    loop.subscribe(updates.append)
    loop.attach()
    loop.refresh(chat.id)
    await loop.drain()
    assert specialist.calls == []
    assert [(u.state, u.artifact_type) for u in updates] == [("done", "wiring")] and updates[0].errors
