"""``ohm ask``: one turn through the same orchestrator the window uses."""

from __future__ import annotations

import argparse
import asyncio
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
    event_to_json,
)
from ohm_desktop.core.orchestrator import TurnRequest
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
    from ohm_desktop.runtime import build_runtime

    if not args.message.strip():
        raise UsageError("The message is empty: say what you need, e.g. ohm ask \"a parts list for a robot\".")
    runtime = build_runtime(redactor=args.redactor)
    try:
        registry = runtime.orchestrator.registry
        if args.agent:
            registry.require(args.agent)
        store = runtime.store
        if args.chat is not None:  # "" is a (bad) chat id, not "no chat given"
            chat = store.find_chat(args.chat)
        else:
            recent = [] if args.new else store.list_chats(limit=1)
            chat = recent[0] if recent else store.create_chat(_title(args.message))
        if not args.json:
            print(f"chat {chat.id[:8]} · {chat.title}", file=sys.stderr)
        request = TurnRequest(chat_id=chat.id, text=args.message, agent_override=args.agent)
        return await _print_turn(runtime.orchestrator.run_turn(request), as_json=args.json)
    finally:
        await runtime.aclose()


async def _print_turn(events: Any, *, as_json: bool) -> int:
    code = 0
    async for event in events:
        if isinstance(event, ErrorEvent):
            code = exit_code_for_kind(event.kind)  # the one table in ohm_desktop/errors.py
        if as_json:
            sys.stdout.write(event_to_json(event) + "\n")
            sys.stdout.flush()
            continue
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
        elif isinstance(event, ErrorEvent):
            print(f"\n{event.message}", file=sys.stderr)
    return code


def _title(message: str) -> str:
    words = message.strip().split()
    title = " ".join(words[:8])
    return title if len(title) <= 60 else title[:57] + "…"

