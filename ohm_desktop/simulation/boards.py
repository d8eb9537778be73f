"""The boards the simulator can run, and how their pin names map to MCU ports and ADC channels.

The tables are the Arduino AVR core's ``variants/*/pins_arduino.h`` (``digital_pin_to_port_PGM``,
``digital_pin_to_bit_mask_PGM``, ``analog_pin_to_channel_PGM`` and ``PIN_A0``), as Debian's
arduino-core-avr 1.8 installs them under /usr/share/arduino/hardware/arduino/avr/variants.
Kept here (small, no file reads) so a simulation names pins exactly as the board's silkscreen.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ohm_desktop.firmware.boards import DEFAULT_BOARD, Fqbn
from ohm_desktop.simulation.errors import SimulatorMissingError

# Port letter + bit of each digital pin, D0 first.
_STANDARD_PORTS = "D0 D1 D2 D3 D4 D5 D6 D7 B0 B1 B2 B3 B4 B5 C0 C1 C2 C3 C4 C5"
_MEGA_PORTS = (
    "E0 E1 E4 E5 G5 E3 H3 H4 H5 H6 B4 B5 B6 B7 J1 J0 H1 H0 D3 D2 D1 D0 A0 A1 A2 A3 A4 A5 A6 A7 "
    "C7 C6 C5 C4 C3 C2 C1 C0 D7 G2 G1 G0 L7 L6 L5 L4 L3 L2 L1 L0 B3 B2 B1 B0 F0 F1 F2 F3 F4 F5 "
    "F6 F7 K0 K1 K2 K3 K4 K5 K6 K7"
)
_LEONARDO_PORTS = (
    "D2 D3 D1 D0 D4 C6 D7 E6 B4 B5 B6 B7 D6 C7 B3 B1 B2 B0 F7 F6 F5 F4 F1 F0 D4 D7 B4 B5 B6 D6 D5"
)
_LEONARDO_CHANNELS = (7, 6, 5, 4, 1, 0, 8, 10, 11, 12, 13, 9)
_LEONARDO_ANALOG_PINS = (18, 19, 20, 21, 22, 23, 4, 6, 8, 9, 10, 12)

NOT_SIMULATED_HINT = (
    "{board} is not simulated here (only the Arduino AVR boards: Uno, Nano, Mega, Leonardo): "
    "export the wiring for Wokwi (`ohm artifacts export CHAT wiring --format wokwi`) and run it there."
)


@dataclass(frozen=True, slots=True)
class AnalogPin:
    """``A<n>``: its ADC channel and, when it doubles as a digital pin, that pin's number."""

    name: str
    channel: int
    digital: int | None


@dataclass(frozen=True)
class SimBoard:
    """One board as the simulator sees it."""

    fqbn: str
    name: str
    mcu: str
    f_cpu: int
    vcc_mv: int
    console_uart: str  # the UART behind ``Serial`` (Leonardo: Serial is USB, Serial1 is UART1)
    ports: tuple[str, ...]  # port+bit per digital pin number
    analog: tuple[AnalogPin, ...]

    @cached_property
    def _by_port(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for analog in self.analog:
            if analog.digital is not None and analog.digital < len(self.ports):
                names.setdefault(self.ports[analog.digital], analog.name)
        for number, port in enumerate(self.ports):
            names.setdefault(port, f"D{number}")
        return names

    def pin_name(self, port_bit: str) -> str:
        """``"B5"`` -> ``"D13"``; pins with no board name keep the MCU name (``"PB6"``)."""
        return self._by_port.get(port_bit, f"P{port_bit}")

    def port_of(self, pin: str) -> str | None:
        """``"D13"``/``"13"`` -> ``"B5"``; ``"A0"`` -> its port when it is also a digital pin."""
        text = pin.strip().upper()
        analog = self.analog_pin(text)
        if analog is not None:
            return self.ports[analog.digital] if analog.digital is not None else None
        number = text[1:] if text.startswith("D") else text
        if number.isdigit() and int(number) < len(self.ports):
            return self.ports[int(number)]
        return None

    def analog_pin(self, pin: str) -> AnalogPin | None:
        text = pin.strip().upper()
        return next((a for a in self.analog if a.name == text), None)


def _standard_analog(count: int, first_digital: int, digital_count: int) -> tuple[AnalogPin, ...]:
    return tuple(AnalogPin(f"A{n}", n, first_digital + n if first_digital + n < digital_count else None)
                 for n in range(count))


def _board(fqbn: str, name: str, mcu: str, ports: str, analog: tuple[AnalogPin, ...], *,
           f_cpu: int = 16_000_000, uart: str = "0") -> SimBoard:
    return SimBoard(fqbn, name, mcu, f_cpu, 5000, uart, tuple(ports.split()), analog)


_UNO_ANALOG = _standard_analog(6, 14, 20)
_NANO_ANALOG = _standard_analog(8, 14, 20)  # A6/A7 are ADC-only on the Nano
_MEGA_ANALOG = _standard_analog(16, 54, 70)
_LEONARDO_ANALOG = tuple(AnalogPin(f"A{n}", ch, d) for n, (ch, d) in
                         enumerate(zip(_LEONARDO_CHANNELS, _LEONARDO_ANALOG_PINS, strict=True)))


def sim_board(fqbn_text: str | None) -> SimBoard:
    """The simulated board for an FQBN; ``SimulatorMissingError`` saying what to do for boards it cannot run."""
    fqbn = Fqbn.parse(fqbn_text or DEFAULT_BOARD)
    options = dict(fqbn.options)
    if fqbn.arch != "avr" or fqbn.vendor != "arduino":
        raise SimulatorMissingError(NOT_SIMULATED_HINT.format(board=str(fqbn)))
    cpu = options.get("cpu", "")
    if fqbn.board in ("uno", "pro", "mini", "ethernet", "bt"):
        # Pro/Mini menus: cpu=16MHzatmega328, 8MHzatmega168, atmega328 ... (boards.txt).
        f_cpu = 8_000_000 if cpu.startswith("8MHz") else 16_000_000
        mcu = "atmega168" if "168" in cpu else "atmega328p"
        return _board(str(fqbn), f"Arduino {fqbn.board.title()}", mcu, _STANDARD_PORTS, _UNO_ANALOG, f_cpu=f_cpu)
    if fqbn.board == "nano":
        mcu = "atmega168" if cpu == "atmega168" else "atmega328p"
        return _board(str(fqbn), "Arduino Nano", mcu, _STANDARD_PORTS, _NANO_ANALOG)
    if fqbn.board in ("mega", "megaADK"):
        mcu = "atmega1280" if cpu == "atmega1280" else "atmega2560"
        return _board(str(fqbn), "Arduino Mega", mcu, _MEGA_PORTS, _MEGA_ANALOG)
    if fqbn.board == "leonardo":
        return _board(str(fqbn), "Arduino Leonardo", "atmega32u4", _LEONARDO_PORTS, _LEONARDO_ANALOG, uart="1")
    raise SimulatorMissingError(NOT_SIMULATED_HINT.format(board=str(fqbn)))
