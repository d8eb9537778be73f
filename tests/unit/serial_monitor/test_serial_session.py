from __future__ import annotations

from pathlib import Path

import pytest

from ohm_desktop.serial_monitor import SerialLine, SerialPortError, SerialSession
from tests.support.pty_pair import FakeBoardEnd, wait_for


def _rx(session: SerialSession) -> list[str]:
    return [line.text for line in session.lines() if line.direction == "rx"]


async def test_lines_from_the_board_arrive_with_timestamps(pty_board: FakeBoardEnd) -> None:
    seen: list[SerialLine] = []
    async with SerialSession(pty_board.port, 115200) as session:
        session.subscribe(seen.append)
        pty_board.write(b"temp=21.5\r\nhum=40")
        pty_board.write(b"%\nboot ok\n")
        await wait_for(lambda: len(_rx(session)) == 3)
        assert _rx(session) == ["temp=21.5", "hum=40%", "boot ok"]
        rx = [line for line in seen if line.direction == "rx"]
        assert [line.text for line in rx] == _rx(session)
        assert rx[0].timestamp <= rx[1].timestamp <= rx[2].timestamp
        assert " < temp=21.5" in rx[0].format()


async def test_a_prompt_without_newline_is_shown_after_a_pause(pty_board: FakeBoardEnd) -> None:
    async with SerialSession(pty_board.port, idle_flush_s=0.05) as session:
        pty_board.write(b"Enter speed> ")
        await wait_for(lambda: _rx(session) == ["Enter speed> "])


async def test_send_line_reaches_the_board_and_is_logged(pty_board: FakeBoardEnd) -> None:
    async with SerialSession(pty_board.port, 9600, line_ending="\r\n") as session:
        await session.send_line("LED ON")
        assert await pty_board.read_until(b"\r\n") == b"LED ON\r\n"
        assert [(line.direction, line.text) for line in session.lines() if line.direction != "info"] == [
            ("tx", "LED ON")]


async def test_pause_holds_lines_back_and_resume_delivers_them_in_order(pty_board: FakeBoardEnd) -> None:
    seen: list[str] = []
    async with SerialSession(pty_board.port) as session:
        session.subscribe(lambda line: seen.append(line.text) if line.direction == "rx" else None)
        session.pause()
        pty_board.write(b"a\nb\n")
        await wait_for(lambda: len(_rx(session)) == 2)
        assert seen == []  # still read and buffered, just not shown
        session.resume()
        assert seen == ["a", "b"]


async def test_ring_buffer_keeps_the_last_n_lines_and_saves_them(pty_board: FakeBoardEnd, tmp_path: Path) -> None:
    async with SerialSession(pty_board.port, capacity=5) as session:
        pty_board.write(b"".join(f"line {i}\n".encode() for i in range(20)))
        await wait_for(lambda: _rx(session)[-1:] == ["line 19"])
        assert len(session.lines()) == 5
        assert _rx(session) == [f"line {i}" for i in range(15, 20)]
        saved = session.save(tmp_path / "log.txt")
    text = (tmp_path / "log.txt").read_text().splitlines()
    assert saved == 5 and text[-1].endswith("RX   line 19") and "T" in text[-1].split()[0]


async def test_context_for_debug_has_the_port_and_the_last_lines(pty_board: FakeBoardEnd) -> None:
    async with SerialSession(pty_board.port, 57600) as session:
        pty_board.write(b"".join(f"reading {i}\n".encode() for i in range(10)))
        await wait_for(lambda: len(_rx(session)) == 10)
        context = session.context_for_debug(last=3)
    lines = context.splitlines()
    assert lines[0] == f"Serial monitor log from {pty_board.port} at 57600 baud (last 3 lines):"
    assert [line.split(" < ")[-1] for line in lines[1:]] == ["reading 7", "reading 8", "reading 9"]


async def test_missing_port_is_one_clear_sentence(tmp_path: Path) -> None:
    session = SerialSession(str(tmp_path / "ttyACM9"))
    with pytest.raises(SerialPortError, match=r"Cannot open the serial port .*plugged in"):
        await session.open()
    with pytest.raises(SerialPortError, match="not open"):
        await session.send_line("x")
