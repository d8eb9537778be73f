"""Ask the gateway one tiny question with one key, and say what the answer means.

``ohm keys test`` and ``ohm doctor`` share it, so both tell an unreachable gateway from a
rate-limited, invalid or empty key — a key pool's "cooling" state alone cannot: a network
failure cools a key too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ohm_desktop.core.events import ErrorEvent
from ohm_desktop.core.gateway import Gateway
from ohm_desktop.core.gateway_headers import AuthScheme
from ohm_desktop.core.keys import ApiKey, KeyHealthFile, KeyPool
from ohm_desktop.core.turn_failures import failure_kind
from ohm_desktop.errors import OhmError

Verdict = Literal["ok", "gateway unreachable", "rate-limited", "invalid", "out of credits", "failed"]
PROBE_MODEL = "anthropic/claude-haiku-4-5"


@dataclass(frozen=True, slots=True)
class KeyProbe:
    label: str
    source: str
    verdict: Verdict
    #: The gateway's own sentence when the verdict is "failed" or "gateway unreachable".
    detail: str = ""


async def probe_key(
    key: ApiKey, *, base_url: str, health_file: KeyHealthFile | None, auth_scheme: AuthScheme | None = None
) -> KeyProbe:
    """One 1-token completion with ``key`` alone; its verdict is saved in ``health_file``."""
    # One pool per key, so a failure is attributed to that key and never retried on another.
    pool = KeyPool([key], health_file=health_file)
    pool.reset_health()
    gateway = Gateway(pool, base_url=base_url, request_timeout_s=20, auth_scheme=auth_scheme)
    try:
        await gateway.complete(
            model=PROBE_MODEL, messages=[{"role": "user", "content": "ping"}], max_tokens=1, deadline_s=0.5
        )
        return KeyProbe(key.label, key.source, "ok")
    except OhmError as exc:
        kind = failure_kind(ErrorEvent(exc.kind, exc.message, exc.retryable), pool.snapshot())
        verdicts: dict[str, Verdict] = {
            "gateway_unreachable": "gateway unreachable",
            "rate_limited": "rate-limited",
            "key_invalid": "invalid",
            "out_of_credits": "out of credits",
        }
        return KeyProbe(key.label, key.source, verdicts.get(kind, "failed"), exc.message)
    finally:
        await gateway.aclose()
