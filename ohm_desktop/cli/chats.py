"""``ohm chats``: list, search, read, rename, trash and restore chats in the local store.

Every command opens the store at ``Paths.database`` (``OHM_DATA_DIR``), marks replies left
half-written by a crash as interrupted, and accepts a chat id or a unique prefix of it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ohm_desktop.cli.numbers import whole_number
from ohm_desktop.config import Paths
from ohm_desktop.store import LocalStore


def open_store() -> LocalStore:
    """The user's store, as every CLI command opens it (tells the user if a damaged file was moved)."""
    paths = Paths.from_environment()
    store = LocalStore.open(paths.database)
    if store.recovered_from is not None:
        print(
            f"The local database at {paths.database} was damaged: it was moved to {store.recovered_from} "
            "and a fresh one was started. Keep the old file, it may hold recoverable chats.",
            file=sys.stderr,
        )
    store.recover_interrupted()
    return store


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("chats", help="list, search and manage chats")
    commands = parser.add_subparsers(dest="chats_command", metavar="COMMAND", required=True)

    listing = commands.add_parser("list", help="chats, most recently active first")
    listing.add_argument("--trash", action="store_true", help="list the trash instead")
    listing.add_argument("--limit", type=whole_number(1), default=50)
    listing.add_argument("--offset", type=whole_number(0), default=0)
    listing.add_argument("--json", action="store_true", help="one JSON array")
    listing.set_defaults(func=run_list)

    search = commands.add_parser("search", help="full-text search over messages and artifacts")
    search.add_argument("query", help='words to find, e.g. "esp32 relay"')
    search.add_argument("--limit", type=whole_number(1), default=20)
    search.add_argument("--chat", metavar="ID", help="only this chat")
    search.add_argument("--trash", action="store_true", help="include chats in the trash")
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=run_search)

    show = commands.add_parser("show", help="the messages of a chat")
    show.add_argument("chat", metavar="CHAT", help="chat id or unique prefix")
    show.add_argument("--limit", type=whole_number(1), default=None, help="only the latest N messages")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=run_show)

    rename = commands.add_parser("rename", help="give a chat a new title")
    rename.add_argument("chat", metavar="CHAT")
    rename.add_argument("title")
    rename.set_defaults(func=run_rename)

    trash = commands.add_parser("trash", help="move a chat to the trash (restorable)")
    trash.add_argument("chat", metavar="CHAT")
    trash.set_defaults(func=run_trash)

    restore = commands.add_parser("restore", help="bring a chat back from the trash")
    restore.add_argument("chat", metavar="CHAT")
    restore.set_defaults(func=run_restore)


def run_list(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        if args.trash:
            chats = store.list_trash(limit=args.limit, offset=args.offset)
        else:
            chats = store.list_chats(limit=args.limit, offset=args.offset)
        rows: list[dict[str, Any]] = [
            {
                "id": chat.id,
                "title": chat.title,
                "created_at": chat.created_at,
                "updated_at": chat.updated_at,
                "deleted_at": chat.deleted_at,
                "messages": store.count_messages(chat.id),
            }
            for chat in chats
        ]
    finally:
        store.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("The trash is empty." if args.trash else "No chats yet: start one with `ohm ask \"...\"`.")
        return 0
    for row in rows:
        when = (row["deleted_at"] if args.trash else row["updated_at"])[:16].replace("T", " ")
        print(f"{row['id']}  {when}  {row['messages']:>5} msgs  {row['title']}")
    return 0


def run_search(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        chat_id = store.find_chat(args.chat).id if args.chat is not None else None
        hits = store.search(args.query, args.limit, chat_id=chat_id, include_trashed=args.trash)
    finally:
        store.close()
    if args.json:
        print(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print(f"Nothing matches {args.query!r}.")
        return 0
    for hit in hits:
        where = f"#{hit.seq} {hit.role}" if hit.kind == "message" else f"{hit.artifact_type} v{hit.version_number}"
        snippet = " ".join(hit.snippet.split())
        print(f"{hit.chat_id}  {hit.chat_title[:30]:<30}  {where:<16} {snippet}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        chat = store.find_chat(args.chat)
        messages = store.list_messages(chat.id, limit=args.limit)
    finally:
        store.close()
    if args.json:
        body = {
            "chat": {"id": chat.id, "title": chat.title, "deleted_at": chat.deleted_at},
            "messages": [
                {
                    "id": m.id,
                    "seq": m.seq,
                    "role": m.role,
                    "status": m.status,
                    "agent_name": m.agent_name,
                    "content": m.content,
                    "created_at": m.created_at,
                }
                for m in messages
            ],
        }
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    trashed = " (in the trash)" if chat.deleted_at else ""
    print(f"{chat.title}{trashed} · {chat.id}")
    for message in messages:
        who = message.agent_name or message.role
        status = "" if message.status == "complete" else f" [{message.status}]"
        print(f"\n#{message.seq} {who}{status}:\n{message.content}")
    return 0


def run_rename(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        chat = store.rename_chat(store.find_chat(args.chat).id, args.title.strip() or "New chat")
    finally:
        store.close()
    print(f"Renamed {chat.id} to {chat.title!r}.")
    return 0


def run_trash(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        chat = store.trash_chat(store.find_chat(args.chat).id)
    finally:
        store.close()
    print(f"Moved {chat.title!r} ({chat.id}) to the trash; `ohm chats restore {chat.id}` brings it back.")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        chat = store.restore_chat(store.find_chat(args.chat).id)
    finally:
        store.close()
    print(f"Restored {chat.title!r} ({chat.id}).")
    return 0
