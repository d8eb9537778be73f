"""``ohm export chat CHAT --format markdown|bundle [-o PATH]``: share a chat and its design."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ohm_desktop.artifacts.export import ExportError
from ohm_desktop.chat_export import chat_markdown, write_project_bundle
from ohm_desktop.cli.chats import open_store
from ohm_desktop.errors import UsageError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("export", help="export a chat for sharing")
    what = parser.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    chat = what.add_parser("chat", help="a chat as Markdown, or a project bundle (zip)")
    chat.add_argument("chat", metavar="CHAT", help="chat id or unique prefix")
    chat.add_argument("--format", choices=("markdown", "bundle"), default="markdown")
    chat.add_argument("-o", "--output", type=Path, default=None,
                      help="file to write (Markdown goes to stdout without it; a bundle needs it)")
    chat.set_defaults(func=run_export_chat)


def run_export_chat(args: argparse.Namespace) -> int:
    if args.format == "bundle" and args.output is None:
        raise UsageError("A bundle is a zip file: give its path with -o, e.g. -o project.zip.")
    store = open_store()
    try:
        chat = store.find_chat(args.chat)
        if args.format == "markdown":
            text = chat_markdown(store, chat.id)
            if args.output is None:
                sys.stdout.write(text)
                return 0
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(text, encoding="utf-8")
            print(f"Wrote {args.output}", file=sys.stderr)
            return 0
        names = write_project_bundle(store, chat.id, args.output)
        print(f"Wrote {args.output} ({len(names)} files)", file=sys.stderr)
        return 0
    except OSError as exc:
        raise UsageError(f"Cannot write {args.output} ({exc.strerror or exc}): choose another path.") from exc
    except ExportError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        store.close()
