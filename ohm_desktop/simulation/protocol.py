"""The line protocol between the C harness (resources/simulation/ohm_simavr_harness.c) and Ohm.

Harness -> Ohm, one event per line, times in simulated microseconds::

    READY <mcu> <hz>                 started
    S <t> <hex bytes>                serial output (hex, so any byte survives a line protocol)
    P <t> <port><bit> <0|1>          a pin changed level, e.g. ``P 1200 B5 1``
    T <t>                            progress, every 100 simulated ms
    W <t> <pc> / R <t> <pc>          a watchdog reset / a jump to the reset vector (pc before it)
    IN <t> <addr>                    the firmware addressed an I2C device nobody answers (once per address)
    IC <addr> <reads> <writes>       bytes a simulated I2C device served (at the end)
    L <level> <text>                 a simavr log line (errors, warnings)
    DROP <n>                         pin changes the harness did not report (its own cap)
    E <text>                         the harness could not start
    END <reason> <t> <cycles> <pc>   finished: reason is time, crash, halted or stopped

Ohm -> harness on stdin: ``A <channel> <mV>``, ``D P<port><bit>=0|1|Z``, ``R <addr>:<reg>=<hex>``,
``U <hex>`` (bytes into the serial RX), ``X <sensor> <mm>`` (an ultrasonic sensor's distance), ``Q`` (stop). Unknown lines are ignored on both sides,
so either end can grow without breaking the other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Ready:
    mcu: str


@dataclass(frozen=True, slots=True)
class SerialBytes:
    t_us: int
    data: bytes


@dataclass(frozen=True, slots=True)
class PinChange:
    t_us: int
    port_bit: str
    level: int


@dataclass(frozen=True, slots=True)
class Progress:
    t_us: int


@dataclass(frozen=True, slots=True)
class Reset:
    t_us: int
    watchdog: bool
    pc: int


@dataclass(frozen=True, slots=True)
class I2cNoAnswer:
    t_us: int
    address: int


@dataclass(frozen=True, slots=True)
class I2cTraffic:
    address: int
    reads: int
    writes: int


@dataclass(frozen=True, slots=True)
class LogLine:
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Dropped:
    count: int


@dataclass(frozen=True, slots=True)
class HarnessError:
    text: str


@dataclass(frozen=True, slots=True)
class End:
    reason: str
    t_us: int
    cycles: int
    pc: int


HarnessEvent = (Ready | SerialBytes | PinChange | Progress | Reset | I2cNoAnswer | I2cTraffic | LogLine
                | Dropped | HarnessError | End)


def parse_line(line: str) -> HarnessEvent | None:
    """One harness line as an event; None for lines this version does not know or cannot read."""
    head, _, rest = line.rstrip("\r\n").partition(" ")
    fields = rest.split()
    try:
        if head == "S" and len(fields) == 2:
            return SerialBytes(int(fields[0]), bytes.fromhex(fields[1]))
        if head == "P" and len(fields) == 3:
            return PinChange(int(fields[0]), fields[1], 1 if fields[2] == "1" else 0)
        if head == "T" and fields:
            return Progress(int(fields[0]))
        if head in ("W", "R") and len(fields) == 2:
            return Reset(int(fields[0]), head == "W", int(fields[1], 16))
        if head == "IN" and len(fields) == 2:
            return I2cNoAnswer(int(fields[0]), int(fields[1], 16))
        if head == "IC" and len(fields) == 3:
            return I2cTraffic(int(fields[0], 16), int(fields[1]), int(fields[2]))
        if head == "L" and fields:
            return LogLine(int(fields[0]), rest.partition(" ")[2].strip())
        if head == "DROP" and fields:
            return Dropped(int(fields[0]))
        if head == "E":
            return HarnessError(rest.strip())
        if head == "END" and len(fields) == 4:
            return End(fields[0], int(fields[1]), int(fields[2]), int(fields[3], 16))
        if head == "READY" and fields:
            return Ready(fields[0])
    except ValueError:
        return None
    return None


def pin_command(port_bit: str, level: int | None) -> str:
    """Drive an input pin (``level`` 0/1) or release it (None: the pin floats / its pull-up wins)."""
    return f"D P{port_bit}={'Z' if level is None else int(bool(level))}\n"


def analog_command(channel: int, millivolts: int) -> str:
    return f"A {channel} {max(0, millivolts)}\n"


def registers_command(address: int, register: int, data: bytes) -> str:
    return f"R {address:02x}:{register:02x}={data.hex()}\n"


def serial_command(data: bytes) -> str:
    return f"U {data.hex()}\n"


STOP_COMMAND = "Q\n"
