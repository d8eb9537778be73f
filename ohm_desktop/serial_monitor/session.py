"""A serial-port session for the bench: read lines with timestamps, send lines, pause, save.

Qt-free asyncio (pyserial-asyncio-fast). The dock widget and the CLI both drive a
:class:`SerialSession`; tests drive it through a pseudo-terminal pair instead of a board.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from ohm_desktop.errors import OhmError

log = logging.getLogger(__name__)

COMMON_BAUD_RATES = (300, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 74880, 115200, 230400, 250000, 500000,
                     1000000, 2000000)
Direction = Literal["rx", "tx", "info"]


class SerialPortError(OhmError):
    """The serial port cannot be opened or written (missing, busy, no permission)."""

    exit_code = 2
    kind = "serial"


@dataclass(frozen=True, slots=True)
class SerialLine:
    """One line of the log: received (rx), sent (tx) or a note from the monitor itself (info)."""

    text: str
    direction: Direction = "rx"
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))

    def format(self) -> str:
        marker = {"rx": "<", "tx": ">", "info": "#"}[self.direction]
        return f"{self.timestamp.astimezone().strftime('%H:%M:%S.%f')[:-3]} {marker} {self.text}"


@dataclass(frozen=True, slots=True)
class PortInfo:
    device: str
    description: str


def list_ports() -> list[PortInfo]:
    """Serial ports the OS knows about (USB boards show up as ttyACM*/ttyUSB*/COM*)."""
    from serial.tools import list_ports as serial_list_ports

    return [PortInfo(p.device, p.description or p.device) for p in sorted(serial_list_ports.comports())]


LineListener = Callable[[SerialLine], None]


class SerialSession:
    """One open serial port with a ring buffer of the last ``capacity`` lines.

    Pausing freezes what listeners see (lines are still read, so the device never blocks,
    and they are delivered on :meth:`resume`). A partial line with no newline (a prompt) is
    delivered after ``idle_flush_s`` of silence.
    """

    def __init__(self, port: str, baudrate: int = 9600, *, capacity: int = 5000, idle_flush_s: float = 0.3,
                 line_ending: str = "\n") -> None:
        self.port = port
        self.baudrate = baudrate
        self.line_ending = line_ending
        self._buffer: deque[SerialLine] = deque(maxlen=capacity)
        self._held: deque[SerialLine] = deque(maxlen=capacity)
        self._listeners: list[LineListener] = []
        self._idle_flush_s = idle_flush_s
        self._paused = False
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------ lifecycle
    @property
    def is_open(self) -> bool:
        return self._writer is not None

    async def open(self) -> None:
        import serial
        import serial_asyncio_fast

        try:
            self._reader, self._writer = await serial_asyncio_fast.open_serial_connection(
                url=self.port, baudrate=self.baudrate
            )
        except (OSError, serial.SerialException) as exc:
            raise SerialPortError(
                f"Cannot open the serial port {self.port} ({exc}). Check the board is plugged in, no other "
                "program (or an upload) is using the port, and that you may access it (on Linux: the dialout group)."
            ) from exc
        self._record(SerialLine(f"Connected to {self.port} at {self.baudrate} baud", "info"))
        self._task = asyncio.ensure_future(self._read_loop())

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
            self._record(SerialLine(f"Disconnected from {self.port}", "info"))

    async def __aenter__(self) -> SerialSession:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------ reading
    async def _read_loop(self) -> None:
        assert self._reader is not None
        pending = b""
        while True:
            try:
                if pending:
                    # asyncio.timeout, not wait_for: 3.11's wait_for can lose the cancellation
                    # that closes the port when data arrives at the same moment.
                    async with asyncio.timeout(self._idle_flush_s):
                        chunk = await self._reader.read(4096)
                else:
                    chunk = await self._reader.read(4096)
            except TimeoutError:
                self._record(SerialLine(_decode(pending)))
                pending = b""
                continue
            except OSError as exc:
                self._record(SerialLine(f"Port error: {exc}", "info"))
                break
            if not chunk:
                if pending:
                    self._record(SerialLine(_decode(pending)))
                self._record(SerialLine(f"{self.port} closed by the device", "info"))
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                self._record(SerialLine(_decode(raw)))
        self._writer = None

    # ------------------------------------------------------------ writing
    async def send_line(self, text: str) -> None:
        """Send ``text`` plus the line ending; it appears in the log as a tx line."""
        if self._writer is None:
            raise SerialPortError(f"The serial port {self.port} is not open: connect first, then send.")
        try:
            self._writer.write((text + self.line_ending).encode("utf-8"))
            await self._writer.drain()
        except (OSError, ConnectionError) as exc:
            raise SerialPortError(f"Writing to {self.port} failed ({exc}): reconnect the board and try again.") from exc
        self._record(SerialLine(text, "tx"))

    # ------------------------------------------------------------ the log
    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        self._paused = True

    def resume(self) -> None:
        self._paused = False
        held = list(self._held)
        self._held.clear()
        for line in held:
            self._deliver(line)

    def subscribe(self, listener: LineListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def lines(self, last: int | None = None) -> list[SerialLine]:
        """The buffered log, oldest first; with ``last``, only that many of the newest lines."""
        items = list(self._buffer)
        return items[-last:] if last is not None else items

    def clear(self) -> None:
        self._buffer.clear()
        self._held.clear()

    def save(self, path: Path) -> int:
        """Write the buffered log with full timestamps; returns the number of lines written."""
        lines = self.lines()
        path.write_text(
            "".join(f"{line.timestamp.isoformat(timespec='milliseconds')} {line.direction.upper():4} {line.text}\n"
                    for line in lines),
            encoding="utf-8",
        )
        return len(lines)

    def context_for_debug(self, last: int = 50) -> str:
        """The last ``last`` lines as text to attach to a DEBUG question (TurnRequest.context)."""
        lines = self.lines(last)
        head = f"Serial monitor log from {self.port} at {self.baudrate} baud (last {len(lines)} lines):"
        return "\n".join([head, *(line.format() for line in lines)])

    def _record(self, line: SerialLine) -> None:
        self._buffer.append(line)
        if self._paused:
            self._held.append(line)
        else:
            self._deliver(line)

    def _deliver(self, line: SerialLine) -> None:
        for listener in list(self._listeners):
            try:
                listener(line)
            except Exception:
                log.exception("serial listener failed")


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r")
