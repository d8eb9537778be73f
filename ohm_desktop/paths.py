"""Where things live: the data and config folders, and the bundled resources.

Paths come from platformdirs unless ``OHM_DATA_DIR`` / ``OHM_CONFIG_DIR`` override them.
Bundled resources (agents.toml, prompts, icons) are found through :func:`resources_dir`
only, never through the working directory, so the wheel and the frozen app behave alike.
A leaf utility: it imports nothing from Ohm, so every layer may use it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "ohm-desktop"


def resources_dir() -> Path:
    """The bundled resources folder (inside the package, so wheels and PyInstaller carry it)."""
    return Path(__file__).resolve().parent / "resources"


def data_dir() -> Path:
    override = os.environ.get("OHM_DATA_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    override = os.environ.get("OHM_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True, slots=True)
class Paths:
    data: Path
    config: Path

    @property
    def database(self) -> Path:
        return self.data / "ohm.sqlite3"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def user_agents_file(self) -> Path:
        return self.config / "agents.toml"

    @classmethod
    def from_environment(cls) -> Paths:
        return cls(data=data_dir(), config=config_dir())
