"""Design rules: what boards and parts can do, how a wiring forms nets, and the checks over them.

Qt-free. The public API other features reuse (exports, simulation):

- boards: :func:`find_board` (FQBN or name) → :class:`Board`; ``board.pin("D9")`` → :class:`BoardPin`
  with its aliases and capabilities (``pin.has("pwm")``);
- parts: :func:`find_part` (MPN, then name) → :class:`Part`; ``part.pin("SDA")`` → :class:`PartPin`;
- nets: :func:`build_nets` (wiring connections → :class:`Net` s), :func:`resolve_design` (BOM + code +
  wiring → a :class:`Design` with components, nets and typed terminals);
- checks: :func:`check_design` (BOM, code, wiring → findings, most serious first).
"""

from ohm_desktop.design_rules.boards import BoardCatalog, default_catalog, find_board
from ohm_desktop.design_rules.check import check_design, has_errors
from ohm_desktop.design_rules.design import Component, Design, Terminal, resolve_design
from ohm_desktop.design_rules.model import Board, BoardPin, Capability, Part, PartPin, PinType, pin_key
from ohm_desktop.design_rules.nets import Net, build_nets, split_endpoint
from ohm_desktop.design_rules.parts import PartsLibrary, default_library, find_part

__all__ = [
    "Board",
    "BoardCatalog",
    "BoardPin",
    "Capability",
    "Component",
    "Design",
    "Net",
    "Part",
    "PartPin",
    "PartsLibrary",
    "PinType",
    "Terminal",
    "build_nets",
    "check_design",
    "default_catalog",
    "default_library",
    "find_board",
    "find_part",
    "has_errors",
    "pin_key",
    "resolve_design",
    "split_endpoint",
]
