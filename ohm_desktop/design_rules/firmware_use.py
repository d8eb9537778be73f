"""How the firmware uses each pin: modes, PWM, analog reads, interrupts and the buses it starts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

Use = Literal["output", "input", "input_pullup", "input_pulldown", "write", "read", "pwm", "analog_read",
              "interrupt", "tone", "servo"]

_CALL = re.compile(
    r"\b(pinMode|digitalWrite|digitalRead|analogRead|analogWrite|tone|attachInterrupt|pulseIn)\s*\(\s*"
    r"(?:digitalPinToInterrupt\s*\(\s*([A-Za-z_]\w*|\d+)\s*\)|([A-Za-z_]\w*|\d+))\s*(?:,\s*([A-Za-z_]\w*))?"
)
_ATTACH = re.compile(r"\.\s*attach\s*\(\s*([A-Za-z_]\w*|\d+)")
_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)\s+\(?\s*([A-Za-z0-9_]+)\s*\)?\s*(?://.*)?$", re.MULTILINE)
_CONST = re.compile(
    r"^\s*(?:static\s+)?(?:(?:const|constexpr)\s+)?(?:unsigned\s+)?"
    r"(?:int|uint8_t|byte|short|long|pin_size_t|uint16_t|int8_t|int16_t|gpio_num_t)\s+"
    r"([A-Za-z_]\w*)\s*=\s*([A-Za-z0-9_]+)\s*;",
    re.MULTILINE,
)
_MODES: dict[str, Use] = {"OUTPUT": "output", "INPUT": "input", "INPUT_PULLUP": "input_pullup",
                          "INPUT_PULLDOWN": "input_pulldown"}
_USES: dict[str, Use] = {"digitalWrite": "write", "digitalRead": "read", "analogRead": "analog_read",
                         "analogWrite": "pwm", "tone": "tone", "attachInterrupt": "interrupt", "pulseIn": "read"}


@dataclass(frozen=True, slots=True)
class PinUse:
    """One use of a pin: ``pin`` as written after resolving names (``9``, ``A0``, ``LED_BUILTIN``)."""

    pin: str
    use: Use
    location: str
    call: str


@dataclass(frozen=True, slots=True)
class FirmwareUse:
    uses: tuple[PinUse, ...]
    i2c: bool
    spi: bool
    hardware_uarts: frozenset[int]
    software_serial: bool
    board: str | None

    def modes(self, pin: str) -> set[Use]:
        return {u.use for u in self.uses if u.pin == pin}

    def first(self, pin: str, *uses: Use) -> PinUse | None:
        return next((u for u in self.uses if u.pin == pin and u.use in uses), None)


def read_firmware(code: dict[str, Any]) -> FirmwareUse:
    """Scan every file of a code artifact; names (``#define LED 9``, ``const int LED = 9;``) are followed."""
    files = [(str(f.get("path", "sketch.ino")), str(f.get("content", ""))) for f in code.get("files", [])
             if isinstance(f, dict)]
    names: dict[str, str] = {}
    for _, text in files:
        names.update(dict(_DEFINE.findall(text)))
        names.update(dict(_CONST.findall(text)))

    def resolve(token: str) -> str:
        for _ in range(4):  # NAME -> OTHER -> 9, bounded
            if token not in names:
                break
            token = names[token]
        return token

    uses: list[PinUse] = []
    everything = "\n".join(text for _, text in files)
    for path, text in files:
        stripped = re.sub(r"//[^\n]*", "", text)
        for match in _CALL.finditer(stripped):
            function = match.group(1)
            token = resolve(match.group(2) or match.group(3))
            if function == "attachInterrupt" and match.group(2) is None:
                continue  # attachInterrupt(0, ...) names an interrupt number, not a pin
            line = stripped.count("\n", 0, match.start()) + 1
            where = f"{path}:{line}"
            use = _MODES.get(resolve(match.group(4) or "")) if function == "pinMode" else _USES[function]
            if use is not None:
                uses.append(PinUse(token, use, where, match.group(0)))
        for match in _ATTACH.finditer(stripped):
            line = stripped.count("\n", 0, match.start()) + 1
            uses.append(PinUse(resolve(match.group(1)), "servo", f"{path}:{line}", match.group(0)))
    uarts = {int(n) for n in re.findall(r"\bSerial([1-3])\s*\.\s*begin", everything)}
    return FirmwareUse(
        uses=tuple(uses),
        i2c=bool(re.search(r"\bWire\s*\.\s*begin|#\s*include\s*<Wire\.h>", everything)),
        spi=bool(re.search(r"\bSPI\s*\.\s*begin|#\s*include\s*<SPI\.h>", everything)),
        hardware_uarts=frozenset(uarts),
        software_serial=bool(re.search(r"SoftwareSerial", everything)),
        board=str(code["board"]) if code.get("board") else None,
    )
