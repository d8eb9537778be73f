"""Cross-artifact consistency: do the BOM, the wiring and the firmware agree?

Checks what a person at the bench trips over: a wire to a part that is not in the parts
list, a pin the firmware drives that nothing is wired to, a part bought but never connected.
Findings are structured so the window can list them and the DEBUG agent can read them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
_SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

_PIN_CALL = re.compile(
    r"\b(?:pinMode|digitalWrite|digitalRead|analogRead|analogWrite|tone|noTone|attachInterrupt|pulseIn)"
    r"\s*\(\s*(?:digitalPinToInterrupt\s*\(\s*)?([A-Za-z_][A-Za-z0-9_]*|\d+)"
)
_ATTACH = re.compile(r"\.\s*attach\s*\(\s*([A-Za-z_][A-Za-z0-9_]*|\d+)")
_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)\s+([A-Za-z0-9_]+)\s*$", re.MULTILINE)
# `const int LED = 9;` and the equally common non-const `int ledPin = 13;` at file scope.
_CONST = re.compile(
    r"^\s*(?:static\s+)?(?:(?:const|constexpr)\s+)?(?:unsigned\s+)?"
    r"(?:int|uint8_t|byte|short|long|pin_size_t|uint16_t|int8_t|int16_t)\s+"
    r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([A-Za-z0-9_]+)\s*;",
    re.MULTILINE,
)
_DESIGNATOR_RANGE = re.compile(r"^([A-Za-z]+)(\d+)\s*[-–]\s*(?:\1)?(\d+)$")
_BOARD_PIN = re.compile(r"^(?:D|GPIO|IO|GP|PIN)?(\d+)$")
_NAMED_BOARD_PIN = re.compile(r"^(?:D|GPIO|IO|GP|A)\d+$", re.IGNORECASE)
_BOARD_WORDS = re.compile(r"arduino|\buno\b|nano|mega|esp32|esp8266|pico|teensy|stm32|microcontroller|\bmcu\b", re.I)
_ANALOG_PIN = re.compile(r"^A(\d+)$")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: how bad, where (artifact + connection/part/file:line), in words, and what it concerns.

    ``code`` names the rule (``led-no-resistor``); ``parts``, ``pins`` (``U1.D9``) and ``nets`` are
    what the window highlights and what a repair agent is pointed at.
    """

    severity: Severity
    artifact: Literal["bom", "code", "wiring"]
    location: str
    message: str
    code: str = ""
    parts: tuple[str, ...] = ()
    pins: tuple[str, ...] = ()
    nets: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = asdict(self)
        for key in ("parts", "pins", "nets"):
            body[key] = list(body[key])
        return body


def normalise_pin(pin: str) -> str:
    """``D9``/``9``/``GPIO9``/``GP9`` (Pico) → ``9``; ``A0`` → ``A0``; anything else upper-cased."""
    text = pin.strip().upper()
    match = _BOARD_PIN.match(text)
    if match:
        return str(int(match.group(1)))
    match = _ANALOG_PIN.match(text)
    if match:
        return f"A{int(match.group(1))}"
    return text


def expand_designators(text: str) -> list[str]:
    """``"R1, R2"`` → [R1, R2]; ``"R1-R4"``/``"R1-4"`` → [R1, R2, R3, R4]; ``"U1"`` → [U1].

    One BOM line often stands for several identical parts; each may be wired on its own.
    """
    designators: list[str] = []
    for piece in re.split(r"[,;\s]+", text.strip()):
        match = _DESIGNATOR_RANGE.match(piece)
        if match and int(match.group(3)) - int(match.group(2)) in range(1, 200):
            prefix, first, last = match.group(1), int(match.group(2)), int(match.group(3))
            designators.extend(f"{prefix}{number}" for number in range(first, last + 1))
        elif piece:
            designators.append(piece)
    return designators


def split_endpoint(endpoint: str) -> tuple[str, str] | None:
    """``U1.D9`` → (``U1``, ``D9``); a bare net name such as ``GND`` → None."""
    part, dot, pin = endpoint.strip().partition(".")
    return (part.strip(), pin.strip()) if dot and part.strip() else None


def code_pins(code: dict[str, Any]) -> dict[str, str]:
    """Pins the firmware uses: normalised pin → ``file:line`` of the first use."""
    files = [(str(f.get("path", "sketch.ino")), str(f.get("content", ""))) for f in code.get("files", [])]
    # Names first, across every file: pins are usually #defined in a header used by the .ino.
    names: dict[str, str] = {}
    for _, text in files:
        names.update(dict(_DEFINE.findall(text)))
        names.update(dict(_CONST.findall(text)))
    used: dict[str, str] = {}
    for path, text in files:
        for regex in (_PIN_CALL, _ATTACH):
            for match in regex.finditer(text):
                token = match.group(1)
                for _ in range(4):  # follow NAME -> OTHER_NAME -> 9 chains, bounded
                    if token in names:
                        token = names[token]
                # Unresolved names (LED_BUILTIN, function parameters) are not guessed at.
                if not (token.isdigit() or _ANALOG_PIN.match(token.upper())):
                    continue
                line = text.count("\n", 0, match.start()) + 1
                used.setdefault(normalise_pin(token), f"{path}:{line}")
    return used


def check_consistency(
    bom: dict[str, Any] | None, code: dict[str, Any] | None, wiring: dict[str, Any] | None
) -> list[Finding]:
    """Every finding between the three artifacts; an empty list when they agree (or are absent)."""
    findings: list[Finding] = []
    designators: set[str] = set()
    boards: set[str] = set()
    for part in (bom or {}).get("parts", []):
        if not isinstance(part, dict) or not part.get("designator"):
            continue
        names = expand_designators(str(part["designator"]))
        designators.update(names)
        if _BOARD_WORDS.search(str(part.get("name", ""))):
            boards.update(names)
    wired_parts: set[str] = set()
    pins_by_part: dict[str, set[str]] = {}
    for index, connection in enumerate((wiring or {}).get("connections", [])):
        if not isinstance(connection, dict):
            continue
        for end in ("from", "to"):
            endpoint = split_endpoint(str(connection.get(end, "")))
            if endpoint is None:
                continue
            part, pin = endpoint
            wired_parts.add(part)
            pins_by_part.setdefault(part, set()).add(pin)
            if _NAMED_BOARD_PIN.match(pin):
                boards.add(part)
            if bom is not None and part not in designators:
                findings.append(
                    Finding(
                        "error",
                        "wiring",
                        f"connections[{index}].{end}",
                        f"{part} is wired ({connection.get(end)}) but is not in the BOM",
                        "not-in-bom",
                        (part,),
                        (f"{part}.{pin}",),
                    )
                )
    # Only the microcontroller's pins count: pin "2" of a resistor is not Arduino pin 2.
    wired_pins = {normalise_pin(pin) for part in boards for pin in pins_by_part.get(part, set())}
    if code is not None and wiring is not None:
        for pin, where in sorted(code_pins(code).items()):
            if pin not in wired_pins:
                findings.append(
                    Finding("warning", "code", where, f"pin {pin} is used by the firmware but nothing is wired to it",
                            "unwired-pin", pins=(pin,))
                )
    if bom is not None and wiring is not None:
        for designator in sorted(designators - wired_parts):
            findings.append(Finding("info", "bom", designator, f"{designator} is in the BOM but never wired",
                                    "never-wired", (designator,)))
    # Most serious first (stable within a severity), the order a panel or an agent reads them in.
    return sorted(findings, key=lambda finding: _SEVERITY_ORDER[finding.severity])
