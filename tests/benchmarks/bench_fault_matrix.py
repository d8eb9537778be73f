"""The gateway fault matrix's pass rate (goal 100 %): issue 13's faults with 1 key and with 3.

The same cells as tests/integration/core/test_fault_matrix.py, run through ``ohm ask``
in-process against the fault-injection gateway; a cell passes when the exit code, the last
sentence, the upstream call count and the stored status are the table's, with no traceback.
"""

from __future__ import annotations

import time
from typing import Any


def run() -> dict[str, Any]:
    from tests.support.fault_matrix import CASES, run_case

    failures: dict[str, list[str]] = {}
    started = time.monotonic()
    total = 0
    for case in CASES:
        for keys, expect in ((1, case.one_key), (3, case.several_keys)):
            total += 1
            try:
                problems = run_case(case, keys).problems(expect)
            except Exception as exc:  # a crashing cell is a failed cell, not a failed benchmark
                problems = [f"{type(exc).__name__}: {exc}"]
            if problems:
                failures[f"{case.name}-{keys}key"] = problems
    passed = total - len(failures)
    return {
        "cells": total,
        "passed": passed,
        "pass_rate": round(passed / total, 4),
        "failures": failures,
        "matrix_s": round(time.monotonic() - started, 2),
    }
