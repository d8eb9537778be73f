"""Bad or odd CLI input ends as bad input (exit 2) with a sentence; big prompts come from stdin or a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ohm_desktop.cli import main
from ohm_desktop.config import Paths
from ohm_desktop.store import LocalStore
from tests.e2e.conftest import run_ohm
from tests.support.fake_gateway import FakeGateway
from tests.support.fault_gateway import FaultGateway

KEY = "sk-bytez-cli-inputs-key-0001"
BOM = {"projectName": "x", "parts": [{"name": "LED", "quantity": 1}]}


@pytest.fixture
def two_chats() -> list[str]:
    store = LocalStore.open(Paths.from_environment().database)
    try:
        ids = [store.create_chat(title).id for title in ("first", "second")]
        store.write_version(ids[0], "bom", BOM, change_summary="v1", created_by="you")
        return ids
    finally:
        store.close()


@pytest.mark.parametrize(
    "argv",
    [
        ["chats", "list", "--limit", "99999999999999999999"],
        ["chats", "list", "--offset", "-1"],
        ["chats", "search", "led", "--limit", "0"],
        ["artifacts", "show", "CHAT", "bom", "1e20"],
        ["artifacts", "show", "CHAT", "bom", "99999999999999999999"],
        ["artifacts", "diff", "CHAT", "bom", "1", "99999999999999999999"],
    ],
)
def test_huge_or_odd_numbers_are_bad_input(argv: list[str], two_chats: list[str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    argv = [two_chats[0] if part == "CHAT" else part for part in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "whole number" in err or "invalid" in err
    assert "unexpected error" not in err and "Traceback" not in err


@pytest.mark.parametrize("prefix", ["", " ", "%", "_", "%%", "\\", "0%"])
def test_a_chat_prefix_matches_only_chats_that_start_with_it(prefix: str, two_chats: list[str], gateway: FakeGateway,
                                                            capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OHM_GATEWAY_URL", gateway.url)
    monkeypatch.setenv("BYTEZ_API_KEY_1", KEY)
    assert main(["ask", "--chat", prefix, "--agent", "CHAT", "hello"]) == 2
    assert main(["chats", "show", prefix]) == 2
    assert gateway.requests == []  # no turn ran in some arbitrary chat
    assert "Traceback" not in capsys.readouterr().err


def test_a_unique_prefix_still_finds_its_chat(two_chats: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["chats", "show", two_chats[1][:-3]]) == 0
    assert "second" in capsys.readouterr().out


def test_ask_reads_a_5_mb_prompt_from_stdin_and_from_a_file(tmp_path: Path) -> None:
    prompt = "Measured values follow. " + "0123456789abcdef" * (5 * 1024 * 1024 // 16)
    gateway = FaultGateway().start()  # raw HTTP: no request-size limit of its own (aiohttp's is 1 MiB)
    env = {"OHM_GATEWAY_URL": gateway.url, "BYTEZ_API_KEY_1": KEY}
    piped = run_ohm("ask", "--agent", "CHAT", "-", env=env, input_text=prompt, timeout=120)
    assert piped.returncode == 0, piped.stderr[-2000:]
    file = tmp_path / "prompt.txt"
    file.write_text(prompt, encoding="utf-8")
    read = run_ohm("ask", "--agent", "CHAT", "--file", str(file), env=env, timeout=120)
    assert read.returncode == 0, read.stderr[-2000:]
    gateway.stop()
    sent = [r.messages[-1]["content"] for r in gateway.requests if r.stream]
    assert sent == [prompt, prompt]


@pytest.mark.parametrize(
    ("argv", "stdin", "sentence"),
    [
        (["ask"], "", "Say what you need"),
        (["ask", "hi", "--file", "x.txt"], "", "not both"),
        (["ask", "--file", "missing.txt"], "", "Cannot read missing.txt"),
        (["ask", "-"], "   ", "The message is empty"),
    ],
)
def test_ask_without_a_usable_message_is_bad_input(argv: list[str], stdin: str, sentence: str) -> None:
    done = run_ohm(*argv, env={"BYTEZ_API_KEY_1": KEY}, input_text=stdin)
    assert done.returncode == 2 and sentence in done.stderr and "Traceback" not in done.stderr


def test_binary_stdin_is_bad_input(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.e2e.conftest import ROOT

    done = subprocess.run([sys.executable, "-m", "ohm_desktop.cli", "ask", "-"], input=b"\xff\xfe\x00", cwd=tmp_path,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=60)
    assert done.returncode == 2 and b"not UTF-8" in done.stderr
