"""What the KiCad netlist export writes, line by line (the real-tool checks are in tests/integration/exports)."""

from __future__ import annotations

from ohm_desktop.artifacts.export.kicad_netlist import kicad_netlist

BOM = {"projectName": "Blink", "parts": [
    {"designator": "U1", "name": "Arduino Nano", "quantity": 1, "mpn": "A000005", "manufacturer": "Arduino"},
    {"designator": "R1", "name": "Resistor", "value": "220", "footprint": "0805", "quantity": 1},
    {"designator": "D1", "name": "LED", "value": "red", "footprint": "Module", "quantity": 1},
    {"designator": "U2", "name": "HC-SR04 ultrasonic sensor", "quantity": 1},
]}
WIRING = {"connections": [
    {"from": "U1.D9", "to": "R1.1"},
    {"from": "R1.2", "to": "D1.A", "net": "LED"},
    {"from": "D1.K", "to": "GND"}, {"from": "U1.GND", "to": "GND"},
    {"from": "U2.TRIG", "to": "U1.D3"}, {"from": "X9.OUT", "to": "U1.A0"},
]}


def test_pins_become_kicad_symbol_numbers_and_nets_keep_their_names() -> None:
    text, _ = kicad_netlist(WIRING, BOM)
    # Arduino_Nano_v3.x: D9 is pin 12, GND pin 4, D3 pin 6, A0 pin 19; LED K=1 A=2; HC-SR04 header TRIG=2.
    assert '(name "Net-(R1-Pad1)")\n      (node (ref "R1") (pin "1"))\n      (node (ref "U1") (pin "12")))' in text
    assert '(name "LED")\n      (node (ref "D1") (pin "2"))\n      (node (ref "R1") (pin "2")))' in text
    assert '(name "GND")\n      (node (ref "D1") (pin "1"))\n      (node (ref "U1") (pin "4")))' in text
    assert '(node (ref "U2") (pin "2"))' in text and '(node (ref "U1") (pin "6"))' in text


def test_components_carry_value_footprint_and_the_bom_fields() -> None:
    text, _ = kicad_netlist(WIRING, BOM)
    assert '(comp (ref "U1")\n      (value "Arduino Nano")\n      (footprint "Module:Arduino_Nano")' in text
    assert '(field (name "MPN") "A000005") (field (name "Manufacturer") "Arduino")' in text
    assert '(libsource (lib "MCU_Module") (part "Arduino_Nano_v3.x")' in text
    assert '(footprint "Resistor_SMD:R_0805_2012Metric")' in text


def test_what_is_not_kicad_is_reported_not_written_as_garbage() -> None:
    text, notices = kicad_netlist(WIRING, BOM)
    assert '"Module"' not in text
    assert any("'Module' (D1)" in notice and "not a KiCad library name" in notice for notice in notices)
    assert any("X9 are wired but not in the BOM" in notice for notice in notices)
    assert any("X9.OUT" in notice and "keep Ohm's names" in notice for notice in notices)
    assert '(node (ref "X9") (pin "OUT"))' in text
