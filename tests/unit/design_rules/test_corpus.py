"""The realistic corpus: seeded mistakes are caught, clean designs raise no errors or warnings."""

from __future__ import annotations

import pytest

from ohm_desktop.design_rules.check import check_design
from tests.design_corpus import CLEAN, SEEDED, CorpusDesign


def test_corpus_is_big_enough_and_spans_the_boards() -> None:
    assert len(SEEDED) >= 30 and len(CLEAN) >= 5
    boards = {d.code["board"].split(":")[2] for d in (*CLEAN, *SEEDED) if d.code}
    assert {"uno", "nano", "esp32", "rpipico"} <= boards


@pytest.mark.parametrize("design", CLEAN, ids=lambda d: d.name)
def test_clean_design_has_no_errors_or_warnings(design: CorpusDesign) -> None:
    found = [(f.severity, f.code, f.message) for f in check_design(design.bom, design.code, design.wiring)
             if f.severity != "info"]
    assert found == []


@pytest.mark.parametrize("design", SEEDED, ids=lambda d: d.name)
def test_seeded_mistake_is_caught(design: CorpusDesign) -> None:
    codes = {f.code for f in check_design(design.bom, design.code, design.wiring) if f.severity != "info"}
    assert design.seeded in codes
