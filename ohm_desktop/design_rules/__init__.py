"""Design rules: what boards and parts can do, how a wiring forms nets, and the checks over them.

Qt-free. The public API other features reuse (exports, simulation):

- boards: :func:`find_board` (FQBN or name) → :class:`Board`; ``board.pin("D9")`` → :class:`BoardPin`
  with its aliases and capabilities;
- parts: :func:`find_part` (MPN, then name) → :class:`Part`; ``part.pin("SDA")`` → :class:`PartPin`;
- nets: :func:`build_nets` (wiring connections → :class:`Net` s);
- checks: :func:`check_design` (BOM, code, wiring → findings).
"""

from ohm_desktop.design_rules.boards import BoardCatalog, default_catalog, find_board
from ohm_desktop.design_rules.model import Board, BoardPin, Capability, Part, PartPin, PinType, pin_key

__all__ = [
    "Board",
    "BoardCatalog",
    "BoardPin",
    "Capability",
    "Part",
    "PartPin",
    "PinType",
    "default_catalog",
    "find_board",
    "pin_key",
]
