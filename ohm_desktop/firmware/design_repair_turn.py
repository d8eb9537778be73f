"""The ``ask_agent`` a DesignCheckLoop needs, built on the orchestrator: one specialist turn per round.

Kept apart from the loop (which only knows the ``AskAgent`` callable; tests pass a scripted one),
like :mod:`ohm_desktop.firmware.debug_turn` is for the compile loop.
"""

from __future__ import annotations

from collections.abc import Callable

from ohm_desktop.core.events import TurnEvent
from ohm_desktop.core.orchestrator import Orchestrator, TurnRequest
from ohm_desktop.design_rules.check_loop import AskAgent

REPAIR_REQUEST = (
    "The design check found errors in the last version (findings attached, location first). "
    "Fix them and write the corrected version; keep everything else as it was."
)


def orchestrator_ask_agent(orchestrator: Orchestrator, *,
                           on_event: Callable[[str, TurnEvent], None] | None = None) -> AskAgent:
    """An ``AskAgent`` that runs a turn of the given specialist in the chat; ``on_event(chat_id, event)``
    sees its events (the window streams them into the chat like any other turn)."""

    async def ask_agent(chat_id: str, intent: str, context: str) -> None:
        request = TurnRequest(chat_id=chat_id, text=REPAIR_REQUEST, agent_override=intent, context=context)
        async for event in orchestrator.run_turn(request):
            if on_event is not None:
                on_event(chat_id, event)

    return ask_agent
