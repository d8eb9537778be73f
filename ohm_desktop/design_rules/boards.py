"""Every board the checks know, looked up by FQBN or by the name a BOM line gives it."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

from ohm_desktop.design_rules.avr_core import avr_platform_dirs, read_avr_boards
from ohm_desktop.design_rules.board_data import shipped_boards
from ohm_desktop.design_rules.model import Board


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


class BoardCatalog:
    """Boards from the installed AVR core plus the shipped non-AVR data."""

    def __init__(self, boards: Iterable[Board]) -> None:
        self.boards: tuple[Board, ...] = tuple(boards)
        self._by_fqbn = {fqbn: board for board in self.boards for fqbn in board.fqbns}
        self._by_id = {board.id: board for board in self.boards}
        # Longest alias first, so "Arduino Nano Every" wins over "Arduino Nano".
        self._names = sorted(((_words(alias), board) for board in self.boards for alias in (board.name, *board.aliases)),
                             key=lambda item: -len(item[0]))

    def by_id(self, board_id: str) -> Board | None:
        return self._by_id.get(board_id)

    def by_fqbn(self, fqbn: str) -> Board | None:
        """``arduino:avr:nano:cpu=atmega328old`` → the Nano (menu options do not change the pins)."""
        base = ":".join(fqbn.strip().split(":")[:3])
        return self._by_fqbn.get(base)

    def by_name(self, text: str) -> Board | None:
        """The board a free-text name means ("Arduino Uno R3 clone" → Uno), None when it names none."""
        words = _words(text)
        return next((board for alias, board in self._names if alias in words), None)

    def find(self, text: str) -> Board | None:
        """By FQBN when ``text`` looks like one, else by name."""
        return self.by_fqbn(text) if text.count(":") >= 2 else self.by_name(text)


def load_catalog(platform_dirs: Iterable[Path] | None = None) -> BoardCatalog:
    """Read the installed AVR cores (first one wins per board id) and add the shipped boards."""
    seen: dict[str, Board] = {}
    for platform in avr_platform_dirs() if platform_dirs is None else platform_dirs:
        for board in read_avr_boards(platform):
            seen.setdefault(board.id, board)
    for board in shipped_boards():
        seen.setdefault(board.id, board)
    return BoardCatalog(seen.values())


@functools.cache
def default_catalog() -> BoardCatalog:
    """The catalog of this machine, read once per process (the core does not change while we run)."""
    return load_catalog()


def find_board(text: str) -> Board | None:
    """A board by FQBN (``arduino:avr:uno``) or by name (``Arduino Uno R3``)."""
    return default_catalog().find(text)
