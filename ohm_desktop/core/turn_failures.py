"""Name what made a turn fail, in the window's words, with the actions that can fix it.

The core's own sentences (``ErrorEvent.message``) are written for every front end and may name
CLI commands. The window needs to tell apart the gateway being down from rate limits, an
invalid key, no credits or an unknown model, and to offer a button — Retry only where retrying
can help. The key pool's health says which key problem it was.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ohm_desktop.core.events import ErrorEvent
from ohm_desktop.core.keys import KeyHealth
from ohm_desktop.core.session_events import (
    OPEN_AGENTS,
    OPEN_GATEWAY,
    OPEN_KEYS,
    RETRY,
    USE_LOCAL,
    Action,
    FailureKind,
    TurnFailed,
)

BYTEZ_KEYS_URL = "https://bytez.com/api"
_HTTP_DETAIL = re.compile(r"\((HTTP \d{3}[^)]*)\)")
_EXIT_CODES: dict[FailureKind, int] = {
    "gateway_unreachable": 4,
    "rate_limited": 3,
    "key_invalid": 3,
    "out_of_credits": 3,
    "no_key": 3,
    "model_unknown": 4,
    "cut_off": 4,
    "bad_request": 2,
    "internal": 1,
}


def describe_failure(
    error: ErrorEvent, keys: Sequence[KeyHealth], *, gateway_url: str, offline_profile: bool
) -> TurnFailed:
    """The :class:`TurnFailed` for ``error`` given the pool's health after the turn."""
    kind = failure_kind(error, keys)
    # Offering the local profile only makes sense when not already on it.
    local: tuple[Action, ...] = () if offline_profile else (USE_LOCAL,)
    message: str
    actions: tuple[Action, ...]
    if kind == "gateway_unreachable":
        message = (
            f"Ohm cannot reach the model gateway at {gateway_url}: check the network connection "
            "or the gateway URL, then retry. Your message is saved."
        )
        actions = (RETRY, OPEN_GATEWAY, *local)
    elif kind == "rate_limited":
        message = (
            "Every key is rate limited right now: retry in a minute, or add another key. "
            "Your message is saved."
        )
        actions = (RETRY, OPEN_KEYS)
    elif kind == "key_invalid":
        message = "The gateway refused your API key (invalid or revoked): replace it in Settings → Keys."
        actions = (OPEN_KEYS, *local)
    elif kind == "out_of_credits":
        message = (
            f"Your Bytez key is out of credits: top it up at {BYTEZ_KEYS_URL}, or add another key in "
            "Settings → Keys."
        )
        actions = (OPEN_KEYS, *local)
    elif kind == "no_key":
        message = (
            f"There is no API key yet: get a Bytez key at {BYTEZ_KEYS_URL} and add it in Settings → Keys, "
            "or use a local llama.cpp / Ollama server."
        )
        actions = (OPEN_KEYS, *local)
    elif kind == "model_unknown":
        found = _HTTP_DETAIL.search(error.message)
        detail = f" ({found.group(1)})" if found else ""
        message = f"The gateway does not know a model this specialist uses{detail}: pick another in Settings → Agents."
        actions = (OPEN_AGENTS,)
    elif kind == "cut_off":
        message = "The answer was cut off after it started; what arrived is kept. Retry to ask again."
        actions = (RETRY,)
    elif kind == "bad_request":
        message = error.message
        actions = ()
    else:
        message = "Something went wrong inside Ohm; your message is saved. Retry, and if it happens again, check the log."
        actions = (RETRY,)
    return TurnFailed(kind, message, actions, error.message, _EXIT_CODES[kind])


def failure_kind(error: ErrorEvent, keys: Sequence[KeyHealth]) -> FailureKind:
    """What kind of failure ``error`` is, given the keys' health after it."""
    if error.kind == "stream_interrupted":
        return "cut_off"
    if error.kind in ("usage", "config"):
        return "bad_request"
    if error.kind == "gateway":
        if error.message.startswith("Cannot reach"):
            return "gateway_unreachable"
        if "refused the request" in error.message:
            return "model_unknown"
        return "gateway_unreachable"
    if error.kind in ("no_usable_key", "keyring_unavailable"):
        states = {key.state for key in keys}
        if not keys:
            return "no_key"
        if "cooling" in states or "healthy" in states:
            return "rate_limited"
        if states == {"out_of_credits"}:
            return "out_of_credits"
        return "key_invalid"
    return "internal"
