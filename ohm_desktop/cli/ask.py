"""``ohm ask``: one turn through the same orchestrator the window uses."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

from ohm_desktop.cli.prompt_input import add_message_arguments, read_message
from ohm_desktop.core.events import (
    AgentSelected,
    ErrorEvent,
    KeyRotation,
    Metadata,
    TextDelta,
    ToolCallStarted,
    ToolResult,
    TurnEvent,
    event_to_json,
)
from ohm_desktop.errors import UsageError, exit_code_for_kind


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("ask", help="ask the specialists one question (one turn)")
    add_message_arguments(parser)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--chat", metavar="ID", help="continue this chat (id or unique prefix)")
    group.add_argument("--new", action="store_true", help="start a new chat (default: continue the latest chat)")
    parser.add_argument("--agent", metavar="INTENT", help="skip routing and ask this agent (BOM, CODE, WIRING, ...)")
    parser.add_argument("--json", action="store_true", help="print one JSON event per line")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    args.message = read_message(args)
    return asyncio.run(_ask(args))


async def _ask(args: argparse.Namespace) -> int:
    from ohm_desktop.core.session import ChatSession
    from ohm_desktop.runtime import build_runtime

    if not args.message.strip():
        raise UsageError("The message is empty: say what you need, e.g. ohm ask \"a parts list for a robot\".")
    runtime = build_runtime(redactor=args.redactor)
    # The window's session: the same chat choice, title rule and turn handling.
    session = ChatSession(runtime.store, lambda: runtime.orchestrator)
    try:
        if args.agent:
            runtime.orchestrator.registry.require(args.agent)
        if args.chat is not None:  # "" is a (bad) chat id, not "no chat given"
            session.open_chat(runtime.store.find_chat(args.chat).id)
        elif args.new or not session.open_latest():
            session.new_chat()
        assert session.chat_id is not None
        printer = _TurnPrinter(as_json=args.json)
        session.turn_events.subscribe(printer.print)
        task = session.send(args.message, agent=args.agent)
        if not args.json:
            chat = runtime.store.get_chat(session.chat_id)
            print(f"chat {chat.id} · {chat.title}", file=sys.stderr)
        if task is not None:
            await task
        return printer.code
    finally:
        session.close()
        await runtime.aclose()


class _TurnPrinter:
    """Prints each turn event; a reader that went away (``| head``) does not stop the turn."""

    def __init__(self, *, as_json: bool) -> None:
        self.as_json = as_json
        self.code = 0

    def print(self, event: TurnEvent) -> None:
        if isinstance(event, ErrorEvent):
            self.code = exit_code_for_kind(event.kind)  # the one table in ohm_desktop/errors.py
        try:
            self._write(event)
        except BrokenPipeError:
            # Python's documented recipe: point stdout at devnull so nothing raises again (not
            # even the flush at exit); the answer still completes and is stored.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)

    def _write(self, event: TurnEvent) -> None:
        if self.as_json:
            sys.stdout.write(event_to_json(event) + "\n")
            sys.stdout.flush()
            return
        if isinstance(event, TextDelta):
            sys.stdout.write(event.delta)
            sys.stdout.flush()
        elif isinstance(event, AgentSelected):
            print(f"→ {event.name} ({event.intent}, {event.model})", file=sys.stderr)
        elif isinstance(event, KeyRotation):
            print(event.notice(), file=sys.stderr)
        elif isinstance(event, ToolCallStarted):
            print(f"\n… {event.name} {event.artifact_type or ''}".rstrip(), file=sys.stderr)
        elif isinstance(event, ToolResult):
            note = f"saved version {event.version}" if event.ok else f"rejected: {event.error}"
            print(f"  {note}", file=sys.stderr)
        elif isinstance(event, Metadata):
            sys.stdout.write("\n")
            sys.stdout.flush()
        elif isinstance(event, ErrorEvent):
            print(f"\n{event.message}", file=sys.stderr)
