"""Boards of an installed Arduino platform (boards.txt), addressed by FQBN."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from ohm_desktop.errors import UsageError

DEFAULT_BOARD = "arduino:avr:uno"
# Debian's arduino-core-avr installs the AVR platform here.
DEBIAN_AVR_PLATFORM = Path("/usr/share/arduino/hardware/arduino/avr")


@dataclass(frozen=True, slots=True)
class Fqbn:
    """``vendor:arch:board[:option=value,...]``, e.g. ``arduino:avr:nano:cpu=atmega328old``."""

    vendor: str
    arch: str
    board: str
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> Fqbn:
        parts = text.strip().split(":")
        if len(parts) not in (3, 4) or not all(parts[:3]):
            raise UsageError(f"{text!r} is not a board FQBN: use vendor:arch:board, e.g. {DEFAULT_BOARD}.")
        options: list[tuple[str, str]] = []
        if len(parts) == 4 and parts[3]:
            for pair in parts[3].split(","):
                key, _, value = pair.partition("=")
                if not key or not value:
                    raise UsageError(f"Board option {pair!r} in {text!r} must look like name=value.")
                options.append((key, value))
        return cls(parts[0], parts[1], parts[2], tuple(options))

    def __str__(self) -> str:
        base = f"{self.vendor}:{self.arch}:{self.board}"
        return base + (":" + ",".join(f"{k}={v}" for k, v in self.options) if self.options else "")


@dataclass(frozen=True, slots=True)
class BoardSpec:
    """What the AVR build needs to know about one board."""

    fqbn: str
    name: str
    mcu: str
    f_cpu: str
    board_define: str
    core: str
    variant: str
    flash_max: int | None
    ram_max: int | None
    upload_protocol: str | None
    upload_speed: int | None
    extra_flags: tuple[str, ...] = ()


def read_board(platform_dir: Path, fqbn: Fqbn) -> BoardSpec | None:
    """The board from ``platform_dir/boards.txt`` with menu options applied; None when unknown."""
    boards_txt = platform_dir / "boards.txt"
    if not boards_txt.is_file():
        return None
    properties = _read_properties(boards_txt)
    prefix = f"{fqbn.board}."
    board = {k[len(prefix):]: v for k, v in properties.items() if k.startswith(prefix)}
    if "name" not in board:
        return None
    chosen = dict(fqbn.options)
    for menu in {k.split(".")[1] for k in board if k.startswith("menu.")}:
        values = [k.split(".")[2] for k in board if k.startswith(f"menu.{menu}.") and k.count(".") == 2]
        selected = chosen.get(menu, values[0] if values else None)
        if selected is None:
            continue
        option_prefix = f"menu.{menu}.{selected}."
        for key, setting in list(board.items()):
            if key.startswith(option_prefix):
                board[key[len(option_prefix):]] = setting
    if "build.mcu" not in board:
        return None
    # USB boards (Leonardo, Micro) need build.extra_flags = {build.usb_flags} from platform.txt.
    context = {**_read_properties(platform_dir / "platform.txt"), **board}
    extra_flags = tuple(shlex.split(_expand(board.get("build.extra_flags", ""), context)))
    return BoardSpec(
        fqbn=str(fqbn),
        name=board["name"],
        mcu=board["build.mcu"],
        f_cpu=board.get("build.f_cpu", "16000000L"),
        board_define=board.get("build.board", fqbn.board.upper()),
        core=board.get("build.core", "arduino"),
        variant=board.get("build.variant", "standard"),
        flash_max=_int(board.get("upload.maximum_size")),
        ram_max=_int(board.get("upload.maximum_data_size")),
        upload_protocol=board.get("upload.protocol"),
        upload_speed=_int(board.get("upload.speed")),
        extra_flags=extra_flags,
    )


def _read_properties(path: Path) -> dict[str, str]:
    """An Arduino ``key=value`` properties file (boards.txt, platform.txt)."""
    properties: dict[str, str] = {}
    if not path.is_file():
        return properties
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        properties[key.strip()] = value.strip()
    return properties


def _expand(value: str, context: dict[str, str], depth: int = 0) -> str:
    """Replace ``{name}`` references with their values (recursively, bounded against cycles)."""
    if depth > 8 or "{" not in value:
        return value
    expanded = re.sub(r"\{([\w.]+)\}", lambda m: context.get(m[1], ""), value)
    return _expand(expanded, context, depth + 1) if expanded != value else expanded


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
