"""Where ``ohm ask`` reads the message from: the argument, standard input (``-``) or ``--file``.

An argument is limited by the OS (about 128 KB per argument on Linux, ``MAX_ARG_STRLEN``);
a datasheet excerpt or a long serial log is piped in or read from a file instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ohm_desktop.errors import UsageError


def add_message_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "message", nargs="?",
        help="what you need, e.g. 'a parts list for a line-following robot'; '-' reads it from standard input",
    )
    parser.add_argument("--file", metavar="PATH", type=Path, help="read the message from this text file")


def read_message(args: argparse.Namespace) -> str:
    """The message text; a UsageError when there is none, two, or it cannot be read as text."""
    if args.file is not None and args.message is not None:
        raise UsageError("Give the message either as an argument or with --file, not both.")
    if args.file is not None:
        try:
            return Path(args.file).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{args.file} is not UTF-8 text: save it as UTF-8 and try again.") from None
        except OSError as exc:
            raise UsageError(f"Cannot read {args.file} ({exc.strerror or exc}): check the path.") from None
    if args.message == "-":
        try:
            return sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError("Standard input is not UTF-8 text: pipe in text and try again.") from None
        except (OSError, AttributeError, ValueError):  # closed, not readable, or no byte stream behind it
            raise UsageError("Cannot read the message from standard input: pipe it in, or use --file.") from None
    if args.message is None:
        raise UsageError('Say what you need: ohm ask "a parts list for a robot" (or ohm ask - < notes.txt).')
    return str(args.message)
