"""A chat's current design as the simulation needs it: the sketch, its board, BOM and wiring."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ohm_desktop.errors import UsageError
from ohm_desktop.firmware.sketch import Sketch
from ohm_desktop.simulation.peripherals import DesignPeripherals, from_design
from ohm_desktop.store import LocalStore


@dataclass(frozen=True, slots=True)
class ChatDesign:
    chat_id: str
    code_version: int
    sketch: Sketch
    board: str | None
    peripherals: DesignPeripherals


def chat_design(store: LocalStore, chat_id: str, *, code: dict[str, Any] | None = None,
                code_version: int | None = None) -> ChatDesign:
    """The chat's current code (or ``code``, a version's content) with peripherals from its BOM and wiring."""
    if code is None:
        version = store.get_version(chat_id, "code")
        if version is None:
            raise UsageError("This chat has no code yet: ask the CODE agent for a sketch, then simulate it.")
        code, code_version = version.content, version.version_number
    bom = store.get_version(chat_id, "bom")
    wiring = store.get_version(chat_id, "wiring")
    board = code.get("board")
    return ChatDesign(
        chat_id=chat_id,
        code_version=code_version or 0,
        sketch=Sketch.from_code_content(code),
        board=str(board) if board else None,
        peripherals=from_design(bom.content if bom else None, wiring.content if wiring else None),
    )
