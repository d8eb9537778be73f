"""``Simulator``: compile a sketch (the compile cache is reused) and run it on the harness.

Everything is asyncio: the harness is a subprocess whose stdout lines are folded into a
:class:`SimulationResult` as they arrive (``on_event`` sees each one, so the dock can show serial
output live). It ends on simulated time inside the harness, so a ``setup()`` that never returns
still ends; a wall-clock guard kills a harness that stops answering, and cancelling the task
kills it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ohm_desktop.errors import UsageError
from ohm_desktop.firmware.compiler import SketchCompiler
from ohm_desktop.firmware.sketch import Sketch
from ohm_desktop.simulation.boards import SimBoard, sim_board
from ohm_desktop.simulation.errors import SimulatorMissingError
from ohm_desktop.simulation.harness import HarnessBuilder
from ohm_desktop.simulation.inputs import PinInput
from ohm_desktop.simulation.peripherals import DEFAULT_DISTANCE_CM, DesignPeripherals
from ohm_desktop.simulation.protocol import (
    STOP_COMMAND,
    End,
    HarnessError,
    HarnessEvent,
    SerialBytes,
    analog_command,
    parse_line,
    pin_command,
    serial_command,
)
from ohm_desktop.simulation.result import SimulationResult

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 5.0
MAX_SECONDS = 600.0
ANALOG_SENSOR_DEFAULT_V = 2.5
_MAX_LINE = 1 << 16


@dataclass(frozen=True, slots=True)
class SimulationRequest:
    """What to run: a sketch for a board, for ``seconds`` simulated seconds, with inputs and parts."""

    sketch: Sketch
    board: str | None = None
    seconds: float = DEFAULT_SECONDS
    inputs: tuple[PinInput, ...] = ()
    design: DesignPeripherals = field(default_factory=DesignPeripherals)
    pace: bool = False  # hold simulated time to wall time (the dock, so inputs can be changed by hand)


class SimulationControl:
    """Changes a running simulation's inputs and stops it; usable before the harness has started."""

    def __init__(self) -> None:
        self._board: SimBoard | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._pending: list[PinInput] = []
        self._ultrasonic: tuple[str, ...] = ()
        self.stop_requested = False

    def set_input(self, pin_input: PinInput) -> None:
        """Apply ``pin_input`` now (analog volts or a digital level); kept for the start when not running yet."""
        if self._board is None or self._writer is None:
            self._pending.append(pin_input)
            return
        line = command_for(self._board, pin_input, self._ultrasonic)
        if line:
            self._write(line)

    def send_serial(self, data: bytes) -> None:
        """Bytes into the board's serial RX, as if typed into a serial monitor (dropped before it starts)."""
        if data:
            self._write(serial_command(data))

    def stop(self) -> None:
        """End the run at the next simulated millisecond (``stopped: "stopped"``)."""
        self.stop_requested = True
        self._write(STOP_COMMAND)

    def _attach(self, board: SimBoard, writer: asyncio.StreamWriter, ultrasonic: tuple[str, ...] = ()) -> None:
        self._board, self._writer, self._ultrasonic = board, writer, ultrasonic
        pending, self._pending = self._pending, []
        for pin_input in pending:
            self.set_input(pin_input)
        if self.stop_requested:
            self._write(STOP_COMMAND)

    def _detach(self) -> None:
        self._writer = None

    def _write(self, line: str) -> None:
        if self._writer is None or self._writer.is_closing():
            return
        try:
            self._writer.write(line.encode())
        except (ConnectionError, RuntimeError):
            log.debug("simulation input after the harness ended: %s", line.strip())


def command_for(board: SimBoard, pin_input: PinInput, ultrasonic: tuple[str, ...] = ()) -> str | None:
    """The harness command applying ``pin_input`` on ``board`` (``ultrasonic``: sensor designators in order)."""
    if pin_input.distance_cm is not None:
        if pin_input.pin not in ultrasonic:
            return None
        return f"X {ultrasonic.index(pin_input.pin)} {round(pin_input.distance_cm * 10)}\n"
    if pin_input.volts is not None:
        analog = board.analog_pin(pin_input.pin)
        return analog_command(analog.channel, round(pin_input.volts * 1000)) if analog else None
    port = board.port_of(pin_input.pin)
    return pin_command(port, pin_input.level) if port else None


