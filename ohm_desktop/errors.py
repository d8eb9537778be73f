"""One exception hierarchy for everything the user can be told about.

Each error carries a user-facing sentence (what happened and what to do) and the CLI
exit code that DESIGN.md assigns to its kind. Nothing here may include a secret: keys are
only ever referred to by their masked label.

The one exit-code table every ``ohm`` command follows (README, "Exit codes"):

====  =====================================================================
0     done
1     a check found errors (``artifacts check``, ``sketch check``), or an unexpected bug
2     bad input or usage: an argument, a config file, a chat that does not exist
3     no usable API key, no keyring, or a missing tool (arduino-cli, simavr)
4     the model gateway, the network or Supabase failed after retries
5     the local store or the disk failed (disk full, read-only, damaged)
130   interrupted (Ctrl+C)
====  =====================================================================
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_NO_KEY_OR_TOOL = 3
EXIT_GATEWAY = 4
EXIT_STORE = 5
EXIT_INTERRUPTED = 130


class OhmError(Exception):
    """Base of all errors that reach a user. ``str(error)`` is the user-facing sentence."""

    exit_code: int = 1
    kind: str = "internal"
    retryable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(OhmError):
    """Bad input or usage: a malformed argument, an unknown chat, invalid JSON."""

    exit_code = 2
    kind = "usage"


class NoUsableKeyError(OhmError):
    """No API key can serve the request before its deadline."""

    exit_code = 3
    kind = "no_usable_key"


class GatewayError(OhmError):
    """The model gateway or the network failed after every retry."""

    exit_code = 4
    kind = "gateway"
    retryable = True


class StreamInterruptedError(GatewayError):
    """A stream broke after text had already been shown; it is not silently retried."""

    kind = "stream_interrupted"


class KeyringUnavailableError(OhmError):
    """No OS keyring backend: keys cannot be stored safely on this machine."""

    exit_code = 3
    kind = "keyring_unavailable"


class StoreError(OhmError):
    """The local database cannot be opened or written (disk full, read-only, corrupt)."""

    exit_code = EXIT_STORE
    kind = "store"


class SyncError(OhmError):
    """Supabase sync failed (auth, network, server)."""

    exit_code = 4
    kind = "sync"
    retryable = True


class SyncSetupError(SyncError):
    """Sync cannot go on until the user acts: not configured, not signed in, credentials refused."""

    exit_code = 2
    kind = "sync_setup"
    retryable = False


class ConfigError(OhmError):
    """A configuration file (agents.toml, settings) is invalid."""

    exit_code = 2
    kind = "config"


def exit_code_for_kind(kind: str) -> int:
    """The exit code of an error reported by its ``kind`` (an ``error`` turn event, for instance)."""
    pending: list[type[OhmError]] = [OhmError]
    while pending:
        cls = pending.pop()
        if cls.kind == kind:
            return cls.exit_code
        pending.extend(cls.__subclasses__())
    return OhmError.exit_code
