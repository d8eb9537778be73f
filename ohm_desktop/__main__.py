"""``ohm-desktop``: the window. ``--smoke-test`` builds it, spins briefly, prints one JSON line."""

from __future__ import annotations

import time

_STARTED = time.perf_counter()  # before the heavy imports: start-up is measured from here

import sys  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--version" in args:
        from ohm_desktop import __version__

        print(f"ohm-desktop {__version__}")
        return 0
    if "--help" in args or "-h" in args:
        print("usage: ohm-desktop [--smoke-test] [--version]\n\nOpens the Ohm Desktop window. "
              "`ohm` is the command-line interface.")
        return 0
    from ohm_desktop.redaction import SecretRedactor, configure_logging

    redactor = SecretRedactor()
    configure_logging(redactor, verbose="--verbose" in args or "-v" in args)
    from ohm_desktop.app import main as app_main

    return app_main(args, started=_STARTED, redactor=redactor)


if __name__ == "__main__":
    raise SystemExit(main())
