"""What one simulation run saw, kept within fixed memory, and its JSON shape.

Serial output keeps the last ``SERIAL_CAP`` characters and the pin timeline the last
``PIN_CAP`` changes; what is dropped is counted and said in ``notes`` ("older lines dropped"),
so a firmware printing in a tight loop for minutes cannot grow Ohm without bound.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from ohm_desktop.firmware.result import CompileResult
from ohm_desktop.simulation.boards import SimBoard
from ohm_desktop.simulation.inputs import PinInput
from ohm_desktop.simulation.peripherals import DesignPeripherals
from ohm_desktop.simulation.protocol import (
    Dropped,
    End,
    HarnessEvent,
    I2cNoAnswer,
    I2cTraffic,
    LogLine,
    PinChange,
    Reset,
    SerialBytes,
)

SERIAL_CAP = 64_000
PIN_CAP = 5_000
LOG_CAP = 50
StopReason = Literal["time", "crash", "halted", "stopped", "timeout", "not_compiled"]


@dataclass(frozen=True, slots=True)
class PinEvent:
    t_ms: float
    pin: str
    level: int

    def to_dict(self) -> dict[str, Any]:
        return {"t_ms": self.t_ms, "pin": self.pin, "level": self.level}


@dataclass(slots=True)
class PinStats:
    """Per pin, over the whole run (not only the kept timeline)."""

    first_level: int
    last_level: int
    changes: int = 0
    high_ms: float = 0.0
    _since_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class ResetEvent:
    t_ms: float
    cause: Literal["watchdog", "reset_vector"]


@dataclass
class SimulationResult:
    """The outcome of running a firmware; built live from harness events by :meth:`record`."""

    board: SimBoard
    inputs: tuple[PinInput, ...] = ()
    design: DesignPeripherals = field(default_factory=DesignPeripherals)
    compile: CompileResult | None = None
    stopped: StopReason = "time"
    simulated_s: float = 0.0
    wall_s: float = 0.0
    first_serial_wall_s: float | None = None
    resets: list[ResetEvent] = field(default_factory=list)
    i2c_no_answer: list[int] = field(default_factory=list)
    i2c_traffic: dict[int, tuple[int, int]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    crash_pc: int | None = None
    _serial: list[str] = field(default_factory=list)
    _serial_len: int = 0
    serial_dropped: int = 0
    _pins: deque[PinEvent] = field(default_factory=lambda: deque(maxlen=PIN_CAP))
    pins_dropped: int = 0
    pin_stats: dict[str, PinStats] = field(default_factory=dict)

    # ------------------------------------------------------------------ recording
    def record(self, event: HarnessEvent) -> None:
        """Fold one harness event into the result."""
        if isinstance(event, SerialBytes):
            self._add_serial(event.data.decode("latin-1"))
            self.simulated_s = max(self.simulated_s, event.t_us / 1e6)
        elif isinstance(event, PinChange):
            self._add_pin(event)
        elif isinstance(event, Reset):
            self.resets.append(ResetEvent(event.t_us / 1000, "watchdog" if event.watchdog else "reset_vector"))
        elif isinstance(event, I2cNoAnswer):
            self.i2c_no_answer.append(event.address)
        elif isinstance(event, I2cTraffic):
            self.i2c_traffic[event.address] = (event.reads, event.writes)
        elif isinstance(event, LogLine):
            if len(self.log) < LOG_CAP:
                self.log.append(event.text)
        elif isinstance(event, Dropped):
            self.pins_dropped += event.count
        elif isinstance(event, End):
            self.simulated_s = event.t_us / 1e6
            self.stopped = event.reason if event.reason in ("time", "crash", "halted", "stopped") else "crash"  # type: ignore[assignment]
            if event.reason == "crash":
                self.crash_pc = event.pc
            self._close_pins(event.t_us / 1000)

    def _add_serial(self, text: str) -> None:
        self._serial.append(text)
        self._serial_len += len(text)
        while self._serial_len > SERIAL_CAP and len(self._serial) > 1:
            dropped = self._serial.pop(0)
            self._serial_len -= len(dropped)
            self.serial_dropped += len(dropped)
        if self._serial_len > SERIAL_CAP:  # one huge chunk: keep its tail
            only = self._serial[0]
            self._serial[0] = only[-SERIAL_CAP:]
            self.serial_dropped += len(only) - SERIAL_CAP
            self._serial_len = SERIAL_CAP

    def _add_pin(self, change: PinChange) -> None:
        pin = self.board.pin_name(change.port_bit)
        t_ms = round(change.t_us / 1000, 3)
        if len(self._pins) == self._pins.maxlen:
            self.pins_dropped += 1
        self._pins.append(PinEvent(t_ms, pin, change.level))
        stats = self.pin_stats.get(pin)
        if stats is None:
            self.pin_stats[pin] = PinStats(change.level, change.level, 0, 0.0, t_ms)
            return
        if stats.last_level:
            stats.high_ms += t_ms - stats._since_ms
        stats.last_level = change.level
        stats.changes += 1
        stats._since_ms = t_ms

    def _close_pins(self, end_ms: float) -> None:
        for stats in self.pin_stats.values():
            if stats.last_level:
                stats.high_ms += max(0.0, end_ms - stats._since_ms)
            stats._since_ms = end_ms

    # ------------------------------------------------------------------ reading
    @property
    def serial(self) -> str:
        return "".join(self._serial)

    @property
    def pins(self) -> list[PinEvent]:
        return list(self._pins)

    @property
    def crashed(self) -> bool:
        return self.stopped == "crash"

    @property
    def notes(self) -> list[str]:
        notes = []
        if self.serial_dropped:
            notes.append(f"{self.serial_dropped} earlier characters of serial output were dropped (kept the last {SERIAL_CAP}).")
        if self.pins_dropped:
            notes.append(f"{self.pins_dropped} earlier pin changes were dropped (kept the last {PIN_CAP}).")
        notes.extend(f"not simulated: {item}" for item in self.design.not_simulated)
        if self.board.console_uart != "0":
            notes.append(f"On the {self.board.name} the serial output shown is Serial1 (UART{self.board.console_uart}); "
                         "USB Serial is not simulated.")
        return notes

    def summary(self) -> str:
        """One sentence for a status line or the CLI's stderr."""
        if self.stopped == "not_compiled":
            return self.compile.summary() if self.compile else "The sketch did not compile."
        head = f"Ran {self.simulated_s:.2f} simulated s on a simulated {self.board.name} in {self.wall_s:.2f} s"
        if self.crashed:
            return f"{head}: the firmware crashed at PC 0x{(self.crash_pc or 0):04x}."
        if self.resets:
            causes = {r.cause for r in self.resets}
            what = "watchdog resets" if causes == {"watchdog"} else "resets"
            return f"{head}: the board had {len(self.resets)} {what} (first at {self.resets[0].t_ms:.1f} ms)."
        ending = {"halted": " (the firmware went to sleep with interrupts off)", "stopped": " (stopped)",
                  "timeout": " (stopped: the simulator was too slow)"}.get(self.stopped, "")
        return f"{head}{ending}."

    def pin_summary(self) -> str:
        """Pins as text for the DEBUG agent: final level, how often and how long high."""
        if not self.pin_stats:
            return "No pin changed level."
        total_ms = max(self.simulated_s * 1000, 1e-6)
        lines = []
        for pin in sorted(self.pin_stats, key=lambda p: (p[:1], int("".join(c for c in p if c.isdigit()) or -1))):
            stats = self.pin_stats[pin]
            lines.append(f"{pin}: ends {'HIGH' if stats.last_level else 'LOW'}, {stats.changes} changes, "
                         f"high {100 * stats.high_ms / total_ms:.0f}% of the time")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The ``ohm sketch simulate --json`` object (DESIGN.md)."""
        return {
            "serial": self.serial,
            "pins": [p.to_dict() for p in self.pins],
            "simulated_s": round(self.simulated_s, 4),
            "wall_s": round(self.wall_s, 3),
            "board": self.board.fqbn,
            "mcu": self.board.mcu,
            "inputs": [i.to_dict() for i in self.inputs],
            "peripherals": [p.to_dict() for p in self.design.peripherals],
            "not_simulated": list(self.design.not_simulated),
            "stopped": self.stopped,
            "resets": [{"t_ms": r.t_ms, "cause": r.cause} for r in self.resets],
            "i2c_no_answer": [f"0x{a:02x}" for a in self.i2c_no_answer],
            "notes": self.notes,
            "compile": self.compile.to_dict() if self.compile else None,
        }
