from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ohm_desktop.chat_export import chat_markdown, write_project_bundle
from ohm_desktop.config import Paths
from ohm_desktop.firmware import CompileResult, CompileResultStore
from ohm_desktop.store import LocalStore

SKETCH = "void setup() {}\nvoid loop() {\n  // ``` inside code must not end the block\n}\n"


def _project(store: LocalStore) -> str:
    chat = store.create_chat("Plant | waterer")
    store.add_message(chat.id, "user", "I need a plant waterer with a pump")
    bom_msg = store.add_message(chat.id, "assistant", "Here are the parts.\n\nThe MOSFET switches the pump.",
                                agent_intent="BOM", agent_name="Parts Planner")
    store.write_version(chat.id, "bom", {"projectName": "Waterer", "parts": [
        {"designator": "Q1", "name": "IRLZ44N", "quantity": 1, "notes": "logic-level | TO-220"},
        {"designator": "U1", "name": "Arduino Uno", "quantity": 1}]},
        change_summary="initial parts", created_by="BOM", message_id=bom_msg.id)
    code_msg = store.add_message(chat.id, "assistant", "The sketch.", agent_intent="CODE",
                                 agent_name="Firmware Engineer")
    code = store.write_version(chat.id, "code", {"board": "arduino:avr:uno", "files": [
        {"path": "waterer.ino", "content": SKETCH}]}, change_summary="first sketch", created_by="CODE",
        message_id=code_msg.id)
    CompileResultStore(store).save(code.id, CompileResult("ok", "arduino:avr:uno", toolchain="avr-gcc 5.4.0",
                                                          flash_bytes=924, flash_max=32256, ram_bytes=9,
                                                          ram_max=2048))
    store.write_version(chat.id, "wiring", {"connections": [
        {"from": "U1.D9", "to": "Q1.G", "net": "PUMP_EN", "color": "yellow"}], "notes": "common ground"},
        change_summary="wiring", created_by="WIRING")
    return chat.id


def test_markdown_inlines_artifacts_after_the_message_that_wrote_them() -> None:
    store = LocalStore.open_in_memory()
    chat_id = _project(store)
    text = chat_markdown(store, chat_id)
    assert text.startswith("# Plant | waterer\n")
    asked, bom_reply = text.index("I need a plant waterer"), text.index("## Parts Planner (BOM)")
    bom_table, sketch_reply = text.index("### Bill of materials — version 1"), text.index("The sketch.")
    assert asked < bom_reply < bom_table < sketch_reply
    assert "| Q1 | IRLZ44N |  | 1 |  |  | logic-level \\| TO-220 |" in text
    assert "````cpp\n" + SKETCH.rstrip("\n") + "\n````" in text  # fence longer than the ``` inside
    assert "Compile check: Compiled for arduino:avr:uno with avr-gcc 5.4.0: flash 924/32256 bytes (2%)" in text
    # The wiring version has no message: it is listed at the end.
    assert text.index("## Other artifact versions") < text.index("| U1.D9 | Q1.G | PUMP_EN | yellow |")
    assert "Notes: common ground" in text


def test_bundle_holds_bom_sketch_wiring_and_a_readme_with_the_rationale(tmp_path: Path) -> None:
    store = LocalStore.open_in_memory()
    chat_id = _project(store)
    target = tmp_path / "out" / "waterer.zip"
    names = write_project_bundle(store, chat_id, target)
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == sorted(names)
        expected = {"plant-waterer/bom.csv", "plant-waterer/waterer/waterer.ino",
                    "plant-waterer/waterer/sketch.yaml", "plant-waterer/wiring.yaml",
                    "plant-waterer/wiring.dot", "plant-waterer/wiring.csv", "plant-waterer/README.md",
                    "plant-waterer/chat.md"}
        if shutil.which("dot"):
            expected.add("plant-waterer/wiring.svg")
        assert set(names) == expected
        readme = archive.read("plant-waterer/README.md").decode()
        assert "## Design rationale" in readme and "**Parts Planner (BOM):** Here are the parts." in readme
        assert "v1 by CODE: first sketch" in readme and "compile check: Compiled" in readme
        assert archive.read("plant-waterer/bom.csv").decode("utf-8-sig").startswith("Designator,Name,")
        assert archive.read("plant-waterer/waterer/waterer.ino").decode() == SKETCH
    assert not list(target.parent.glob(".*partial"))


def test_cli_exports_markdown_to_stdout_and_a_bundle_to_a_file(tmp_path: Path) -> None:
    store = LocalStore.open(Paths.from_environment().database)
    chat_id = _project(store)
    store.close()

    def ohm(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ohm_desktop.cli", "export", "chat", *args],
                              capture_output=True, text=True, timeout=60, check=False)

    markdown = ohm(chat_id[:13])
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith("# Plant | waterer")
    bundle = ohm(chat_id, "--format", "bundle", "-o", str(tmp_path / "b.zip"))
    assert bundle.returncode == 0 and zipfile.is_zipfile(tmp_path / "b.zip")
    missing_output = ohm(chat_id, "--format", "bundle")
    assert missing_output.returncode == 2 and "-o" in missing_output.stderr
    unknown = ohm("ffffffff")
    assert unknown.returncode == 2 and "ohm chats list" in unknown.stderr


@pytest.mark.parametrize("fmt", ["markdown", "bundle"])
def test_empty_chat_still_exports(tmp_path: Path, fmt: str) -> None:
    store = LocalStore.open_in_memory()
    chat = store.create_chat("Empty")
    if fmt == "markdown":
        assert chat_markdown(store, chat.id).startswith("# Empty")
    else:
        assert set(write_project_bundle(store, chat.id, tmp_path / "e.zip")) == {"empty/README.md", "empty/chat.md"}
