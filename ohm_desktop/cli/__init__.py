"""``ohm``: the headless command line. Everything the window can do, the CLI can do too.

Each command group lives in its own module with a ``register(subparsers)`` function; the
handler it sets as ``func`` returns an exit code. Errors the user can act on are
``OhmError``s and become one sentence on stderr with the DESIGN.md exit code.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import importlib.util
import logging
import sys
from collections.abc import Sequence

from ohm_desktop import __version__
from ohm_desktop.errors import EXIT_STORE, OhmError
from ohm_desktop.redaction import SecretRedactor, configure_logging

COMMAND_MODULES = ("ask", "keys", "chats", "artifacts", "sync", "sketch", "export", "doctor")

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ohm", description="Ohm Desktop from the command line.")
    parser.add_argument("--version", action="version", version=f"ohm {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr (secrets redacted)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        if importlib.util.find_spec(f"ohm_desktop.cli.{name}") is None:
            continue
        importlib.import_module(f"ohm_desktop.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed its usage sentence
        return 0 if exc.code in (0, None) else 2
    redactor = SecretRedactor()
    args.redactor = redactor
    configure_logging(redactor, verbose=args.verbose)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except OhmError as exc:
        print(redactor.redact(exc.message), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            return _unexpected(exc)
        log.debug("disk full", exc_info=True)
        print(f"Disk full: {exc.filename or 'a file'} could not be written. Free some space and try again.",
              file=sys.stderr)
        return EXIT_STORE
    except Exception as exc:  # last line of defence: never a bare traceback
        return _unexpected(exc)


def _unexpected(exc: BaseException) -> int:
    log.debug("unexpected error", exc_info=exc)
    print(
        f"Ohm hit an unexpected error ({type(exc).__name__}). Run again with --verbose for details "
        "and report it; your data is safe in the local store.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
