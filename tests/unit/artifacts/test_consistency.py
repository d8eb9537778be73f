from ohm_desktop.artifacts.consistency import check_consistency, code_pins, normalise_pin

BOM = {"projectName": "p", "parts": [
    {"designator": "U1", "name": "Arduino Uno", "quantity": 1},
    {"designator": "R1", "name": "Resistor", "quantity": 1},
    {"designator": "D1", "name": "LED", "quantity": 1},
    {"designator": "SW1", "name": "Button", "quantity": 1},
]}
WIRING = {"connections": [
    {"from": "U1.D9", "to": "R1.1"}, {"from": "R1.2", "to": "D1.A"}, {"from": "D1.K", "to": "GND"},
    {"from": "U1.A0", "to": "Q9.1"},
]}
CODE = {"files": [{"path": "sketch.ino", "content": (
    "#define LED_PIN 9\nconst int BUTTON = 2;\nvoid setup(){ pinMode(LED_PIN, OUTPUT); pinMode(BUTTON, INPUT); }\n"
    "void loop(){ analogRead(A0); digitalWrite(LED_PIN, HIGH); }\n")}]}


def test_pins_resolve_through_defines_and_consts() -> None:
    assert code_pins(CODE) == {"9": "sketch.ino:3", "2": "sketch.ino:3", "A0": "sketch.ino:4"}
    assert normalise_pin("D09") == "9" and normalise_pin("gpio5") == "5" and normalise_pin("a1") == "A1"


def test_findings_cover_unknown_parts_unwired_pins_and_unused_parts() -> None:
    findings = {(f.severity, f.artifact, f.message) for f in check_consistency(BOM, CODE, WIRING)}
    assert ("error", "wiring", "Q9 is wired (Q9.1) but is not in the BOM") in findings
    assert ("warning", "code", "pin 2 is used by the firmware but nothing is wired to it") in findings
    assert ("info", "bom", "SW1 is in the BOM but never wired") in findings
    assert not any("pin 9" in message for _, _, message in findings)


def test_no_findings_without_artifacts() -> None:
    assert check_consistency(None, None, None) == []


def test_pins_defined_in_a_header_or_as_plain_globals_resolve() -> None:
    from ohm_desktop.artifacts.consistency import code_pins

    code = {"files": [
        {"path": "robot.ino", "content": (
            '#include "pins.h"\nint ledPin = 13;\nvoid setup() {\n  pinMode(MOTOR_PWM, OUTPUT);\n'
            "  pinMode(ledPin, OUTPUT);\n  pinMode(LED_BUILTIN, OUTPUT);\n  analogRead(SENSOR);\n}\n")},
        {"path": "pins.h", "content": "#define MOTOR_PWM 5\nconst uint8_t SENSOR = A2;\n"},
    ]}
    assert code_pins(code) == {"5": "robot.ino:4", "13": "robot.ino:5", "A2": "robot.ino:7"}


def test_designator_lists_and_ranges_in_one_bom_line_count_as_parts() -> None:
    from ohm_desktop.artifacts.consistency import expand_designators

    assert expand_designators("R1-R3") == ["R1", "R2", "R3"]
    assert expand_designators("R5-6, C1") == ["R5", "R6", "C1"]
    assert expand_designators("U1") == ["U1"]
    bom = {"projectName": "p", "parts": [
        {"designator": "U1", "name": "Arduino Nano", "quantity": 1},
        {"designator": "R1-R2", "name": "Resistor", "quantity": 2},
    ]}
    wiring = {"connections": [{"from": "U1.D3", "to": "R1.1"}, {"from": "U1.D4", "to": "R2.1"}]}
    code = {"files": [{"path": "a.ino", "content": "void setup(){ pinMode(3, OUTPUT); pinMode(4, OUTPUT); }"}]}
    assert check_consistency(bom, code, wiring) == []
