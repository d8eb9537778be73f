"""AVR boards read from the installed Arduino core: ``boards.txt`` and ``variants/*/pins_arduino.h``.

Debian's ``arduino-core-avr`` (the core the compile check uses) installs the platform at
``/usr/share/arduino/hardware/arduino/avr``; an arduino-cli install keeps one under
``~/.arduino15/packages/arduino/hardware/avr/<version>``.
"""

from __future__ import annotations

from pathlib import Path

from ohm_desktop.design_rules.avr_facts import BOARD_POWER, MCU_LIMITS
from ohm_desktop.design_rules.c_macros import Macros, read_header
from ohm_desktop.design_rules.model import Board, BoardPin, Capability, PinType

DEBIAN_AVR_PLATFORM = Path("/usr/share/arduino/hardware/arduino/avr")

# avr-gcc defines one of these for -mmcu=...; the variant headers branch on them.
_MCU_DEFINES = {
    "atmega328p": "__AVR_ATmega328P__", "atmega168": "__AVR_ATmega168__", "atmega2560": "__AVR_ATmega2560__",
    "atmega1280": "__AVR_ATmega1280__", "atmega32u4": "__AVR_ATmega32U4__",
}


def avr_platform_dirs() -> list[Path]:
    """Installed AVR platforms, Debian's first (the one the compile check uses)."""
    found = [DEBIAN_AVR_PLATFORM] if (DEBIAN_AVR_PLATFORM / "boards.txt").is_file() else []
    cli_root = Path.home() / ".arduino15" / "packages" / "arduino" / "hardware" / "avr"
    if cli_root.is_dir():
        found.extend(sorted((p for p in cli_root.iterdir() if (p / "boards.txt").is_file()), reverse=True))
    return found


def read_properties(path: Path) -> dict[str, str]:
    """An Arduino ``key=value`` file (boards.txt)."""
    properties: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            properties[key.strip()] = value.strip()
    return properties


def read_avr_boards(platform_dir: Path) -> list[Board]:
    """The boards of ``platform_dir`` that :data:`BOARD_POWER` knows the power pins of."""
    properties = read_properties(platform_dir / "boards.txt")
    boards: list[Board] = []
    for board_id, power in BOARD_POWER.items():
        prefix = f"{board_id}."
        variant = properties.get(prefix + "build.variant")
        mcu = properties.get(prefix + "build.mcu") or _first_menu_mcu(properties, board_id)
        header = platform_dir / "variants" / str(variant) / "pins_arduino.h"
        if variant is None or mcu is None or mcu not in MCU_LIMITS or not header.is_file():
            continue
        macros = read_header(header, Macros(), frozenset({_MCU_DEFINES.get(mcu, ""), "__AVR__"}))
        limits = MCU_LIMITS[mcu]
        pins = _io_pins(macros, limits.uarts, limits.max_ma) + _power_pins(power.pins, power.vin)
        boards.append(
            Board(
                id=board_id,
                name=properties.get(prefix + "name", board_id),
                fqbns=(f"arduino:avr:{board_id}",),
                mcu=mcu,
                logic_v=power.logic_v,
                pins=pins,
                aliases=power.aliases,
                pin_recommended_ma=limits.recommended_ma,
                pin_max_ma=limits.max_ma,
                five_volt_tolerant=True,
                sources=(str(header), str(platform_dir / "boards.txt"), limits.source, power.source),
            )
        )
    return boards


def _first_menu_mcu(properties: dict[str, str], board_id: str) -> str | None:
    """Boards with a CPU menu (Nano, Mega, Pro) name the MCU per option; the first is the default."""
    prefix = f"{board_id}.menu.cpu."
    for key, value in properties.items():
        if key.startswith(prefix) and key.endswith(".build.mcu"):
            return value
    return None


def _io_pins(macros: Macros, uarts: tuple[tuple[int, int], ...], max_ma: float) -> tuple[BoardPin, ...]:
    digital_count = macros.value("NUM_DIGITAL_PINS") or 0
    analog_count = macros.value("NUM_ANALOG_INPUTS") or 0
    analog = {}
    for channel in range(analog_count):
        number = macros.value(f"PIN_A{channel}")
        if number is not None:
            analog[number] = channel
    roles: dict[int, list[tuple[str, Capability]]] = {}
    bus_macros: tuple[tuple[str, str, Capability], ...] = (
        ("PIN_WIRE_SDA", "SDA", "i2c_sda"), ("PIN_WIRE_SCL", "SCL", "i2c_scl"),
        ("PIN_SPI_MOSI", "MOSI", "spi_mosi"), ("PIN_SPI_MISO", "MISO", "spi_miso"),
        ("PIN_SPI_SCK", "SCK", "spi_sck"), ("PIN_SPI_SS", "SS", "spi_ss"),
    )
    for macro, alias, capability in bus_macros:
        number = macros.value(macro)
        if number is not None:
            roles.setdefault(number, []).append((alias, capability))
    for port, (rx, tx) in enumerate(uarts):
        suffix = str(port) if len(uarts) > 1 else ""
        rx_role: tuple[str, Capability] = (f"RX{suffix}", "uart_rx")
        tx_role: tuple[str, Capability] = (f"TX{suffix}", "uart_tx")
        roles.setdefault(rx, []).append(rx_role)
        roles.setdefault(tx, []).append(tx_role)
    led = macros.value("LED_BUILTIN")
    pins: list[BoardPin] = []
    for number in sorted(set(range(digital_count)) | set(analog)):
        capabilities: set[Capability] = set()
        aliases: list[str] = [str(number), f"D{number}"]
        if number < digital_count:
            capabilities.add("digital")
            if macros.value("digitalPinHasPWM", number):
                capabilities.add("pwm")
            interrupt = macros.value("digitalPinToInterrupt", number)
            if interrupt is not None and interrupt >= 0:
                capabilities.add("interrupt")
        else:
            capabilities.add("input_only")  # Nano A6/A7: analog inputs with no digital buffer
        if number in analog:
            capabilities.add("analog")
            aliases.insert(0, f"A{analog[number]}")
        for alias, capability in roles.get(number, []):
            aliases.append(alias)
            capabilities.add(capability)
        if number == led:
            aliases.append("LED_BUILTIN")
        name = f"A{analog[number]}" if number in analog else f"D{number}"
        pins.append(BoardPin(name, "bidirectional" if number < digital_count else "input",
                             tuple(a for a in aliases if a != name), number, frozenset(capabilities), None, max_ma))
    return tuple(pins)


def _power_pins(
    table: tuple[tuple[str, tuple[str, ...], str, float | None, float | None], ...],
    vin: tuple[float, float, float] | None,
) -> tuple[BoardPin, ...]:
    types: dict[str, PinType] = {"power_out": "power_out", "power_in": "power_in", "ground": "ground", "input": "input"}
    pins = []
    for name, aliases, kind, volts, budget in table:
        powered = kind == "power_in" and vin is not None
        pins.append(BoardPin(name, types[kind], aliases, None, frozenset(), volts, budget,
                             (vin[0], vin[1]) if powered and vin else None, vin[2] if powered and vin else None))
    return tuple(pins)
