"""Whatever a model writes, the check answers with findings, never an exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ohm_desktop.design_rules.check import check_design

PARTS = ["Arduino Uno R3", "ESP32 DevKit", "Raspberry Pi Pico", "Red LED", "Resistor", "GY-521", "BME280 chip",
         "L298N", "DC motor", "9V battery", "relay", "Push button", "mystery thing", ""]
PINS = ["D9", "A4", "5V", "GND", "3V3", "VIN", "SDA", "SCL", "1", "2", "+", "-", "VCC", "OUT1", "IN1", "GP26",
        "GPIO34", "D99", "", "D9 (PWM)", "A4/SDA"]
ENDPOINT = st.one_of(st.tuples(st.sampled_from(["U1", "U2", "R1", "D1", "M1", "BT1", "K1", "S1", ""]),
                               st.sampled_from(PINS)).map(lambda t: f"{t[0]}.{t[1]}"),
                     st.sampled_from(["GND", "5V", "VCC", "3V3", "net", ""]))
SKETCH = st.sampled_from([
    "void setup(){ pinMode(9, OUTPUT); analogWrite(9, 3); }",
    "#define P A0\nvoid loop(){ analogRead(P); digitalRead(2); attachInterrupt(digitalPinToInterrupt(3), f, RISING); }",
    "void setup(){ pinMode(LED_BUILTIN, OUTPUT); Wire.begin(); SPI.begin(); Serial1.begin(9600); }",
    "int x = ; garbage ((((", "",
])


@settings(max_examples=150, deadline=None)
@given(
    parts=st.lists(st.tuples(st.sampled_from(["U1", "U2", "R1", "D1", "M1", "BT1", "K1", "S1", "R1-R3", ""]),
                             st.sampled_from(PARTS), st.one_of(st.none(), st.sampled_from(["220", "4k7", "x", "1M"]))),
                   max_size=8),
    wires=st.lists(st.tuples(ENDPOINT, ENDPOINT, st.one_of(st.none(), st.sampled_from(["GND", "5V", "SDA"]))),
                   max_size=12),
    sketch=SKETCH,
    board=st.sampled_from(["arduino:avr:uno", "esp32:esp32:esp32", "rp2040:rp2040:rpipico", "nope", ""]),
)
def test_any_design_gives_findings_not_exceptions(parts: list[tuple[str, str, str | None]],
                                                  wires: list[tuple[str, str, str | None]], sketch: str,
                                                  board: str) -> None:
    bom = {"projectName": "x", "parts": [{"designator": d, "name": n, "quantity": 1, "value": v} for d, n, v in parts]}
    wiring = {"connections": [{"from": a, "to": b, "net": n} for a, b, n in wires]}
    code = {"board": board, "files": [{"path": "s.ino", "content": sketch}]}
    for finding in check_design(bom, code, wiring):
        assert finding.severity in {"error", "warning", "info"} and finding.message


def test_odd_but_schema_valid_artifacts_are_tolerated() -> None:
    from ohm_desktop.artifacts import validate_content

    bom = {"projectName": "x", "parts": [{"designator": "", "name": "?", "quantity": 1},
                                        {"designator": "U1, U1", "name": "Arduino Uno", "quantity": 2, "mpn": ""}]}
    wiring = {"connections": [{"from": "U1.", "to": ".D9"}, {"from": "..", "to": "U1.D9.x"},
                              {"from": "U1.D9", "to": "U1.D9"}, {"from": " ", "to": "GND", "net": ""}]}
    code = {"board": ":::", "files": [{"path": "a.ino", "content": "pinMode(, OUTPUT); analogWrite(A99, 1);"}]}
    for kind, content in (("bom", bom), ("wiring", wiring), ("code", code)):
        assert validate_content(kind, content).ok
    check_design(bom, code, wiring)
    check_design(None, None, None)
