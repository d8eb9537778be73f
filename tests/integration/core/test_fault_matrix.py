"""Issue 13's gateway fault matrix: each fault with one key and with three (two faulty).

Each cell runs ``ohm ask`` against the fault-injection gateway and checks the exit code, the
sentence the user reads last, how many requests reached the gateway and the stored status of
the answer: a cut-off answer is never stored ``complete``, a fault before any text moves on
to the next key, and no cell prints a traceback or a key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.fault_matrix import CASES, Case, run_case

CELLS = [pytest.param(case, keys, id=f"{case.name}-{keys}key") for case in CASES for keys in (1, 3)]


@pytest.mark.parametrize(("case", "keys"), CELLS)
def test_every_gateway_fault_ends_as_the_table_says(case: Case, keys: int, tmp_path: Path) -> None:
    expect = case.one_key if keys == 1 else case.several_keys
    outcome = run_case(case, keys, tmp_path)
    assert outcome.problems(expect) == [], outcome.stderr
    if expect.status == "interrupted" and not case.tool_call:
        assert outcome.content, "what reached the user is kept"
