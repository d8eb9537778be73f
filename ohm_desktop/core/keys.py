"""API keys: where they come from (KeyStore) and which one serves next (KeyPool).

The seed marked a key dead forever on its first 429. Here a key's health follows what the
gateway said: 429 cools it down (Retry-After, else exponential backoff with full jitter) and
it comes back; 402 means out of credits (a long cooldown, shown to the user); 401/403 mean
invalid until the user edits it; 5xx and network errors move the request to another key
after a short backoff. Each key serves at most ``per_key_concurrency`` requests at once, and
when every key is cooling a request waits for the earliest one, bounded by its deadline.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import json
import logging
import math
import os
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ohm_desktop.core.key_pacing import KeyPacer
from ohm_desktop.errors import KeyringUnavailableError, NoUsableKeyError, UsageError
from ohm_desktop.paths import Paths
from ohm_desktop.redaction import SecretRedactor, mask_secret

log = logging.getLogger(__name__)

KeyState = Literal["healthy", "cooling", "out_of_credits", "invalid"]
Outcome = Literal["ok", "rate_limited", "out_of_credits", "invalid", "server_error", "network", "released"]
KeySource = Literal["keyring", "env", "env-file"]

KEYRING_SERVICE = "ohm-desktop"
_KEYRING_INDEX = "__key_index__"  # the list of stored key ids (not secret), kept in the keyring itself
_ENV_KEY = re.compile(r"^BYTEZ_API_KEY_(\d+)$")
_KEY_SHAPE = re.compile(r"^[\x21-\x7e]{8,512}$")  # printable, no whitespace, sane length


@dataclass(frozen=True)
class ApiKey:
    """One key. The secret never appears in repr/str; use ``label``."""

    secret: str = field(repr=False)
    key_id: str
    source: KeySource
    label: str = ""

    def __str__(self) -> str:
        return self.label or mask_secret(self.secret)


@dataclass(frozen=True, slots=True)
class KeyHealth:
    label: str
    state: KeyState
    cooldown_remaining_s: float
    in_flight: int
    source: str


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    """What the gateway's ``x-ratelimit-*`` headers said about a key's request budget."""

    remaining: int
    reset_s: float  # until the budget is full again (OpenAI semantics)
    limit: int | None = None  # the full budget, when the gateway says


@dataclass(slots=True)
class _Slot:
    key: ApiKey
    state: KeyState = "healthy"
    available_at: float = 0.0
    consecutive_failures: int = 0
    in_flight: int = 0
    # Request budget from rate-limit headers: with it the pool paces a key instead of
    # discovering its limit through 429s (each of which costs an upstream call).
    remaining: int | None = None
    budget_limit: int | None = None
    budget_seen_at: float = 0.0
    budget_reset_at: float = 0.0
    recorded: bool = False  # a lasting state of this key is in the health file
    # Without rate-limit headers (Bytez) the key is paced on what its answers taught (key_pacing.py).
    headers_seen: bool = False
    pacer: KeyPacer = field(default_factory=KeyPacer)

    def paced_allows(self, now: float) -> bool:
        return self.headers_seen or self.pacer.allows(now, self.in_flight)

    def budget(self, now: float) -> int | None:
        """Requests the key's budget allows now (None: unknown, so unlimited by the pool)."""
        if self.remaining is None:
            return None
        if self.budget_limit is None or self.budget_limit <= self.remaining:
            # Without the full size, past the reset the budget has refilled by at least one: probe.
            return self.remaining if now < self.budget_reset_at else max(self.remaining, 1)
        # A token bucket refills linearly from `remaining` to `limit` over the reset time.
        span = self.budget_reset_at - self.budget_seen_at
        fraction = 1.0 if span <= 0 else min(1.0, (now - self.budget_seen_at) / span)
        return self.remaining + math.floor((self.budget_limit - self.remaining) * fraction + 1e-9)

    def budget_allows(self, now: float) -> bool:
        allowed = self.budget(now)
        return allowed is None or self.in_flight < allowed

    def budget_frees_at(self) -> float:
        """When the budget next allows one more request than is in flight now."""
        if self.remaining is None or self.budget_limit is None or self.budget_limit <= self.remaining:
            return self.budget_reset_at
        needed = self.in_flight - self.remaining + 1
        span = self.budget_reset_at - self.budget_seen_at
        return self.budget_seen_at + span * min(1.0, needed / (self.budget_limit - self.remaining))


