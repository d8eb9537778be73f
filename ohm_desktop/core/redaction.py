"""Moved to :mod:`ohm_desktop.redaction` (a leaf utility at the bottom of the layers, issue 13).

A re-export for code written on parallel branches before the move; nothing here imports it.
It goes once those branches have merged: import ``ohm_desktop.redaction`` instead.
"""

from ohm_desktop.redaction import *  # noqa: F403
