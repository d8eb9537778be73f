"""`ohm chats` and `ohm artifacts` as a person uses them, on the real store in OHM_DATA_DIR."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ohm_desktop.cli import main
from ohm_desktop.config import Paths
from ohm_desktop.store import LocalStore

ROOT = Path(__file__).resolve().parents[3]
BOM_V1 = {"projectName": "Blinker", "parts": [
    {"designator": "U1", "name": "Arduino Uno", "quantity": 1},
    {"designator": "R1", "name": "Resistor", "value": "220", "quantity": 1, "footprint": "0603", "supplier_pn": "C22962"},
    {"designator": "D1", "name": "LED red", "quantity": 1},
]}
BOM_V2 = {"projectName": "Blinker", "parts": [
    {"designator": "U1", "name": "Arduino Uno", "quantity": 1},
    {"designator": "R1", "name": "Resistor", "value": "330", "quantity": 2, "footprint": "0603", "supplier_pn": "C22962"},
    {"designator": "SW1", "name": "Tactile button", "quantity": 1},
]}
WIRING = {"connections": [
    {"from": "U1.D9", "to": "R1.1", "color": "yellow"},
    {"from": "R1.2", "to": "D1.A"},
    {"from": "D1.K", "to": "U1.GND"},
]}
CODE = {"board": "arduino:avr:uno", "files": [{"path": "blink.ino", "content": (
    "const int LED = 9;\nconst int BUTTON = 2;\n"
    "void setup() { pinMode(LED, OUTPUT); pinMode(BUTTON, INPUT_PULLUP); }\nvoid loop() { digitalWrite(LED, HIGH); }\n"
)}]}


@pytest.fixture
def chat_id() -> str:
    store = LocalStore.open(Paths.from_environment().database)
    try:
        chat = store.create_chat("Blinker with a button")
        store.add_message(chat.id, "user", "blink an LED on an esp32 or an uno")
        store.write_version(chat.id, "bom", BOM_V1, change_summary="first parts", created_by="Parts Planner")
        store.write_version(chat.id, "bom", BOM_V2, change_summary="button", created_by="Parts Planner")
        store.write_version(chat.id, "wiring", WIRING, change_summary="wires", created_by="Wiring Planner")
        store.write_version(chat.id, "code", CODE, change_summary="blink", created_by="Firmware Engineer")
        return chat.id
    finally:
        store.close()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_chats_list_search_show_rename(chat_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "chats", "list")
    assert code == 0 and chat_id[:8] in out and "Blinker with a button" in out
    code, out, _ = run(capsys, "chats", "search", "esp32", "--json")
    hits = json.loads(out)
    assert code == 0 and [(h["kind"], h["chat_id"]) for h in hits] == [("message", chat_id)]
    code, out, _ = run(capsys, "chats", "search", "tactile")
    assert code == 0 and "bom v2" in out and "[Tactile]" in out
    code, out, _ = run(capsys, "chats", "show", chat_id[:6], "--json")
    assert json.loads(out)["messages"][0]["content"].startswith("blink an LED")
    assert run(capsys, "chats", "rename", chat_id[:8], "Renamed")[0] == 0
    assert json.loads(run(capsys, "chats", "list", "--json")[1])[0]["title"] == "Renamed"


def test_trash_and_restore_from_the_cli(chat_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "chats", "trash", chat_id[:8])
    assert code == 0 and f"ohm chats restore {chat_id[:8]}" in out
    assert json.loads(run(capsys, "chats", "list", "--json")[1]) == []
    assert [c["id"] for c in json.loads(run(capsys, "chats", "list", "--trash", "--json")[1])] == [chat_id]
    assert json.loads(run(capsys, "chats", "search", "esp32", "--json")[1]) == []
    assert run(capsys, "chats", "restore", chat_id[:8])[0] == 0
    assert [c["id"] for c in json.loads(run(capsys, "chats", "list", "--json")[1])] == [chat_id]


def test_artifacts_list_show_diff_revert(chat_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "artifacts", "list", chat_id[:8], "--json")
    listing = json.loads(out)["artifacts"]
    assert code == 0 and listing["bom"]["current_version"] == 2 and len(listing["bom"]["versions"]) == 2
    code, out, _ = run(capsys, "artifacts", "diff", chat_id[:8], "bom", "1", "2")
    assert code == 0
    assert "+ SW1" in out and "- D1" in out and "~ R1.value: 220 → 330" in out and "~ R1.quantity: 1 → 2" in out
    rows = json.loads(run(capsys, "artifacts", "diff", chat_id[:8], "bom", "1", "2", "--json")[1])["rows"]
    assert {"change": "changed", "key": "R1", "field": "quantity", "old": 1, "new": 2} in rows
    code, out, _ = run(capsys, "artifacts", "revert", chat_id[:8], "bom", "1")
    assert code == 0 and "v3" in out
    shown = json.loads(run(capsys, "artifacts", "show", chat_id[:8], "bom", "--json")[1])
    assert shown["version"] == 3 and shown["content"] == BOM_V1 and shown["created_by"] == "you"
    code, _, err = run(capsys, "artifacts", "diff", chat_id[:8], "bom", "1", "7")
    assert code == 2 and "no version 7" in err


def test_export_every_format(chat_id: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # v2 has R1 with quantity 2: JLCPCB places one part per designator, so nothing is written.
    code, _, err = run(capsys, "artifacts", "export", chat_id[:8], "bom", "--format", "jlcpcb", "-o", str(tmp_path / "j.csv"))
    assert code == 2 and "R1 has quantity 2 but 1 designator" in err and not (tmp_path / "j.csv").exists()
    code, _, err = run(capsys, "artifacts", "export", chat_id[:8], "bom", "--format", "jlcpcb", "--version", "1",
                       "-o", str(tmp_path / "j.csv"))
    assert code == 0 and "U1 (arduino)" in err  # the off-board Uno is left out, and the user is told
    with (tmp_path / "j.csv").open(encoding="utf-8-sig") as file:
        assert next(csv.reader(file)) == ["Comment", "Designator", "Footprint", "LCSC"]
    code, out, _ = run(capsys, "artifacts", "export", chat_id[:8], "code", "-f", "arduino", "-o", str(tmp_path / "blink"), "--json")
    assert code == 0 and json.loads(out)["files"] == [str(tmp_path / "blink" / n) for n in ("blink.ino", "sketch.yaml")]
    for fmt in ("csv", "wireviz", "dot", "kicad-netlist", "wokwi", *(["svg"] if shutil.which("dot") else [])):
        code, out, err = run(capsys, "artifacts", "export", chat_id[:8], "wiring", "-f", fmt, "-o", str(tmp_path / f"w.{fmt}"))
        assert code == 0, err
        assert (tmp_path / f"w.{fmt}").stat().st_size > 0
    code, _, err = run(capsys, "artifacts", "export", chat_id[:8], "bom", "-f", "wireviz", "-o", str(tmp_path / "x"))
    assert code == 2 and "csv, jlcpcb, kicad" in err
    code, _, err = run(capsys, "artifacts", "export", chat_id[:8], "bom", "-f", "csv", "--version", "1", "-o", str(tmp_path / "v1.csv"))
    assert code == 0 and "D1" in (tmp_path / "v1.csv").read_text(encoding="utf-8-sig")


def test_check_reports_structured_findings_and_exits_1_on_errors(chat_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "artifacts", "check", chat_id[:8], "--json")
    report = json.loads(out)
    findings = {(f["severity"], f["artifact"], f["location"]) for f in report["findings"]}
    assert code == 1  # D1 is wired but BOM v2 dropped it
    assert ("error", "wiring", "connections[1].to") in findings
    assert ("warning", "code", "blink.ino:3") in findings  # BUTTON (pin 2) is not wired
    assert ("info", "bom", "SW1") in findings
    assert report["versions"] == {"bom": 2, "code": 1, "wiring": 1}
    run(capsys, "artifacts", "revert", chat_id[:8], "bom", "1")
    code, out, _ = run(capsys, "artifacts", "check", chat_id[:8])
    assert code == 0 and "pin 2" in out


def test_unknown_chat_and_empty_store_are_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "chats", "list")
    assert code == 0 and "No chats yet" in out
    code, _, err = run(capsys, "artifacts", "list", "ffff")
    assert code == 2 and "ohm chats list" in err and "Traceback" not in err


def test_cli_marks_a_crashed_reply_interrupted_on_open(capsys: pytest.CaptureFixture[str]) -> None:
    store = LocalStore.open(Paths.from_environment().database)
    chat = store.create_chat("crashed")
    message = store.add_message(chat.id, "assistant", "half of an answ", status="streaming")
    store.close()
    code, out, _ = run(capsys, "chats", "show", chat.id, "--json")
    [shown] = json.loads(out)["messages"]
    assert code == 0 and shown["id"] == message.id and shown["status"] == "interrupted"
    assert shown["content"] == "half of an answ"


def test_corrupt_database_is_moved_aside_and_the_user_told(capsys: pytest.CaptureFixture[str]) -> None:
    database = Paths.from_environment().database
    database.parent.mkdir(parents=True)
    database.write_bytes(b"\x00garbage" * 1000)
    code, _, err = run(capsys, "chats", "list")
    assert code == 0 and "was damaged" in err and str(database) in err
    [moved] = list(database.parent.glob("ohm.sqlite3.corrupt-*"))
    assert moved.read_bytes() == b"\x00garbage" * 1000 and str(moved) in err


def _read_only(folder: Path, argv: list[str]) -> list[str]:
    """``argv`` run with ``folder`` really read-only; root ignores permissions, so root gets a
    read-only bind mount in a private mount namespace (EROFS, like a read-only volume)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return argv
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0 or shutil.which("mount") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("cannot make a read-only folder as root here (unshare -m failed)")
        pytest.skip("cannot make a read-only folder as root here (unshare -m failed)")
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(folder), *argv]


@pytest.mark.parametrize("existing", [False, True])
def test_read_only_data_folder_is_one_clear_sentence(tmp_path: Path, existing: bool) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    if existing:
        store = LocalStore.open(folder / "ohm.sqlite3")
        store.create_chat("kept")
        store.close()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    env = {**os.environ, "OHM_DATA_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    try:
        command = _read_only(folder, [sys.executable, "-m", "ohm_desktop.cli", "chats", "list"])
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 5, done.stdout + done.stderr  # the store/disk exit code
    assert str(folder) in done.stderr and "OHM_DATA_DIR" in done.stderr and "writable" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
