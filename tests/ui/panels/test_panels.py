"""Each dock panel opened alone on the real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from ohm_desktop.store import LocalStore
from ohm_desktop.ui.panels.bom import BomPanel
from ohm_desktop.ui.panels.code import CodePanel
from ohm_desktop.ui.panels.wiring import WiringPanel

BOM = {"projectName": "Bot", "parts": [
    {"designator": "U1", "name": "Arduino Uno", "quantity": 1},
    {"designator": "R1", "name": "Resistor", "value": "220R", "quantity": 2},
    {"designator": "D1", "name": "LED", "quantity": 1}]}
WIRING = {"connections": [{"from": "U1.D9", "to": "R1.1", "net": "PWM", "color": "yellow"},
                          {"from": "R1.2", "to": "D1.A", "net": "LED"},
                          {"from": "D1.K", "to": "U1.GND", "net": "GND", "color": "black"}]}
CODE = {"board": "arduino:avr:uno", "files": [
    {"path": "blink.ino", "content": "#define LED 9\nvoid setup(){ pinMode(LED, OUTPUT); }\nvoid loop(){}\n"},
    {"path": "pins.h", "content": "// pins\n"}]}


@pytest.fixture
def store() -> LocalStore:
    return LocalStore.open_in_memory()


def _chat_with(store: LocalStore, kind: str, *contents: dict) -> str:  # type: ignore[type-arg]
    chat = store.create_chat("t")
    for index, content in enumerate(contents):
        store.write_version(chat.id, kind, content, change_summary=f"v{index + 1}", created_by="Parts Planner")  # type: ignore[arg-type]
    return chat.id


def test_bom_table_sorts_totals_and_inline_edit_saves_a_version_by_you(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    chat_id = _chat_with(store, "bom", BOM)
    panel = BomPanel(store)
    qtbot.addWidget(panel)
    panel.set_chat(chat_id)
    assert panel.model.rowCount() == 3 and "4 part(s)" in panel.totals.text()
    panel.table.sortByColumn(4, panel.table.horizontalHeader().sortIndicatorOrder().DescendingOrder)
    assert panel.proxy.index(0, 0).data() == "R1"
    quantity = panel.model.item(1, 4)
    quantity.setText("5")
    latest = store.get_version(chat_id, "bom")
    assert latest.version_number == 2 and latest.created_by == "you"  # type: ignore[union-attr]
    assert latest.content["parts"][1]["quantity"] == 5  # type: ignore[union-attr]
    assert panel.version_box.count() == 2


def test_invalid_cell_is_marked_and_not_saved(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    chat_id = _chat_with(store, "bom", BOM)
    panel = BomPanel(store)
    qtbot.addWidget(panel)
    panel.set_chat(chat_id)
    messages: list[str] = []
    panel.message.connect(messages.append)
    panel.model.item(0, 4).setText("zero")
    assert store.get_version(chat_id, "bom").version_number == 1  # type: ignore[union-attr]
    assert "quantity" in panel.model.item(0, 4).toolTip() and messages and "Not saved" in messages[0]


def test_version_history_revert_and_diff(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    changed = {**BOM, "parts": [*BOM["parts"][:2], {"designator": "BZ1", "name": "Buzzer", "quantity": 1}]}
    chat_id = _chat_with(store, "bom", BOM, changed)
    panel = BomPanel(store)
    qtbot.addWidget(panel)
    panel.set_chat(chat_id)
    assert panel.version_box.count() == 2 and not panel.revert_button.isEnabled()
    panel.version_box.setCurrentIndex(1)  # v1 (the list is newest first)
    assert panel.shown.version_number == 1 and panel.revert_button.isEnabled()
    panel.revert_to_shown()
    latest = store.get_version(chat_id, "bom")
    assert latest.version_number == 3 and latest.content == BOM and latest.created_by == "you"  # type: ignore[union-attr]
    from ohm_desktop.ui.panels.artifact_panel import DiffDialog

    dialog = DiffDialog("bom", store.list_versions(chat_id, "bom")[:2], panel.render_text)
    qtbot.addWidget(dialog)
    text = dialog.changes.toPlainText()
    assert "BZ1" in text and "D1" in text
    assert "Buzzer" in dialog.right.toPlainText() and "Buzzer" not in dialog.left.toPlainText()


def test_export_writes_the_shown_version(qtbot, store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chat_id = _chat_with(store, "code", CODE)
    panel = CodePanel(store)
    qtbot.addWidget(panel)
    panel.set_chat(chat_id)
    assert [panel.tabs.tabText(i) for i in range(panel.tabs.count())] == ["blink.ino", "pins.h"]
    panel.export_shown("arduino", tmp_path / "blink")
    assert (tmp_path / "blink" / "blink.ino").exists()


def test_wiring_groups_by_net_and_hover_highlights_a_part(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    chat_id = _chat_with(store, "wiring", WIRING)
    store.write_version(chat_id, "bom", BOM, change_summary="b", created_by="x")
    panel = WiringPanel(store)
    qtbot.addWidget(panel)
    panel.set_chat(chat_id)
    nets = [panel.tree.topLevelItem(i).text(0) for i in range(panel.tree.topLevelItemCount())]
    assert nets == ["GND  (1)", "LED  (1)", "PWM  (1)"]
    diagram = panel.diagram
    assert set(diagram.parts) == {"U1", "R1", "D1"} and len(diagram.wires) == 3
    diagram.highlight("U1")
    lit = [line.pen().widthF() for line, a, b, _ in diagram.wires if "U1" in (a, b)]
    dim = [line.opacity() for line, a, b, _ in diagram.wires if "U1" not in (a, b)]
    assert all(width == 4.0 for width in lit) and all(opacity < 0.5 for opacity in dim)
    diagram.highlight(None)
    assert all(line.opacity() == 1.0 for line, *_ in diagram.wires)


def test_consistency_warnings_show_on_the_panel(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    chat_id = _chat_with(store, "code", {"files": [{"path": "a.ino", "content": "void setup(){ pinMode(7, OUTPUT); }"}]})
    store.write_version(chat_id, "wiring", WIRING, change_summary="w", created_by="x")
    store.write_version(chat_id, "bom", BOM, change_summary="b", created_by="x")
    panel = CodePanel(store)
    qtbot.addWidget(panel)
    panel.set_chat(chat_id)
    assert panel.warnings.isVisibleTo(panel) and "pin 7" in panel.warnings.text()


def test_pending_state_until_the_version_lands(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    chat = store.create_chat("t")
    panel = BomPanel(store)
    qtbot.addWidget(panel)
    panel.set_chat(chat.id)
    panel.show_pending()
    assert panel.pending.isVisibleTo(panel)
    store.write_version(chat.id, "bom", BOM, change_summary="s", created_by="x")
    assert not panel.pending.isVisibleTo(panel) and panel.model.rowCount() == 3


def test_graphviz_lays_out_the_diagram_when_installed(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed: the built-in circle layout is used")
    from ohm_desktop.ui.panels.wiring.diagram import WiringDiagram

    diagram = WiringDiagram()
    qtbot.addWidget(diagram)
    diagram.show_wiring(WIRING)
    assert diagram.layout_source == "circle"  # drawn at once, never waiting on Graphviz
    qtbot.waitUntil(lambda: diagram.layout_source == "graphviz", timeout=15000)  # `dot` on a busy 2-core box
    assert set(diagram.parts) == {"U1", "R1", "D1"}


def test_a_version_renumbered_by_sync_is_announced(qtbot, store) -> None:  # type: ignore[no-untyped-def]
    """Two benches both wrote v2: the server keeps theirs as v2, ours becomes v3 — and the panel says so."""
    import uuid

    chat_id = _chat_with(store, "bom", BOM, {**BOM, "projectName": "ours"})
    panel = BomPanel(store)
    qtbot.addWidget(panel)
    panel.set_chat(chat_id)
    said: list[str] = []
    panel.message.connect(said.append)
    ours = store.get_version(chat_id, "bom")
    assert ours is not None and ours.version_number == 2
    theirs = {
        "id": str(uuid.uuid4()), "artifact_id": ours.artifact_id, "chat_id": chat_id, "version_number": 2,
        "content": {**BOM, "projectName": "theirs"}, "change_summary": "from bench 2", "created_by": "B",
        "message_id": None, "created_at": "2026-01-01T00:00:00.000000Z",
    }
    assert store.apply_remote("artifact_versions", [theirs]) == []
    qtbot.waitUntil(lambda: bool(said))
    assert said == ["BOM version 2 from this workstation is now version 3: another workstation saved a version 2 at the same time."]
    assert [v.version_number for v in panel.versions] == [1, 2, 3] and panel.versions[-1].id == ours.id
