from __future__ import annotations

from tests.support.pty_pair import pty_board

__all__ = ["pty_board"]
