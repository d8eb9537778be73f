"""The Debian AVR toolchain (gcc-avr, avr-libc, binutils-avr, arduino-core-avr) for real compiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ohm_desktop.firmware.compiler import SketchCompiler
from ohm_desktop.firmware.toolchain import AvrGccToolchain, discover_toolchains

GOOD_SKETCH = """\
// Blink with a helper defined after loop(): only compiles with generated prototypes.
#include <Wire.h>
const int LED = 13;

void setup() {
  pinMode(LED, OUTPUT);
  Serial.begin(9600);
  Wire.begin();
}

void loop() {
  blinkOnce(200);
  Serial.println("tick");
}

void blinkOnce(int ms) {
  digitalWrite(LED, HIGH);
  delay(ms);
  digitalWrite(LED, LOW);
  delay(ms);
}
"""

BROKEN_SKETCH = """\
void setup() {
  pinMode(13, OUTPUT);
}

void loop() {
  digitalWrite(13, HIGH);
  delay(undefinedDelay);
}
"""


@pytest.fixture(scope="session")
def avr_toolchain() -> AvrGccToolchain:
    found = [t for t in discover_toolchains() if isinstance(t, AvrGccToolchain)]
    if not found:
        reason = "the Debian AVR toolchain is not installed (apt install gcc-avr avr-libc binutils-avr arduino-core-avr)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found[0]


@pytest.fixture(scope="session")
def shared_core_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One core cache for the session: each test would otherwise rebuild the Arduino core."""
    return tmp_path_factory.mktemp("firmware-cache")


@pytest.fixture
def compiler(avr_toolchain: AvrGccToolchain, shared_core_cache: Path) -> SketchCompiler:
    return SketchCompiler(shared_core_cache, toolchains=[avr_toolchain])
