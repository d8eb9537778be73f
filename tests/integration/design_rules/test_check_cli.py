"""`ohm artifacts check` reports design findings with part, pin and net, and exits 1 on errors."""

from __future__ import annotations

import json

import pytest

from ohm_desktop.cli import main
from ohm_desktop.config import Paths
from ohm_desktop.store import LocalStore

BOM = {"projectName": "Fader", "parts": [{"designator": "U1", "name": "Arduino Uno R3", "quantity": 1},
                                        {"designator": "D1", "name": "Red LED", "quantity": 1},
                                        {"designator": "R1", "name": "Resistor", "value": "220", "quantity": 1}]}
WIRING = {"connections": [{"from": "U1.D7", "to": "R1.1"}, {"from": "R1.2", "to": "D1.A"},
                          {"from": "D1.K", "to": "U1.GND"}]}
CODE = {"board": "arduino:avr:uno", "files": [{"path": "fade.ino", "content": (
    "const int LED = 7;\nvoid setup() { pinMode(LED, OUTPUT); }\nvoid loop() { analogWrite(LED, 128); }\n")}]}


def _chat(wiring: dict[str, object]) -> str:
    store = LocalStore.open(Paths.from_environment().database)
    try:
        chat = store.create_chat("Fader")
        store.write_version(chat.id, "bom", BOM, change_summary="parts", created_by="Parts Planner")
        store.write_version(chat.id, "wiring", wiring, change_summary="wires", created_by="Wiring Designer")
        store.write_version(chat.id, "code", CODE, change_summary="fade", created_by="Firmware Engineer")
        return chat.id
    finally:
        store.close()


def test_json_findings_name_part_pin_and_net(capsys: pytest.CaptureFixture[str]) -> None:
    chat_id = _chat(WIRING)
    code = main(["artifacts", "check", chat_id[:8], "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    pwm = next(f for f in report["findings"] if f["code"] == "no-pwm")
    assert set(pwm) == {"severity", "artifact", "location", "message", "code", "parts", "pins", "nets"}
    assert pwm["severity"] == "error" and pwm["artifact"] == "code" and pwm["location"] == "fade.ino:3"
    assert pwm["parts"] == ["U1"] and pwm["pins"] == ["U1.D7"] and pwm["nets"] == ["U1.D7"]
    assert "D3, D5, D6, D9, D10 or D11" in pwm["message"]


def test_text_output_and_exit_0_without_errors(capsys: pytest.CaptureFixture[str]) -> None:
    fixed = {"connections": [{"from": "U1.D9", "to": "R1.1"}, {"from": "R1.2", "to": "D1.A"},
                             {"from": "D1.K", "to": "U1.GND"}]}
    chat_id = _chat(fixed)
    store = LocalStore.open(Paths.from_environment().database)
    try:
        store.write_version(chat_id, "code", {**CODE, "files": [{"path": "fade.ino", "content": (
            "const int LED = 9;\nvoid setup() { pinMode(LED, OUTPUT); }\nvoid loop() { analogWrite(LED, 128); }\n")}]},
            change_summary="pin 9", created_by="you")
    finally:
        store.close()
    code = main(["artifacts", "check", chat_id[:8]])
    assert code == 0 and "Consistent." in capsys.readouterr().out