def harness_arguments(board: SimBoard, hex_path: Path, request: SimulationRequest) -> list[str]:
    """argv for the harness (after its path): MCU, clock, time, inputs and I2C devices."""
    args = ["-m", board.mcu, "-f", str(board.f_cpu), "-x", str(hex_path), "-t",
            str(int(request.seconds * 1_000_000)), "-v", str(board.vcc_mv), "-u", board.console_uart]
    if request.pace:
        args.append("-p")
    chosen = {i.pin for i in request.inputs}
    defaults = [PinInput(pin, volts=ANALOG_SENSOR_DEFAULT_V) for pin in request.design.analog_pins
                if pin not in chosen and board.analog_pin(pin) is not None]
    for pin_input in (*defaults, *request.inputs):
        if pin_input.volts is not None:
            analog = board.analog_pin(pin_input.pin)
            if analog is not None:
                args += ["-a", f"{analog.channel}={round(pin_input.volts * 1000)}"]
        else:
            port = board.port_of(pin_input.pin)
            if port is not None:
                level = "Z" if pin_input.level is None else str(pin_input.level)
                args += ["-d", f"P{port}={level}"]
    for sensor in request.design.ultrasonic[:4]:
        trig, echo = board.port_of(sensor.board_pin("TRIG") or ""), board.port_of(sensor.board_pin("ECHO") or "")
        if trig is None or echo is None:
            continue
        cm = next((i.distance_cm for i in request.inputs if i.pin == sensor.designator and i.distance_cm), None)
        args += ["-s", f"P{trig}:P{echo}:{round((cm or DEFAULT_DISTANCE_CM) * 10)}"]
    for device in request.design.i2c_devices[:8]:
        args += ["-i", f"{device.address:02x}:{'sink' if device.sink else 'regs'}"]
        if device.registers:
            args += ["-r", f"{device.address:02x}:00={device.registers.hex()}"]
    return args


class Simulator:
    """Runs firmware on the simulated board; one per process (it shares the compile and harness caches)."""

    def __init__(self, compiler: SketchCompiler, harness: HarnessBuilder) -> None:
        self._compiler = compiler
        self._harness = harness

    async def run(self, request: SimulationRequest, *, on_event: Callable[[HarnessEvent], None] | None = None,
                  control: SimulationControl | None = None) -> SimulationResult:
        """Compile and run. ``SimulatorMissingError`` when nothing can simulate this board here."""
        if not 0 < request.seconds <= MAX_SECONDS:
            raise UsageError(f"Simulate between 0 and {MAX_SECONDS:g} seconds, not {request.seconds:g}.")
        board = sim_board(request.board)
        harness = await self._harness.ensure()
        result = SimulationResult(board=board, inputs=request.inputs, design=request.design)
        work_dir = Path(tempfile.mkdtemp(prefix="ohm-sim-"))
        try:
            hex_path = work_dir / "firmware.hex"
            compiled = await self._compiler.compile(request.sketch, board.fqbn, hex_out=hex_path)
            result.compile = compiled
            if not compiled.ok or not hex_path.is_file():
                result.stopped = "not_compiled"
                return result
            await self._run_harness(harness, harness_arguments(board, hex_path, request), request, result,
                                    on_event, control or SimulationControl())
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        return result

    async def _run_harness(self, harness: Path, args: list[str], request: SimulationRequest,
                           result: SimulationResult, on_event: Callable[[HarnessEvent], None] | None,
                           control: SimulationControl) -> None:
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            str(harness), *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, limit=_MAX_LINE,
        )
        assert process.stdin is not None and process.stdout is not None
        control._attach(result.board, process.stdin, tuple(p.designator for p in request.design.ultrasonic[:4]))
        # Generous: the harness runs several times faster than real time; this only catches a hang.
        guard_s = 30.0 + request.seconds * (1.5 if request.pace else 20.0)
        ended = False
        try:
            async with asyncio.timeout(guard_s):
                while True:
                    raw = await process.stdout.readline()
                    if not raw:
                        break
                    event = parse_line(raw.decode("utf-8", errors="replace"))
                    if event is None:
                        continue
                    if isinstance(event, SerialBytes) and result.first_serial_wall_s is None:
                        result.first_serial_wall_s = time.perf_counter() - started
                    if isinstance(event, HarnessError):
                        result.log.append(event.text)
                    result.record(event)
                    ended = ended or isinstance(event, End)
                    if on_event is not None:
                        on_event(event)
        except TimeoutError:
            result.stopped = "timeout"
        finally:
            control._detach()
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
            await process.wait()
            result.wall_s = time.perf_counter() - started
        failure = next((line for line in result.log if line.startswith("mcu ") or "usage" in line), None)
        if not ended and failure is not None:
            raise SimulatorMissingError(f"The simulator could not run this board: {failure}.")
        if not ended and result.stopped != "timeout":
            # The harness died without its END line (a simavr abort): that is the firmware's crash.
            result.stopped = "crash"
