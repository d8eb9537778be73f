"""Moved to :mod:`ohm_desktop.ids` (a leaf utility at the bottom of the layers, issue 13).

A re-export for code written on parallel branches before the move; nothing here imports it.
It goes once those branches have merged: import ``ohm_desktop.ids`` instead.
"""

from ohm_desktop.ids import *  # noqa: F403
