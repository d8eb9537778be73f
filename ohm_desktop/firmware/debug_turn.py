"""The ``ask_debug`` a CompileLoop needs, built on the orchestrator: one DEBUG turn per round.

Kept apart from compile_loop.py so the loop itself only knows the ``AskDebug`` callable
(tests pass a scripted one); this adapter is what the app and the CLI wire in.
"""

from __future__ import annotations

from collections.abc import Callable

from ohm_desktop.core.events import TurnEvent
from ohm_desktop.core.orchestrator import Orchestrator, TurnRequest
from ohm_desktop.firmware.compile_loop import AskDebug

REPAIR_REQUEST = (
    "The last code version does not compile (compiler output attached, file:line first), or it compiles "
    "but misbehaves on the simulated board (simulation report attached: problems, serial output, pins). "
    "Fix it and write the corrected sketch as a new code version; keep everything else as it was."
)


def orchestrator_ask_debug(orchestrator: Orchestrator, *,
                           on_event: Callable[[str, TurnEvent], None] | None = None) -> AskDebug:
    """An ``AskDebug`` that runs a DEBUG turn in the chat; ``on_event(chat_id, event)`` sees its events
    (the window streams them into the chat like any other turn)."""

    async def ask_debug(chat_id: str, context: str) -> None:
        request = TurnRequest(chat_id=chat_id, text=REPAIR_REQUEST, agent_override="DEBUG", context=context)
        async for event in orchestrator.run_turn(request):
            if on_event is not None:
                on_event(chat_id, event)

    return ask_debug
