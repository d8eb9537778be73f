"""Ohm Desktop: a bench-side hardware design workstation."""

from __future__ import annotations

from functools import cache


@cache
def _version() -> str:
    # importlib.metadata scans every installed distribution (~30 ms): only pay it when asked.
    from importlib import metadata

    try:
        return metadata.version("ohm-desktop")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0.0.0+source"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _version()
    raise AttributeError(f"module 'ohm_desktop' has no attribute {name!r}")
