"""The dock's Export menu: human names, a proposed file name, and a notice for what an export changed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from ohm_desktop.store import LocalStore
from ohm_desktop.ui.panels.bom import BomPanel
from ohm_desktop.ui.panels.wiring import WiringPanel

BOM = {"projectName": "Line Bot", "parts": [
    {"designator": "U1", "name": "Arduino Nano", "quantity": 1},
    {"designator": "R1-R2", "name": "Resistor", "value": "220", "footprint": "0805", "quantity": 2,
     "supplier_pn": "LCSC: C17557"}]}
WIRING = {"connections": [{"from": "U1.D9", "to": "R1.1"}, {"from": "R1.2", "to": "U1.GND"}]}


def _chat(store: LocalStore) -> str:
    chat = store.create_chat("t")
    store.write_version(chat.id, "bom", BOM, change_summary="b", created_by="x")
    store.write_version(chat.id, "wiring", WIRING, change_summary="w", created_by="x")
    return chat.id


def test_menu_names_formats_for_people_and_the_dialog_proposes_a_named_file(qtbot) -> None:  # type: ignore[no-untyped-def]
    store = LocalStore.open_in_memory()
    panel = BomPanel(store)
    qtbot.addWidget(panel)
    panel.set_chat(_chat(store))
    labels = [action.text() for action in panel.export_menu.actions()]
    assert "JLCPCB assembly BOM (.csv)" in labels and "jlcpcb" not in labels
    panel.export_shown("jlcpcb")
    dialog = panel.findChild(QFileDialog)
    assert dialog is not None
    assert dialog.selectedFiles()[0].endswith("Line_Bot-jlcpcb-bom.csv")
    dialog.reject()


def test_an_export_that_leaves_something_out_says_so(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = LocalStore.open_in_memory()
    panel = BomPanel(store)
    qtbot.addWidget(panel)
    panel.set_chat(_chat(store))
    with qtbot.waitSignal(panel.message) as signal:
        panel.export_shown("jlcpcb", tmp_path / "bom.csv")
    assert "Exported 1 file(s)" in signal.args[0] and "U1" in signal.args[0] and "Left out" in signal.args[0]


def test_wiring_export_reads_the_bom_of_the_same_chat(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = LocalStore.open_in_memory()
    panel = WiringPanel(store)
    qtbot.addWidget(panel)
    panel.set_chat(_chat(store))
    assert "KiCad netlist for Pcbnew (.net)" in [a.text() for a in panel.export_menu.actions()]
    with qtbot.waitSignal(panel.message):
        panel.export_shown("kicad-netlist", tmp_path / "bot.net")
    text = (tmp_path / "bot.net").read_text()
    assert '(footprint "Module:Arduino_Nano")' in text and '(footprint "Resistor_SMD:R_0805_2012Metric")' in text
