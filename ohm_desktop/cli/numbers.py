"""argparse types for the numbers people type: whole numbers in a range SQLite can hold.

``type=int`` accepts ``99999999999999999999``, which then overflowed deep in the store
("unexpected error (OverflowError)"); these reject it as bad input (exit 2) with a sentence.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

_SQLITE_MAX = 2**63 - 1


def whole_number(low: int = 0, high: int = _SQLITE_MAX) -> Callable[[str], int]:
    """A parser for a whole number between ``low`` and ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            shown = text if len(text) <= 30 else text[:27] + "..."
            raise argparse.ArgumentTypeError(f"must be a whole number between {low} and {high}, not {shown!r}")
        return value

    parse.__name__ = "whole number"  # argparse names the type in its messages
    return parse
