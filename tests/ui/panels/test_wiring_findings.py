"""Design findings in the Wiring dock: listed in words, hovering one lights its parts and wires."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from ohm_desktop.design_rules.check import check_design
from ohm_desktop.store import LocalStore
from ohm_desktop.ui.panels.wiring import WiringPanel

BOM = {"projectName": "Blink", "parts": [
    {"designator": "U1", "name": "Arduino Uno R3", "quantity": 1},
    {"designator": "D1", "name": "Red LED", "quantity": 1},
    {"designator": "S1", "name": "Push button", "quantity": 1}]}
WIRING = {"connections": [{"from": "U1.D13", "to": "D1.A"}, {"from": "D1.K", "to": "U1.GND"},
                          {"from": "U1.D2", "to": "S1.1"}, {"from": "S1.2", "to": "U1.GND"}]}


def test_hovering_a_finding_lights_its_part_and_wires(qtbot) -> None:  # type: ignore[no-untyped-def]
    store = LocalStore.open_in_memory()
    chat = store.create_chat("t")
    store.write_version(chat.id, "bom", BOM, change_summary="b", created_by="Parts Planner")
    store.write_version(chat.id, "wiring", WIRING, change_summary="w", created_by="Wiring Designer")
    panel = WiringPanel(store)
    qtbot.addWidget(panel)
    panel.set_chat(chat.id)
    panel.show()
    findings = check_design(BOM, None, WIRING)
    panel.show_findings(findings)
    listed = panel.findings
    assert listed.isVisibleTo(panel)
    texts = [listed.item(i).text() for i in range(listed.count())]
    led_row = next(i for i, text in enumerate(texts) if "no series resistor" in text)
    assert "D1" in texts[led_row] and "{" not in texts[led_row]  # words, not JSON paths

    qtbot.waitUntil(lambda: listed.isVisible())
    rect = listed.visualItemRect(listed.item(led_row))
    qtbot.mouseMove(listed.viewport(), rect.center())
    listed.itemEntered.emit(listed.item(led_row))  # offscreen Qt does not synthesise hover: deliver it
    diagram = panel.diagram
    assert diagram.highlighted_parts == {"D1", "U1"}
    between = [line for line, a, b, _ in diagram.wires if {a, b} == {"U1", "D1"}]
    others = [line for line, a, b, _ in diagram.wires if {a, b} != {"U1", "D1"}]
    assert between and all(line.pen().widthF() == 4.0 for line in between)
    assert all(line.opacity() < 0.5 for line in others)
    assert diagram.parts["D1"].pen().color().name() == "#d1242f"

    qtbot.mouseMove(panel, QPoint(1, 1))
    listed.leaveEvent(None)
    assert all(line.opacity() == 1.0 for line, *_ in diagram.wires)
    assert diagram.parts["D1"].pen().color().name() != "#d1242f"


def test_a_new_version_clears_findings_until_its_check_arrives(qtbot) -> None:  # type: ignore[no-untyped-def]
    store = LocalStore.open_in_memory()
    chat = store.create_chat("t")
    store.write_version(chat.id, "wiring", WIRING, change_summary="w", created_by="Wiring Designer")
    panel = WiringPanel(store)
    qtbot.addWidget(panel)
    panel.set_chat(chat.id)
    panel.show_findings(check_design(BOM, None, WIRING))
    assert panel.findings.count() > 0
    store.write_version(chat.id, "wiring", WIRING, change_summary="again", created_by="Wiring Designer")
    assert panel.findings.count() == 0
