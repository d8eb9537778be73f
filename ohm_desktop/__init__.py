"""Ohm Desktop: a bench-side hardware design workstation."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("ohm-desktop")
except _metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
