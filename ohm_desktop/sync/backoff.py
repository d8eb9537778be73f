"""Exponential backoff with full jitter, for reconnects and failed pushes."""

from __future__ import annotations

import random


class Backoff:
    """``next()`` gives the next wait: ``initial * 2**n`` capped at ``maximum``, jittered."""

    def __init__(self, initial_s: float = 0.5, maximum_s: float = 30.0, *, jitter: float = 0.5) -> None:
        self.initial_s = initial_s
        self.maximum_s = maximum_s
        self.jitter = jitter
        self.failures = 0

    def next(self) -> float:
        base: float = min(self.maximum_s, self.initial_s * 2.0**self.failures)
        self.failures += 1
        return base * (1 - self.jitter * random.random())

    def reset(self) -> None:
        self.failures = 0