@dataclass(slots=True)
class KeyLease:
    """The right to send one request with ``key``; give it back with :meth:`KeyPool.release`."""

    key: ApiKey
    _slot: _Slot = field(repr=False)
    released: bool = False
    sent_at: float = 0.0
    in_flight_at_send: int = 0  # other requests this key had in flight when this one left

    @property
    def label(self) -> str:
        return self.key.label


WaitListener = Callable[[float, "ApiKey | None"], None]
_LASTING_STATES: tuple[KeyState, ...] = ("out_of_credits", "invalid")


def key_fingerprint(secret: str) -> str:
    """A stable, non-reversible id of a key for files: 16 hex chars of its SHA-256."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()[:16]


class KeyHealthFile:
    """What outlives a restart: which keys were out of credits (until when) or invalid.

    A new process must not spend a request rediscovering that a key is invalid or empty.
    Keys are named by :func:`key_fingerprint` only; no secret is ever written here. Short
    429 cool-downs are not kept: they are over before anyone restarts.
    """

    def __init__(self, path: Path, *, wall_clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._wall_clock = wall_clock

    def now(self) -> float:
        """The wall clock the file's ``until`` times are measured on."""
        return self._wall_clock()

    def read(self) -> dict[str, tuple[KeyState, float | None]]:
        """fingerprint -> (state, wall-clock end of the state or None for "until edited")."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        now = self._wall_clock()
        result: dict[str, tuple[KeyState, float | None]] = {}
        for fingerprint, entry in (raw.items() if isinstance(raw, dict) else []):
            state, until = (entry.get("state"), entry.get("until")) if isinstance(entry, dict) else (None, None)
            if state not in _LASTING_STATES or (until is not None and not isinstance(until, int | float)):
                continue
            if until is None or until > now:
                result[str(fingerprint)] = (state, None if until is None else float(until))
        return result

    def record(self, secret: str, state: KeyState, remaining_s: float) -> None:
        """Remember ``state`` for a key (``healthy`` forgets it); failures to write are only logged."""
        entries = {fp: {"state": st, "until": until} for fp, (st, until) in self.read().items()}
        fingerprint = key_fingerprint(secret)
        if state in _LASTING_STATES:
            until = None if math.isinf(remaining_s) else round(self._wall_clock() + remaining_s, 3)
            entries[fingerprint] = {"state": state, "until": until}
        elif entries.pop(fingerprint, None) is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(entries, indent=1), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("cannot save key health to %s: %s", self.path, exc)


class KeyPool:
    """Round-robin over healthy keys with health tracking and per-key concurrency."""

    def __init__(
        self,
        keys: Sequence[ApiKey],
        *,
        per_key_concurrency: int = 4,
        base_backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
        server_error_backoff_s: float = 0.5,
        out_of_credits_cooldown_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
        health_file: KeyHealthFile | None = None,
    ) -> None:
        self._slots = [_Slot(key) for key in keys]
        self._limit = max(1, per_key_concurrency)
        self._base = base_backoff_s
        self._cap = max_backoff_s
        self._server_backoff = server_error_backoff_s
        self._credits_cooldown = out_of_credits_cooldown_s
        self._clock = clock
        self._rng = rng
        self._cursor = 0
        self._listeners: list[Callable[[], None]] = []
        self._waiters: collections.deque[asyncio.Event] = collections.deque()
        self._health_file = health_file
        if health_file is not None:
            self._restore(health_file)

    def _restore(self, health_file: KeyHealthFile) -> None:
        lasting = health_file.read()
        now, wall_now = self._clock(), health_file.now()
        for slot in self._slots:
            entry = lasting.get(key_fingerprint(slot.key.secret))
            if entry is not None:
                state, until = entry
                slot.state, slot.recorded = state, True
                slot.available_at = math.inf if until is None else now + max(0.0, until - wall_now)

    def reset_health(self) -> None:
        """Forget every key's health (e.g. before ``ohm keys test``): each is tried afresh."""
        for slot in self._slots:
            slot.state, slot.available_at, slot.consecutive_failures = "healthy", 0.0, 0
            slot.remaining = None
            slot.pacer.forget()
            if slot.recorded and self._health_file is not None:
                self._health_file.record(slot.key.secret, "healthy", 0.0)
            slot.recorded = False
        self._notify()

    def replace_keys(self, keys: Sequence[ApiKey]) -> None:
        """Use ``keys`` from now on (the user added or removed one); known keys keep their health.

        A key the user re-entered is tried afresh: the reason to edit a key is that it was invalid.
        """
        current = {slot.key.secret: slot for slot in self._slots}
        slots = []
        for key in keys:
            slot = current.get(key.secret)
            if slot is None:
                slot = _Slot(key)
            else:
                slot.key = key  # its label may have changed with its position
            slots.append(slot)
        self._slots = slots
        self._cursor = 0
        self._notify()

    def set_per_key_concurrency(self, limit: int) -> None:
        """Allow ``limit`` requests per key at once from now on (Settings → Gateway changed it)."""
        self._limit = max(1, limit)
        self._notify()

    def __len__(self) -> int:
        return len(self._slots)

    @property
    def keys(self) -> tuple[ApiKey, ...]:
        """The pool's keys, in round-robin order."""
        return tuple(slot.key for slot in self._slots)

    # ---------------------------------------------------------------- health
    def snapshot(self) -> list[KeyHealth]:
        now = self._clock()
        return [
            KeyHealth(
                label=slot.key.label,
                state=self._state(slot, now),
                cooldown_remaining_s=max(0.0, slot.available_at - now)
                if math.isfinite(slot.available_at)
                else math.inf,
                in_flight=slot.in_flight,
                source=slot.key.source,
            )
            for slot in self._slots
        ]

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` whenever a key's health changes; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _state(self, slot: _Slot, now: float) -> KeyState:
        if slot.state in ("cooling", "out_of_credits") and now >= slot.available_at:
            return "healthy"
        return slot.state

    def _notify(self) -> None:
        self._wake_head()
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:  # a broken listener must not break the request path
                log.exception("key pool listener failed")

    # --------------------------------------------------------------- leasing
    def try_acquire(self) -> KeyLease | None:
        """A lease on the next key that can serve now, round-robin; None when none can."""
        now = self._clock()
        count = len(self._slots)
        for offset in range(count):
            index = (self._cursor + offset) % count
            slot = self._slots[index]
            if (
                self._state(slot, now) == "healthy"
                and slot.in_flight < self._limit
                and slot.budget_allows(now)
                and slot.paced_allows(now)
            ):
                slot.state = "healthy"
                lease = KeyLease(slot.key, slot, sent_at=now, in_flight_at_send=slot.in_flight)
                slot.in_flight += 1
                if not slot.headers_seen:
                    slot.pacer.sent(now, self._rng())
                self._cursor = (index + 1) % count
                return lease
        return None

    def next_available_in(self) -> float | None:
        """Seconds until some key could serve (0 when only busy), None when none ever will."""
        now = self._clock()
        waits = []
        for slot in self._slots:
            state = self._state(slot, now)
            if state == "invalid":
                continue
            if state != "healthy":
                waits.append(max(0.0, slot.available_at - now))
            elif not slot.budget_allows(now):
                waits.append(max(0.0, slot.budget_frees_at() - now))
            elif not slot.paced_allows(now):
                waits.append(slot.pacer.ready_in(now))  # 0 when only its learned concurrency is full
            else:
                waits.append(0.0)
        return min(waits) if waits else None

    async def acquire(self, deadline: float, *, on_wait: WaitListener | None = None) -> KeyLease:
        """A lease, waiting for the earliest key when all are cooling or busy, until ``deadline``.

        Waiters queue first-in first-out and only the head is woken when a key may be free,
        so a backlog of hundreds of requests costs one wake-up per release, not hundreds.
        """
        if not self._waiters:
            lease = self.try_acquire()
            if lease is not None:
                return lease
        me = asyncio.Event()
        self._waiters.append(me)
        announced = False
        try:
            while True:
                now = self._clock()
                wait = self.next_available_in()
                if wait is None:
                    raise self._no_key_error()
                if self._waiters[0] is me:
                    lease = self.try_acquire()
                    if lease is not None:
                        return lease
                    timeout = wait if wait > 0 else deadline - now
                else:
                    timeout = deadline - now
                if now + wait > deadline or timeout <= 0:
                    raise NoUsableKeyError(
                        f"All {len(self._slots)} API key(s) are rate-limited, out of credits or busy, and none frees "
                        f"up in time (next in {wait:.0f} s): wait a little, or add a key with `ohm keys add`."
                    )
                if wait > 0 and on_wait is not None and not announced:
                    announced = True
                    on_wait(wait, None)
                me.clear()
                # asyncio.timeout, not wait_for: on 3.11 wait_for loses a cancellation (Stop) that
                # lands as this waiter is woken, and the cancelled turn would go on.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(max(timeout, 0.001)):
                        await me.wait()
        finally:
            was_head = self._waiters and self._waiters[0] is me
            self._waiters.remove(me)
            if was_head:
                self._wake_head()

    def _wake_head(self) -> None:
        if self._waiters:
            self._waiters[0].set()

    def _no_key_error(self) -> NoUsableKeyError:
        if not self._slots:
            return NoUsableKeyError(
                "No Bytez API key is configured: run `ohm keys add` or set BYTEZ_API_KEY_1, then try again."
            )
        return NoUsableKeyError(
            f"All {len(self._slots)} API key(s) were rejected as invalid by the gateway: "
            "check them with `ohm keys test`, then replace them with `ohm keys add`."
        )

    def release(
        self,
        lease: KeyLease,
        outcome: Outcome,
        *,
        retry_after_s: float | None = None,
        rate_limit: RateLimitInfo | None = None,
    ) -> None:
        """Return a lease and record what the gateway said about its key."""
        if lease.released:
            return
        lease.released = True
        slot = lease._slot
        slot.in_flight = max(0, slot.in_flight - 1)
        now = self._clock()
        if rate_limit is not None:
            slot.headers_seen = True
            slot.remaining, slot.budget_limit = rate_limit.remaining, rate_limit.limit
            slot.budget_seen_at, slot.budget_reset_at = now, now + rate_limit.reset_s
        if outcome == "rate_limited":
            refusal = slot.pacer.rate_limited(lease.sent_at, now, in_flight_at_send=lease.in_flight_at_send)
        else:
            slot.pacer.answered(lease.sent_at, now, ok=outcome == "ok")
        if outcome == "ok":
            slot.consecutive_failures = 0
            if slot.state != "invalid":
                slot.state = "healthy"
        elif outcome == "rate_limited" and refusal == "concurrency" and retry_after_s is None and not slot.headers_seen:
            pass  # the key serves again as soon as one of its requests ends: no cool-down
        elif outcome == "rate_limited":
            slot.consecutive_failures += 1
            if retry_after_s is not None:
                delay = retry_after_s  # the gateway's word wins over what was learned
                slot.pacer.ready_after(now, retry_after_s)
            elif slot.pacer.rate is not None and not slot.headers_seen:
                delay = slot.pacer.ready_in(now)
            else:
                delay = self._jittered(slot, self._base)
            slot.state, slot.available_at = "cooling", now + max(0.0, delay)
            if rate_limit is None and slot.headers_seen:
                # The budget we believed in was wrong: after the cooldown, probe with one request.
                slot.remaining, slot.budget_limit = 0, None
                slot.budget_seen_at, slot.budget_reset_at = now, slot.available_at
        elif outcome == "out_of_credits":
            slot.state, slot.available_at = "out_of_credits", now + self._credits_cooldown
        elif outcome == "invalid":
            slot.state, slot.available_at = "invalid", math.inf
        elif outcome in ("server_error", "network"):
            slot.consecutive_failures += 1
            slot.state, slot.available_at = "cooling", now + self._jittered(slot, self._server_backoff)
        lasting = slot.state in _LASTING_STATES
        if self._health_file is not None and (lasting or slot.recorded):
            self._health_file.record(slot.key.secret, slot.state, slot.available_at - now)
            slot.recorded = lasting
        self._notify()

    def _jittered(self, slot: _Slot, base: float) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^(failures-1))] for this key's failure streak."""
        ceiling: float = min(self._cap, base * 2.0 ** max(0, min(slot.consecutive_failures, 16) - 1))
        return self._rng() * ceiling


# ------------------------------------------------------------------ key store
def validate_key(secret: str) -> str:
    """A cleaned key, or a UsageError saying what is wrong with it (never echoing it)."""
    cleaned = secret.strip().strip('"').strip("'")
    if not cleaned:
        raise UsageError("The key is empty: paste the key from your Bytez account page.")
    problem = key_problem(cleaned)
    if problem is not None:
        raise UsageError(
            f"That does not look like an API key ({problem}; a key is 8-512 printable ASCII characters "
            "without spaces): copy it again from your Bytez account page."
        )
    return cleaned


def key_problem(secret: str) -> str | None:
    """What makes ``secret`` unusable as an HTTP header value, in words (never the key), or None.

    A key with a line break or a non-ASCII character cannot be sent at all (httpcore refuses
    the header, naming its bytes), so it is caught on the way in, whatever the source.
    """
    if _KEY_SHAPE.match(secret):
        return None
    if any(char in "\r\n" for char in secret):
        return "it contains a line break"
    if any(char.isspace() for char in secret):
        return "it contains a space or tab"
    if not secret.isascii():
        return "it contains a non-ASCII character"
    if not secret.isprintable():
        return "it contains a control character"
    return f"it is {len(secret)} characters long"


def parse_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines of a .env file (comments, ``export`` and quotes allowed)."""
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return values
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        values[name.strip()] = value.strip().strip('"').strip("'")
    return values


def _numbered_keys(values: dict[str, str]) -> list[tuple[int, str, str]]:
    found = []
    for name, value in values.items():
        match = _ENV_KEY.match(name)
        if match and value.strip():
            found.append((int(match.group(1)), name, value.strip()))
    return sorted(found)


class KeyStore:
    """Keys from the OS keyring (service ``ohm-desktop``), ``BYTEZ_API_KEY_<n>`` and ``.env.local``."""

    def __init__(self, paths: Paths, redactor: SecretRedactor, *, service: str | None = None) -> None:
        self._paths = paths
        self._redactor = redactor
        # OHM_KEYRING_SERVICE separates profiles (and test runs) sharing one OS keyring.
        self._service = service or os.environ.get("OHM_KEYRING_SERVICE") or KEYRING_SERVICE
        self._reported: set[str] = set()  # sources of unusable keys already told about

    @property
    def service(self) -> str:
        """The keyring service every key of this profile lives under."""
        return self._service

    # -------------------------------------------------------------- keyring
    def keyring_available(self) -> bool:
        try:
            import keyring
            from keyring.backends import fail

            backend = keyring.get_keyring()
        except Exception:
            return False
        if isinstance(backend, fail.Keyring) or type(backend).__module__ == "keyring.backends.null":
            return False  # the null backend stores nothing: keys "added" there would vanish
        chained = getattr(backend, "backends", None)
        if chained is not None and not chained:
            return False
        try:
            backend.get_password(self._service, _KEYRING_INDEX)
        except Exception as exc:
            log.info("keyring backend %s is not usable: %s", type(backend).__name__, type(exc).__name__)
            return False
        return True

    def require_keyring(self) -> None:
        """Raise KeyringUnavailableError (one sentence saying what to do) without a usable keyring."""
        self._require_keyring()

    def _require_keyring(self) -> None:
        if not self.keyring_available():
            raise KeyringUnavailableError(
                "No OS keyring is available, so keys cannot be stored safely on this machine: "
                "install and unlock a Secret Service (e.g. gnome-keyring), or use BYTEZ_API_KEY_1..N "
                "environment variables instead. Ohm never stores keys in plain text."
            )

    def _index(self) -> list[str]:
        import keyring

        raw = keyring.get_password(self._service, _KEYRING_INDEX)
        try:
            ids = json.loads(raw) if raw else []
        except json.JSONDecodeError:
            ids = []
        return [str(i) for i in ids]

    def _write_index(self, ids: list[str]) -> None:
        import keyring

        keyring.set_password(self._service, _KEYRING_INDEX, json.dumps(ids))

    def _keyring_keys(self) -> list[ApiKey]:
        if not self.keyring_available():
            return []
        import keyring

        keys = []
        for key_id in self._index():
            secret = keyring.get_password(self._service, key_id)
            if secret:
                keys.append(ApiKey(secret, key_id, "keyring"))
        return keys

    # ------------------------------------------------------------- loading
    def _env_keys(self) -> list[ApiKey]:
        keys = [ApiKey(value, name, "env") for _, name, value in _numbered_keys(dict(os.environ))]
        seen_files: set[Path] = set()
        for folder in (Path.cwd(), self._paths.config):
            env_file = (folder / ".env.local").resolve()
            if env_file in seen_files or not env_file.is_file():
                continue
            seen_files.add(env_file)
            keys += [
                ApiKey(value, f"{env_file}:{name}", "env-file")
                for _, name, value in _numbered_keys(parse_env_file(env_file))
            ]
        return keys

    def load(self) -> list[ApiKey]:
        """Every distinct key, keyring first, each labelled ``key N …abcd`` and registered for redaction."""
        result: list[ApiKey] = []
        seen: set[str] = set()
        for key in self._usable(self._keyring_keys() + self._env_keys()):
            if key.secret in seen:
                continue
            seen.add(key.secret)
            self._redactor.register(key.secret)
            label = f"key {len(result) + 1} {mask_secret(key.secret)}"
            result.append(ApiKey(key.secret, key.key_id, key.source, label))
        return result

    def _usable(self, keys: list[ApiKey]) -> list[ApiKey]:
        """``keys`` without the unusable ones, each named once (by where it came from) and skipped."""
        usable = []
        for key in keys:
            self._redactor.register(key.secret)  # masked even though it is never sent
            problem = key_problem(key.secret)
            if problem is None:
                usable.append(key)
                continue
            where = _key_source_name(key)
            if where not in self._reported:
                self._reported.add(where)
                log.error("%s is not a usable API key (%s): fix or remove it; it is skipped for now.", where, problem)
        return usable

    def health_file(self) -> KeyHealthFile:
        """Where the pool keeps lasting key health (out of credits, invalid) between runs."""
        return KeyHealthFile(self._paths.data / "key_health.json")

    def list_labels(self) -> list[tuple[str, str]]:
        """(masked label, source) of every key."""
        return [(key.label, key.source) for key in self.load()]

    # ------------------------------------------------------------- editing
    def add(self, secret: str) -> str:
        """Store a key in the keyring; returns its masked label."""
        cleaned = validate_key(secret)
        self._redactor.register(cleaned)
        self._require_keyring()
        import keyring

        existing = {key.secret: key for key in self.load()}
        if cleaned in existing and existing[cleaned].source == "keyring":
            return existing[cleaned].label
        from ohm_desktop.ids import new_id

        key_id = f"bytez-key-{new_id()}"
        keyring.set_password(self._service, key_id, cleaned)
        self._write_index([*self._index(), key_id])
        stored = next((key.label for key in self.load() if key.secret == cleaned), None)
        if stored is None:
            # A backend that accepts writes and keeps nothing (keyring's "null" backend).
            raise KeyringUnavailableError(
                "The OS keyring accepted the key but did not keep it: install and unlock a Secret Service "
                "(e.g. gnome-keyring), or use BYTEZ_API_KEY_1..N environment variables instead."
            )
        return stored

    def remove(self, label: str) -> str:
        """Remove the keyring key matching ``label`` (``key 3``, ``…a1b2`` or ``a1b2``)."""
        self._require_keyring()
        import keyring

        wanted = label.strip().lower()
        matches = [
            key
            for key in self.load()
            if wanted
            in (key.label.lower(), key.label.lower().rsplit(" ", 1)[0], key.label.lower().rsplit(" ", 1)[-1])
            or (len(wanted) >= 4 and key.secret.lower().endswith(wanted.lstrip("…")))
        ]
        if not matches:
            raise UsageError(f"No key matches {label!r}: run `ohm keys list` to see the labels.")
        if len(matches) > 1:
            raise UsageError(f"{label!r} matches several keys: use the full label, e.g. 'key 2'.")
        key = matches[0]
        if key.source != "keyring":
            raise UsageError(
                f"{key.label} comes from the environment ({key.key_id.rsplit(':', 1)[-1]}), not the keyring: "
                "remove it there."
            )
        keyring.delete_password(self._service, key.key_id)
        self._write_index([i for i in self._index() if i != key.key_id])
        return key.label

    def import_env(self) -> int:
        """Copy BYTEZ_API_KEY_* keys from the environment and .env.local into the keyring."""
        self._require_keyring()
        in_keyring = {key.secret for key in self._keyring_keys()}
        added = 0
        for key in self._usable(self._env_keys()):
            if key.secret not in in_keyring:
                self.add(key.secret)
                in_keyring.add(key.secret)
                added += 1
        return added


def _key_source_name(key: ApiKey) -> str:
    if key.source == "keyring":
        return f"The keyring entry {key.key_id}"
    return key.key_id  # BYTEZ_API_KEY_N, or "<path>/.env.local:BYTEZ_API_KEY_N"
