"""Parts library: every entry loads, BOM lines match by MPN then name, unknowns are inferred."""

from __future__ import annotations

import pytest

from ohm_desktop.design_rules.boards import default_catalog
from ohm_desktop.design_rules.kicad_symbols import available, kicad_part
from ohm_desktop.design_rules.parts import default_library, find_part, parse_pin


def test_library_has_at_least_sixty_sourced_parts_with_unique_ids() -> None:
    parts = default_library().parts
    assert len(parts) >= 60
    assert len({p.id for p in parts}) == len(parts)
    assert all(p.source for p in parts)
    for part in parts:
        if part.board is not None:
            assert part.board in {b.id for b in default_catalog().boards} | {"uno", "nano", "mega", "leonardo", "pro"}
        if part.breakout is not None:
            assert default_library().by_id(part.breakout) is not None


def test_pin_syntax_carries_type_supply_voltage_and_bus_role() -> None:
    pin = parse_pin("VCC|VIN:power_in:3.0-5.5")
    assert (pin.name, pin.aliases, pin.type, pin.supply) == ("VCC", ("VIN",), "power_in", (3.0, 5.5))
    assert parse_pin("OUT:power_out=5.0").voltage == 5.0
    assert parse_pin("SDA:open_drain@sda").bus == "sda"
    with pytest.raises(ValueError, match="type must be one of"):
        parse_pin("X:wobbly")


def test_mpn_wins_over_name_and_module_words_pick_the_breakout() -> None:
    assert find_part("some IMU", "MPU-6050").id == "mpu6050"  # type: ignore[union-attr]
    assert find_part("GY-521 module", "MPU-6050").id == "gy-521"  # type: ignore[union-attr]
    assert find_part("MPU6050").id == "gy-521"  # type: ignore[union-attr]
    assert find_part("L7805 regulator", "L7805CV-DG").id == "lm7805"  # type: ignore[union-attr]
    assert find_part("SSD1306 0.96 inch OLED display").id == "ssd1306-oled-i2c"  # type: ignore[union-attr]
    assert find_part("5V relay module").id == "relay-module-1ch"  # type: ignore[union-attr]
    assert find_part("widget 3000") is None


def test_unknown_lines_are_inferred_from_the_designator_class() -> None:
    library = default_library()
    assert library.infer("R7", "Metal film").id == "resistor"  # type: ignore[union-attr]
    assert library.infer("D2", "LED red").kind == "led"  # type: ignore[union-attr]
    assert library.infer("D3", "Schottky").kind == "diode"  # type: ignore[union-attr]
    assert library.infer("K1", "relay module") is None
    assert library.infer("U9", "mystery chip") is None
    assert library.infer("R7", "x").origin == "designator"  # type: ignore[union-attr]


@pytest.mark.skipif(not available(), reason="Debian's kicad-symbols is not installed")
def test_kicad_symbols_give_pins_of_ics_missing_from_the_library() -> None:
    part = kicad_part("U4", "MCP23017 I/O expander", None)
    assert part is not None and part.origin == "kicad"
    sda = part.pin("SDA")
    assert sda is not None and sda.type == "bidirectional"
    gnd = part.pin("VSS")
    assert gnd is not None and gnd.type == "ground"
    assert kicad_part("U5", "totally unknown widget", None) is None
