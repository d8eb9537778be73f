"""Keeping secrets out of logs, output and tracebacks.

Secrets are referred to by their masked label (``…a1b2``). Every secret the app loads is
registered with :class:`SecretRedactor`, whose logging filter rewrites any record that
would contain one, and known token shapes are masked even when never registered.
"""

from __future__ import annotations

import json
import logging
import re
import threading

ELLIPSIS = "\u2026"
# Shapes that are secrets whether or not we loaded them: Bytez keys, JWTs, bearer headers.
_SECRET_SHAPES = re.compile(
    r"(sk-bytez-[A-Za-z0-9_\-]{8,}|eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{5,}"
    r"|(?i:bearer)\s+[A-Za-z0-9_\-\.=]{12,})"
)


def mask_secret(secret: str) -> str:
    """``…`` + the last 4 characters; shorter secrets are fully hidden."""
    return ELLIPSIS + secret[-4:] if len(secret) >= 12 else ELLIPSIS


class SecretRedactor:
    """Knows the secrets in use and removes them from any text."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def register(self, secret: str) -> None:
        """Mask ``secret`` from now on, also as it appears escaped or split.

        A key that cannot be sent shows up in errors in other forms: httpcore's
        ``LocalProtocolError`` names the header value as bytes (``b'sk-…\\r\\n'``), reprs and
        JSON escape it, and a line break splits it into header-sized pieces.
        """
        if not secret or len(secret) < 6:
            return
        forms = {
            secret,
            repr(secret)[1:-1],
            json.dumps(secret)[1:-1],
            repr(secret.encode("utf-8", "backslashreplace"))[2:-1],
            secret.encode("unicode_escape").decode("ascii"),
        }
        forms.update(piece for piece in re.split(r"[\r\n]+", secret) if len(piece.strip()) >= 6)
        with self._lock:
            self._secrets.update(forms)

    def redact(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, mask_secret(secret))
        return _SECRET_SHAPES.sub(lambda m: mask_secret(m.group(0)), text)

    def logging_filter(self) -> logging.Filter:
        redactor = self

        class _RedactingFilter(logging.Filter):
            def filter(self, record: logging.LogRecord) -> bool:
                message = record.getMessage()
                if record.exc_info and not record.exc_text:
                    record.exc_text = logging.Formatter().formatException(record.exc_info)
                record.msg = redactor.redact(message)
                record.args = None
                if record.exc_text:
                    record.exc_text = redactor.redact(record.exc_text)
                record.exc_info = None
                return True

        return _RedactingFilter()


class _SentenceFormatter(logging.Formatter):
    """Normal mode: the message alone. Tracebacks and timestamps are details for ``-v``."""

    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


def configure_logging(redactor: SecretRedactor, *, verbose: bool) -> None:
    """Root logging to stderr through the redacting filter. Call once from an entry point.

    Without ``-v`` only errors are logged, as bare sentences: every failure a command reports
    is already its one sentence on stderr, so warnings and tracebacks would only repeat it.
    """
    handler = logging.StreamHandler()
    if verbose:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(_SentenceFormatter())
    handler.addFilter(redactor.logging_filter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.ERROR)
    # httpx logs full request lines at INFO; they carry no secrets but drown the user.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # realtime-py logs every failed reconnect at ERROR; sync states the outage itself, once, as
    # a sentence (status bar, `ohm sync run`), so the library's retries are shown only with -v.
    logging.getLogger("realtime").setLevel(logging.DEBUG if verbose else logging.CRITICAL)
