"""A code artifact as an Arduino sketch folder (or a zip of it) that arduino-cli opens as it is.

The folder is named like its main ``.ino`` (the IDE refuses anything else) and holds a
``sketch.yaml`` — arduino-cli's sketch project file
(https://arduino.github.io/arduino-cli/1.4/sketch-project-file/): ``default_fqbn`` is the
board the artifact records, and a profile ``ohm`` lists the libraries the sketch needs, with
the versions the artifact records. arduino-cli only accepts index libraries *with* a version
in a profile, so libraries of unknown version go into the profile's notes and a notice.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from ohm_desktop.artifacts.export.base import Design, ExportError, ExportResult, text

_SKETCH_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")
_PROFILE = "ohm"
# Headers of libraries from the Arduino Library Manager index → the index name. Headers of
# libraries bundled with a core (Wire, SPI, EEPROM, SoftwareSerial, WiFi on ESP32) are absent
# on purpose: a profile must not list them.
_LIBRARY_OF_HEADER = {
    "Servo.h": "Servo",
    "Stepper.h": "Stepper",
    "LiquidCrystal.h": "LiquidCrystal",
    "LiquidCrystal_I2C.h": "LiquidCrystal I2C",
    "Adafruit_SSD1306.h": "Adafruit SSD1306",
    "Adafruit_GFX.h": "Adafruit GFX Library",
    "Adafruit_NeoPixel.h": "Adafruit NeoPixel",
    "Adafruit_BME280.h": "Adafruit BME280 Library",
    "Adafruit_Sensor.h": "Adafruit Unified Sensor",
    "DHT.h": "DHT sensor library",
    "OneWire.h": "OneWire",
    "DallasTemperature.h": "DallasTemperature",
    "NewPing.h": "NewPing",
    "IRremote.h": "IRremote",
    "IRremote.hpp": "IRremote",
    "MFRC522.h": "MFRC522",
    "RTClib.h": "RTClib",
    "TinyGPS++.h": "TinyGPSPlus",
    "AccelStepper.h": "AccelStepper",
    "FastLED.h": "FastLED",
    "PubSubClient.h": "PubSubClient",
    "ArduinoJson.h": "ArduinoJson",
    "U8g2lib.h": "U8g2",
    "TM1637Display.h": "TM1637",
    "MPU6050.h": "MPU6050",
}
_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.MULTILINE)
_NAME_AT_VERSION = re.compile(r"^(?P<name>.+?)\s*(?:@\s*|\(\s*)(?P<version>[0-9][\w.+-]*)\s*\)?$")


def sketch_name(value: str) -> str:
    """A valid Arduino sketch name from any text (letters, digits, ``_ - .``; starts alphanumeric; ≤ 63)."""
    name = _SKETCH_NAME_CHARS.sub("_", value.strip()).strip("_.-")
    if not name or not name[0].isalnum():
        name = "sketch_" + name
    return name[:63].rstrip("_.-") or "sketch"


def _source_files(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in content.get("files") or [] if isinstance(f, dict)]


def _main_sketch(files: list[dict[str, Any]]) -> str | None:
    top_level = [str(f.get("path")) for f in files if "/" not in str(f.get("path")).replace("\\", "/")]
    inos = [path for path in top_level if path.lower().endswith(".ino")]
    return inos[0] if inos else None


def libraries(content: dict[str, Any]) -> dict[str, str]:
    """Library name → version ("" when unknown): the artifact's ``libraries`` plus known ``#include``s."""
    found: dict[str, str] = {}
    for entry in content.get("libraries") or []:
        if isinstance(entry, dict) and text(entry.get("name")):
            found[text(entry["name"])] = text(entry.get("version"))
        elif isinstance(entry, str) and entry.strip():
            match = _NAME_AT_VERSION.match(entry.strip())
            name, version = (match["name"], match["version"]) if match else (entry.strip(), "")
            found[name] = version or found.get(name, "")
    for file in _source_files(content):
        for header in _INCLUDE.findall(str(file.get("content", ""))):
            name = _LIBRARY_OF_HEADER.get(PurePosixPath(header).name)
            if name is not None:
                found.setdefault(name, "")
    return found


def sketch_yaml(content: dict[str, Any]) -> tuple[str, list[str]]:
    """The ``sketch.yaml`` text, and notices for what it could not record."""
    notices: list[str] = []
    board = text(content.get("board"))
    lines = ["# Sketch project file for arduino-cli, written by Ohm Desktop."]
    if board:
        lines.append(f"default_fqbn: {board}")
    else:
        notices.append("The code artifact names no board, so sketch.yaml has no default_fqbn: pass --fqbn to arduino-cli.")
    found = libraries(content)
    versioned = {name: version for name, version in found.items() if version}
    unversioned = [name for name, version in found.items() if not version]
    if board:
        lines += ["profiles:", f"  {_PROFILE}:", f"    fqbn: {board}"]
        if unversioned:
            lines.append(f"    notes: {json.dumps('also needs ' + ', '.join(unversioned) + ' (version not recorded)')}")
        lines += ["    platforms:", f"      - platform: {':'.join(board.split(':')[:2])}"]
        if versioned:
            lines.append("    libraries:")
            lines += [f"      - {name} ({version})" for name, version in versioned.items()]
    if unversioned:
        notices.append(
            f"sketch.yaml lists {', '.join(unversioned)} without a version (none recorded): "
            "install them with `arduino-cli lib install`."
        )
    return "\n".join(lines) + "\n", notices


def _sketch_files(content: dict[str, Any], name: str) -> dict[str, str]:
    """Relative path → text for a sketch called ``name`` (its main .ino renamed to ``name.ino``)."""
    files = _source_files(content)
    main = _main_sketch(files)
    result: dict[str, str] = {}
    for file in files:
        relative = str(file.get("path", "")).replace("\\", "/")
        parts = PurePosixPath(relative).parts
        if not parts or relative.startswith("/") or ".." in parts:
            raise ExportError(f"The code file path {relative!r} leaves the sketch folder; fix the code artifact.")
        if relative == main:
            relative = f"{name}.ino"
        result[relative] = str(file.get("content", ""))
    if main is None:
        result[f"{name}.ino"] = "// Generated by Ohm: the sketch code lives in the other files.\n"
    return result


def _with_project_file(content: dict[str, Any], name: str) -> tuple[dict[str, str], list[str]]:
    files = _sketch_files(content, name)
    notices: list[str] = []
    if "sketch.yaml" in files:
        notices.append("The code artifact has its own sketch.yaml; it was written as it is.")
    else:
        files["sketch.yaml"], notices = sketch_yaml(content)
    return files, notices


def folder(content: dict[str, Any], path: Path, design: Design) -> ExportResult:
    target = path
    if path.is_dir() and any(path.iterdir()):
        main = _main_sketch(_source_files(content))
        target = path / sketch_name(PurePosixPath(main).stem if main else "sketch")
    name = sketch_name(target.name)
    target = target.with_name(name)
    if target.exists() and any(target.iterdir()):
        raise ExportError(f"The folder {target} already exists and is not empty: choose another -o path.")
    files, notices = _with_project_file(content, name)
    written = []
    for relative, body in files.items():
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(body, encoding="utf-8")
        written.append(destination)
    return ExportResult(written, notices)


def zip_file(content: dict[str, Any], path: Path, design: Design) -> ExportResult:
    name = sketch_name(path.stem if path.suffix.lower() == ".zip" else path.name)
    files, notices = _with_project_file(content, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative, body in sorted(files.items()):
            archive.writestr(f"{name}/{relative}", body)
    return ExportResult([path], notices)
