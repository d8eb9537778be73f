"""SyncService: this workstation's store <-> the user's Supabase project.

Push: the store's outbox, oldest first, in batches, as idempotent upserts (client-made UUIDs;
``ON CONFLICT DO NOTHING``, chats merge), with exponential backoff while the network is
down; rows the server refuses are isolated by bisection and kept, never dropped.
Pull: a Realtime subscription (RLS limits it to the user's chats) and, after every
(re)connect, a REST catch-up from the last position seen, ordered by ``server_seq`` (the
server's sequence, never a client clock). Pulled rows go into the store through
``LocalStore.apply_remote`` — never back into the outbox — and the server's numbering wins,
which is how two workstations that wrote the same version number converge.

supabase-py is imported only when sync actually starts, so an app without Supabase
configured never pays for it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import itertools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import urlparse

from ohm_desktop.errors import OhmError, SyncError, SyncSetupError
from ohm_desktop.ids import new_id
from ohm_desktop.redaction import SecretRedactor
from ohm_desktop.store import LocalStore, MissingParent, OutboxRow, StoreChange
from ohm_desktop.store.local_store import utc_now
from ohm_desktop.store.quarantine import quarantine_row, quarantined_count, release_quarantine
from ohm_desktop.sync.backoff import Backoff
from ohm_desktop.sync.chat_people import LEFT_REASON, ChatPerson, removal_reason
from ohm_desktop.sync.gaps import SeenPositions, gaps
from ohm_desktop.sync.invitations import Invitation, InvitationsListener
from ohm_desktop.sync.session_storage import (
    KeyringSessionStorage,
    MemorySessionStorage,
    SessionStorage,
    stored_email,
)
from ohm_desktop.sync.status import StatusListener, SyncState, SyncStatus, notify_all
from ohm_desktop.sync.wire import (
    MUTABLE_TABLES,
    PULL_ORDER,
    PUSH_ORDER,
    REALTIME_TABLES,
    attributed,
    server_seq,
    to_local,
)

if TYPE_CHECKING:
    from ohm_desktop.config import Paths, Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

#: supabase_auth's storage key for the session (inside our own keyring entry name).
SESSION_KEY = "supabase.auth.token"
#: A row the server refused this many times waits for ``retry_failed()``.
MAX_ATTEMPTS = 5
#: The inbox's name for a removal of one of this account's chat memberships (a Realtime
#: ``membership_changes`` row: only that account receives it).
MEMBERSHIP_ENDED = "chat_members:deleted"
#: The inbox's name for "an invitation to this account came or went": read them again.
INVITATIONS_CHANGED = "chat_invitations"
#: Suffix of the inbox's name for live rows to read again by primary key (Realtime sent errors).
REFETCH = ":refetch"
#: The column naming a missing parent (see LocalStore.apply_remote).
_PARENT_KEY = {"chats": "chat_id", "artifacts": "artifact_id"}
PUSH_BATCH = 500
PULL_PAGE = 500
#: Pulled rows are written this many to a transaction, with the event loop free in between.
APPLY_SLICE = 100
#: Catch-up re-lists this many sequence numbers below the cursor: a row whose transaction
#: took its number earlier but committed later than a row already seen is not skipped.
CATCH_UP_OVERLAP = 200
#: A catch-up lists positions (``server_seq`` only) this many at a time, then fetches the gaps.
LIST_PAGE = 5000
#: What a failed row apply is caught as: the row is quarantined and sync goes on.
_APPLY_FAILURES = (OhmError, KeyError, TypeError, ValueError)
#: Other processes (the window, `ohm ask`) write the same outbox: look for their rows this often.
OUTBOX_POLL_S = 1.0
WATCHDOG_S = 1.0

NOT_CONFIGURED = (
    "Sync is not configured: set OHM_SUPABASE_URL and OHM_SUPABASE_ANON_KEY (or the Supabase URL "
    "and anon key in Settings) to your Supabase project's values."
)
NOT_SIGNED_IN = (
    "You are not signed in to Supabase: run `ohm sync login --email you@example.com` "
    "(or sign in from Settings)."
)
OUTDATED_PROJECT = (
    "Your Supabase project lacks Ohm's newest migration (supabase/migrations/20261202000000_ohm_security.sql): "
    "apply it as the README's \"Sync with Supabase\" says; until then invitations and live updates do not work."
)
NO_SUCH_INVITATION = (
    "There is no such invitation for your account (it was answered or taken back): "
    "see `ohm sync invitations`."
)
SESSION_ENDED = (
    "Your Supabase session has ended: sign in again with `ohm sync login --email you@example.com` "
    "(or from Settings); your changes stay queued meanwhile."
)


class _Unreachable(Exception):
    """The server or network failed in a way worth retrying later (a user-facing sentence)."""


class _StatementTimeout(_Unreachable):
    """PostgREST cancelled the request's statement (57014): a smaller batch may pass."""


class _SessionExpired(Exception):
    """The access token was refused as expired: refresh and try again."""


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one ``run_once`` did."""

    pushed: int
    pulled: int
    failed: int


_WEAK_REASONS = {
    "length": "it is too short",
    "characters": "it lacks a required kind of character",
    "pwned": "it is in a list of leaked passwords",
}


def _weak_password_sentence(exc: Any) -> str:
    """AuthWeakPasswordError carries GoTrue's ``reasons`` (password.go checkPasswordStrength)."""
    reasons = [_WEAK_REASONS.get(str(reason), str(reason)) for reason in (getattr(exc, "reasons", None) or [])]
    why = f" ({'; '.join(reasons)})" if reasons else ""
    detail = f" Supabase said: {exc.message}" if getattr(exc, "message", "") else ""
    return f"Supabase refused the password as too weak{why}: choose another and try again.{detail}"


def _jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (only to read its lifetime; the server verifies it)."""
    try:
        payload = token.split(".")[1]
        decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return decoded
    except (IndexError, ValueError):
        return {}


class SyncService:
    """Sync of one local store with one Supabase project, for the signed-in account.

    The window and ``ohm sync`` drive it the same way: :meth:`login` once, then
    :meth:`run_forever` (or :meth:`run_once`); :meth:`status` / :meth:`subscribe` tell the UI
    what is happening. Without Supabase configured everything stays local and :meth:`status`
    says ``off``.
    """

    #: realtime-py reconnects by itself this many times, then gives up; the service then
    #: starts a fresh connection itself (with its own backoff), forever.
    REALTIME_OPTIONS: ClassVar[dict[str, Any]] = {"max_retries": 6, "initial_backoff": 0.5}
    #: A channel the server closed (phx_close: token expired, tenant restarted) is never
    #: rejoined by realtime-py; one not joined for this long is rebuilt from scratch.
    CHANNEL_REJOIN_S: ClassVar[float] = 10.0
    #: While live, catch up this often anyway: Realtime drops events silently over its rate
    #: limit, so only a catch-up notices (it lists positions; rows come only for the gaps).
    CATCH_UP_EVERY_S: ClassVar[float] = 30.0
    #: ... and this long after live rows stop arriving (a burst may have lost some) ...
    CATCH_UP_AFTER_LIVE_S: ClassVar[float] = 1.0
    #: ... but at least this often while they keep arriving.
    CATCH_UP_LIVE_MAX_S: ClassVar[float] = 10.0

    def __init__(
        self,
        store: LocalStore,
        *,
        supabase: tuple[str, str] | None,
        redactor: SecretRedactor,
        session_storage: SessionStorage | None = None,
        data_dir: Path | None = None,
        push_batch: int = PUSH_BATCH,
    ) -> None:
        self._store = store
        self._url, self._anon_key = supabase if supabase else ("", "")
        self._redactor = redactor
        if session_storage is None:
            if supabase:
                folder = data_dir or (store.path.parent if store.path is not None else Path.cwd())
                session_storage = KeyringSessionStorage(self._url, folder)
            else:
                session_storage = MemorySessionStorage()
        self._storage = session_storage
        self._push_batch = push_batch
        self._listeners: list[StatusListener] = []
        self._invitation_listeners: list[InvitationsListener] = []
        self._invitations: list[Invitation] | None = None
        self._client: Any = None
        self._running = False
        self._user_id: str | None = None
        self._user_email: str | None = None
        self._last_error: str | None = None
        # Chats this account is leaving right now: the server's DELETE of our membership can
        # arrive before the leave call returns, and the reason recorded first wins.
        self._leaving: set[str] = set()
        self._last_synced_at: str | None = None
        self._network_error: str | None = None
        self._subscribed = False
        self._generation = 0
        self._caught_up_generation = -1
        self._token_due_at = float("inf")
        self._fresh_token: str | None = None
        self._token_refused = False
        self._inbox: asyncio.Queue[tuple[int, str, dict[str, Any]]] = asyncio.Queue()
        self._outbox_signal = asyncio.Event()
        self._catch_up_requested = asyncio.Event()
        self._backfilling: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._seen = SeenPositions()
        self._store_quarantined = 0
        #: When live rows first / last arrived that no catch-up has verified yet.
        self._unverified_since: float | None = None
        self._last_live_at = 0.0
        self._last_catch_up_at = 0.0
        #: How many times the access token was refreshed (the benchmark and tests read it).
        self.token_refreshes = 0
        #: Catch-ups run, and rows they had to fetch because no live event brought them.
        self.catch_ups = 0
        self.rows_fetched = 0

    # ------------------------------------------------------------ construction
    @classmethod
    def from_settings(
        cls, store: LocalStore, settings: Settings, paths: Paths, redactor: SecretRedactor
    ) -> SyncService:
        """The service for the configured project (``OHM_SUPABASE_*`` or Settings), if any."""
        return cls(store, supabase=settings.effective_supabase(), redactor=redactor, data_dir=paths.data)

    @property
    def configured(self) -> bool:
        return bool(self._url and self._anon_key)

    @property
    def url(self) -> str:
        return self._url

    @property
    def anon_key(self) -> str:
        """The project's anon key (public by Supabase's design: RLS protects the data)."""
        return self._anon_key

    # ------------------------------------------------------------------ status
    def status(self) -> SyncStatus:
        """Where sync stands now (cheap: reads three counts from the local store)."""
        waiting, stuck = self._store.outbox_counts(max_attempts=MAX_ATTEMPTS)
        state = self._state()
        self._store_quarantined = self.quarantined()
        return SyncStatus(
            state=state,
            queued=waiting,
            failed=stuck,
            refused_from_server=self._store.refused_remote_count(),
            last_error=self._last_error,
            user_email=self._user_email,
            last_synced_at=self._last_synced_at,
            detail=self._detail(state, waiting, stuck),
            quarantined=self._store_quarantined,
        )

    def subscribe(self, listener: StatusListener) -> Callable[[], None]:
        """Call ``listener(status)`` whenever the state, queue or last error changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def signed_in_email(self) -> str | None:
        """The account whose session is stored for this project (no network)."""
        if not self.configured:
            return None
        return await stored_email(self._storage, SESSION_KEY)

    def _state(self) -> SyncState:
        if not self.configured or not self._running:
            return "off"
        if self._network_error is not None:
            return "offline"
        if self._subscribed and self._caught_up_generation == self._generation:
            return "live"
        return "connecting"

    def _detail(self, state: SyncState, waiting: int, stuck: int) -> str:
        if not self.configured:
            return "Sync is off: everything stays on this workstation."
        if state == "off":
            return "Sync is not running."
        if state == "offline":
            return f"Offline: {self._network_error} {waiting} change(s) wait in the outbox."
        if state == "connecting":
            return f"Connecting to {urlparse(self._url).netloc}…"
        failed = f"; {stuck} change(s) were refused by the server" if stuck else ""
        kept = self._store_quarantined
        if kept:
            failed += f"; {kept} row(s) from the server could not be applied here (kept aside)"
        return f"Live with {urlparse(self._url).netloc} as {self._user_email}{failed}."

    def quarantined(self) -> int:
        """Server rows kept aside because they could not be applied here (see store/quarantine.py)."""
        return quarantined_count(self._store)

    def _notify(self) -> None:
        notify_all(self._listeners, self.status())

    def _mark_synced(self) -> None:
        self._last_synced_at = utc_now()
        self._network_error = None

    def _set_offline(self, message: str) -> None:
        self._network_error = message
        self._last_error = message
        self._notify()

    # ------------------------------------------------------------------ client
    def _require_configured(self) -> None:
        if not self.configured:
            raise SyncSetupError(NOT_CONFIGURED)

    async def _create_client(self) -> Any:
        self._require_configured()
        try:
            from supabase import AsyncClientOptions, acreate_client
        except ImportError as exc:  # pragma: no cover - a broken install
            raise SyncError("The supabase package is missing: reinstall Ohm (pip install ohm-desktop).") from exc
        options = AsyncClientOptions(
            storage=self._storage,  # type: ignore[arg-type]
            persist_session=True,
            # One refresher (ours, skew-proof): two would race to rotate the refresh token.
            auto_refresh_token=False,
            realtime=dict(self.REALTIME_OPTIONS),  # type: ignore[arg-type]
            postgrest_client_timeout=30,
        )
        try:
            client = await acreate_client(self._url, self._anon_key, options)
        except Exception as exc:
            raise SyncSetupError(
                f"The Supabase URL {self._url} is not usable ({type(exc).__name__}): check OHM_SUPABASE_URL or Settings."
            ) from exc
        client.auth.on_auth_state_change(self._guarded(self._on_auth_event))
        return client

    def _on_auth_event(self, event: str, session: Any) -> None:
        if session is None:
            return
        self._remember_session(session)

    def _remember_session(self, session: Any, *, fresh: bool = True) -> None:
        """Keep tokens out of every log line, and note when the access token is due for refresh.

        ``fresh``: the server just issued it. A stored token's age cannot be known from this
        workstation's clock (it may be hours off either way), so one is refreshed on first use.
        """
        self._redactor.register(session.access_token)
        self._redactor.register(session.refresh_token)
        self._user_id = str(session.user.id)
        self._user_email = session.user.email
        claims = _jwt_claims(session.access_token)
        lifetime = float(claims.get("exp", 0)) - float(claims.get("iat", 0))
        if lifetime <= 0:
            lifetime = float(session.expires_in or 3600)
        # Measured from when we got it on our own monotonic clock: a workstation clock that is
        # minutes off neither refreshes in a loop nor lets the token lapse.
        self._token_due_at = time.monotonic() + lifetime - min(60.0, lifetime / 4)
        if fresh:
            self._fresh_token = session.access_token
        elif session.access_token != self._fresh_token:
            self._token_due_at = time.monotonic()

    async def _open(self) -> Any:
        """A client with the stored session applied to REST and Realtime."""
        if self._client is not None:
            return self._client
        client = await self._create_client()
        try:
            session = await client.auth.get_session()  # refreshes an expired one
        except Exception as exc:
            await self._close_client(client)
            self._raise_auth_failure(exc)
        if session is None:
            await self._close_client(client)
            raise SyncSetupError(NOT_SIGNED_IN)
        self._remember_session(session, fresh=False)
        await client.realtime.set_auth(session.access_token)
        self._client = client
        return client

    async def _close_client(self, client: Any = None) -> None:
        client = client or self._client
        if client is None:
            return
        if client is self._client:
            self._client = None
        with contextlib.suppress(Exception):
            await client.remove_all_channels()
        with contextlib.suppress(Exception):
            await client.auth.close()
        postgrest = getattr(client, "_postgrest", None)
        if postgrest is not None:
            with contextlib.suppress(Exception):
                await postgrest.aclose()

    def _raise_auth_failure(self, exc: BaseException) -> None:
        from supabase_auth.errors import AuthApiError, AuthRetryableError, AuthSessionMissingError

        if isinstance(exc, SyncError):
            raise exc
        if isinstance(exc, AuthRetryableError) or self._is_network_error(exc):
            raise _Unreachable(self._unreachable_sentence(exc)) from exc
        if isinstance(exc, (AuthApiError, AuthSessionMissingError)):
            raise SyncSetupError(SESSION_ENDED) from exc
        raise SyncSetupError(f"Signing in to Supabase failed ({type(exc).__name__}): run `ohm sync login` again.") from exc

    async def _ensure_session(self) -> None:
        """Refresh the access token shortly before it expires (by our clock, not the server's)."""
        if time.monotonic() < self._token_due_at:
            return
        await self._refresh_session()

    async def _refresh_session(self) -> None:
        client = await self._open()
        try:
            response = await client.auth.refresh_session()
        except Exception as exc:
            self._raise_auth_failure(exc)
        if response.session is None:
            raise SyncSetupError(SESSION_ENDED)
        self.token_refreshes += 1
        self._remember_session(response.session)
        await client.realtime.set_auth(response.session.access_token)

    # ----------------------------------------------------------------- errors
    @staticmethod
    def _is_network_error(exc: BaseException) -> bool:
        import httpx

        return isinstance(exc, (httpx.TransportError, OSError, asyncio.TimeoutError, ConnectionError))

    def _unreachable_sentence(self, exc: BaseException) -> str:
        return (
            f"The Supabase server at {urlparse(self._url).netloc} cannot be reached ({type(exc).__name__}); "
            "changes are kept and sent when it is back."
        )

    async def _rest(self, call: Callable[[Any], Any]) -> Any:
        """Run one PostgREST request; sort its failures into retry-later, re-auth, or refused."""
        from postgrest.exceptions import APIError

        for attempt in range(2):
            client = await self._open()
            await self._ensure_session()
            try:
                return await call(client)
            except APIError as exc:
                code = str(exc.code or "")
                if code in ("PGRST301", "PGRST302", "PGRST303") or "JWT" in str(exc.message or ""):
                    if attempt == 0:
                        await self._refresh_session()
                        continue
                    raise SyncSetupError(SESSION_ENDED) from exc
                if code == "57014":
                    # Hosted projects give `authenticated` an 8 s statement_timeout: retrying the
                    # same batch would time out forever; the caller splits it.
                    raise _StatementTimeout(
                        f"The Supabase server at {urlparse(self._url).netloc} took too long for one request; "
                        "retrying in smaller parts."
                    ) from exc
                if code in ("500", "502", "503", "504", "520", "PGRST000", "PGRST001", "PGRST002") or code.startswith(
                    ("08", "53", "57", "40")
                ):
                    raise _Unreachable(
                        f"The Supabase server at {urlparse(self._url).netloc} is having trouble ({code}); "
                        "changes are kept and retried."
                    ) from exc
                raise
            except Exception as exc:
                if self._is_network_error(exc):
                    raise _Unreachable(self._unreachable_sentence(exc)) from exc
                raise
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ login
    async def login(self, email: str, password: str, *, signup: bool = False) -> str:
        """Sign in (or create the account) and keep the session in the keyring; returns the email."""
        from supabase_auth.errors import AuthApiError, AuthRetryableError, AuthWeakPasswordError

        self._redactor.register(password)
        client = await self._create_client()
        try:
            credentials = {"email": email, "password": password}
            if signup:
                response = await client.auth.sign_up(credentials)
            else:
                response = await client.auth.sign_in_with_password(credentials)
        except AuthWeakPasswordError as exc:
            raise SyncSetupError(_weak_password_sentence(exc)) from exc
        except AuthApiError as exc:
            raise SyncSetupError(self._auth_refusal(exc, signup)) from exc
        except (AuthRetryableError, OSError) as exc:
            raise SyncError(
                f"Cannot reach Supabase at {self._url} ({type(exc).__name__}): check the network and the URL, then try again."
            ) from exc
        except Exception as exc:
            if self._is_network_error(exc):
                raise SyncError(
                    f"Cannot reach Supabase at {self._url} ({type(exc).__name__}): check the network and the URL, then try again."
                ) from exc
            raise
        finally:
            await self._close_client(client)
        if response.session is None:
            if response.user is not None and response.user.identities == []:
                # GoTrue (signup.go, sanitizeUser) answers a sign-up of an existing email with a
                # made-up user without identities when confirmations are on, so as not to tell.
                raise SyncSetupError(
                    "Supabase did not create a new account: that email may already have one (sign in without "
                    "--signup), or it waits for its confirmation link (open it, then run `ohm sync login`)."
                )
            raise SyncSetupError(
                "The account was created, but this Supabase project wants the email confirmed first: "
                "open the link it sent you, then run `ohm sync login` again."
            )
        self._remember_session(response.session)
        self._notify()
        return str(response.session.user.email or email)

    @staticmethod
    def _auth_refusal(exc: Any, signup: bool) -> str:
        code = str(getattr(exc, "code", "") or "")
        if code == "invalid_credentials":
            return "Supabase rejected that email and password: check them and try again (add --signup to create the account)."
        if code in ("user_already_exists", "email_exists"):
            return "An account with that email already exists: sign in without --signup."
        if code == "email_not_confirmed":
            return "That account's email is not confirmed yet: open the link Supabase sent you, then sign in again."
        if code in ("signup_disabled", "email_provider_disabled"):
            return "This Supabase project does not allow email sign-ups: create the user in the Supabase dashboard."
        action = "Creating the account" if signup else "Signing in"
        return f"{action} failed: Supabase said {exc.message!r}; check the email and password and try again."

    async def logout(self) -> None:
        """Forget the stored session (the outbox keeps anything not pushed yet)."""
        await self._storage.remove_item(SESSION_KEY)
        self._user_email = None
        self._user_id = None
        self._notify()

    def retry_failed(self) -> int:
        """Give changes the server refused another try (e.g. after fixing its policies), and
        read server rows kept aside again at the next catch-up."""
        count = self._store.outbox_retry_failed()
        release_quarantine(self._store)
        self._notify()
        return count

    # ------------------------------------------------------------------- push
    async def _push_pending(self) -> int:
        pushed = 0
        while True:
            rows = self._store.outbox_batch(self._push_batch, max_attempts=MAX_ATTEMPTS)
            if not rows:
                return pushed
            for table in PUSH_ORDER:
                group = [row for row in rows if row.table == table]
                if group:
                    await self._push_group(table, group)
            pushed += len(rows)
            self._mark_synced()
            self._notify()

    async def _push_group(self, table: str, group: list[OutboxRow]) -> None:
        from postgrest.exceptions import APIError

        latest: dict[str, OutboxRow] = {}
        for row in group:  # several edits of one chat: the last one is what it is now
            latest[row.row_id] = row
        payloads = [row.payload for row in latest.values()]
        seqs = [row.seq for row in group]
        try:
            response = await self._rest(
                lambda client: client.table(table)
                .upsert(payloads, on_conflict="id", ignore_duplicates=table not in MUTABLE_TABLES)
                .execute()
            )
        except _StatementTimeout:
            if len(group) == 1:
                raise  # one row too slow: the server is struggling; retry later
            middle = len(group) // 2
            await self._push_group(table, group[:middle])
            await self._push_group(table, group[middle:])
            return
        except APIError as exc:
            if len(group) > 1:  # find the row(s) the server refuses; push the rest
                middle = len(group) // 2
                await self._push_group(table, group[:middle])
                await self._push_group(table, group[middle:])
                return
            if table == "chats" and exc.code == "42501" and await self._owned_by_someone_else(group[0].row_id):
                # Only a chat's owner may rename or trash it (RLS). For a chat shared with us the
                # change is not kept waiting forever: the owner's version comes back instead.
                self._last_error = (
                    "Only the owner of a shared chat can rename it or move it to the trash: "
                    "it keeps the owner's title on every workstation."
                )
                self._store.outbox_remove(seqs)
                await self._apply_rows("chats", await self._select("chats", after=0, row_id=group[0].row_id))
                return
            chat_id = str(group[0].payload.get("chat_id") or "")
            if exc.code == "42501" and chat_id and not await self._is_member(chat_id):
                self._detach(chat_id)  # we were removed before we heard of it: the rows stay local
                return
            message = f"The server refused a {table} row ({exc.code}: {exc.message})."
            log.warning("push refused: %s", message)
            self._last_error = message
            self._store.outbox_record_failure(seqs, message)
            return
        await self._apply_rows(table, list(response.data))
        self._store.outbox_remove(seqs)

    async def _is_member(self, chat_id: str) -> bool:
        rows = await self._rest(
            lambda client: client.table("chat_members").select("chat_id").eq("chat_id", chat_id).eq("user_id", self._user_id).execute()
        )
        return bool(rows.data)

    async def _owned_by_someone_else(self, chat_id: str) -> bool:
        rows = await self._rest(lambda client: client.table("chats").select("owner").eq("id", chat_id).execute())
        return bool(rows.data) and str(rows.data[0].get("owner")) != self._user_id

    # ------------------------------------------------------------------- pull
    def _scope(self) -> str:
        return f"{self._url.rstrip('/')}|{self._user_id}"

    async def _select(
        self,
        table: str,
        *,
        after: int,
        upto: int | None = None,
        chat_id: str | None = None,
        row_id: str | None = None,
        columns: str = "*",
        limit: int = PULL_PAGE,
    ) -> list[dict[str, Any]]:
        """Rows ordered by ``server_seq``, at most ``limit``; fewer when the server timed out
        on a page that large (it is halved until one row), so callers page until empty."""

        def query(client: Any, limit: int) -> Any:
            builder = client.table(table).select(columns)
            if row_id is not None:
                builder = builder.eq("id", row_id)
            if chat_id is not None:
                builder = builder.eq("chat_id", chat_id)
            if upto is not None:
                builder = builder.lte("server_seq", upto)
            return builder.gt("server_seq", after).order("server_seq").limit(limit).execute()

        while True:
            try:
                response = await self._rest(functools.partial(query, limit=limit))
            except _StatementTimeout:
                if limit == 1:
                    raise
                limit = max(1, limit // 2)
                continue
            return list(response.data)

    async def _catch_up(self) -> int:
        """Read every table from the last verified position; returns how many rows came.

        Positions are listed first and only the rows not already applied (the gaps: dropped
        or never-sent live events, everything while away) are fetched; the cursor moves only
        over listed positions, so it never passes a row this workstation did not get.
        """
        self.catch_ups += 1
        self._unverified_since = None
        pulled = 0
        # A chat we are found to be a member of is backfilled only up to where each table's
        # cursor stood: what lies above it, this catch-up reads anyway (not twice).
        covered: dict[str, int] = {table: self._store.sync_cursor(self._scope(), table) for table in PULL_ORDER}
        for table in PULL_ORDER:
            start = max(0, covered[table] - CATCH_UP_OVERLAP)
            self._seen.forget_below(table, start)
            while True:
                listed = [
                    server_seq(row)
                    for row in await self._select(table, after=start, columns="server_seq", limit=LIST_PAGE)
                ]
                if not listed:
                    break
                for gap in gaps(table, start, listed, self._seen, max_count=PULL_PAGE):
                    pulled += await self._fetch_range(table, gap.after, gap.upto, covered)
                start = listed[-1]
                self._store.advance_sync_cursor(self._scope(), table, start)
                await asyncio.sleep(0)
        await self._notice_removals()
        await self._refresh_invitations()
        self._mark_synced()
        self.rows_fetched += pulled
        return pulled

    async def _fetch_range(self, table: str, after: int, upto: int, covered: dict[str, int]) -> int:
        """Every row of ``table`` with ``after < server_seq <= upto``; returns how many.

        The next page is requested while this one is written to the store, so the server's
        and the store's time overlap instead of adding up.
        """
        fetched = 0
        following: asyncio.Task[list[dict[str, Any]]] | None = asyncio.ensure_future(
            self._select(table, after=after, upto=upto)
        )
        try:
            while following is not None:
                rows = await following
                following = None
                if not rows:
                    break
                after = server_seq(rows[-1])
                if after < upto:
                    following = asyncio.ensure_future(self._select(table, after=after, upto=upto))
                await self._apply_rows(table, rows, backfill_upto=covered)
                fetched += len(rows)
        finally:
            if following is not None:
                following.cancel()
                with contextlib.suppress(BaseException):
                    await following
        return fetched

    async def _notice_removals(self) -> None:
        """Detach the chats we were taken off while not listening (Realtime does not replay)."""
        known = self._store.sync_memberships(self._scope())  # before reading: a share arriving meanwhile stays
        member_of: set[str] = set()
        after = 0

        def page(client: Any, after: int) -> Any:
            query = client.table("chat_members").select("chat_id,server_seq").eq("user_id", self._user_id)
            return query.gt("server_seq", after).order("server_seq").limit(PULL_PAGE).execute()

        while True:
            response = await self._rest(functools.partial(page, after=after))
            member_of.update(str(row["chat_id"]) for row in response.data)
            if len(response.data) < PULL_PAGE:
                break
            after = server_seq(response.data[-1])
        for chat_id in known - member_of:
            self._detach(chat_id)
        self._store.record_sync_memberships(self._scope(), member_of)

    def _detach(self, chat_id: str) -> None:
        try:
            sentence = LEFT_REASON if chat_id in self._leaving else removal_reason(self._store.get_chat(chat_id).title)
        except OhmError:
            sentence = ""  # not here: detach_chat only forgets the membership
        if self._store.detach_chat(self._scope(), chat_id, sentence):
            log.info("chat %s is no longer shared with this account; kept locally", chat_id)
            if chat_id not in self._leaving:  # leaving is what the user asked for, not a problem
                self._last_error = sentence
            self._notify()

    def _has_chat(self, chat_id: str) -> bool:
        try:
            self._store.get_chat(chat_id)
        except OhmError:
            return False
        return True

    async def _apply_rows(
        self, table: str, records: list[dict[str, Any]], *, backfill_upto: dict[str, int] | None = None
    ) -> None:
        """Apply server rows; fetch parents (a chat shared with us, a merged artifact) first if missing.

        ``backfill_upto``: while a catch-up runs, the server position per table above which
        that catch-up reads every row itself, so a chat's backfill stops there.
        """
        if not records:
            return
        if table == MEMBERSHIP_ENDED:
            for record in records:
                self._detach(str(record["chat_id"]))
            return
        if table == INVITATIONS_CHANGED:
            await self._refresh_invitations()
            return
        if table == "chat_members":
            for record in records:
                if record.get("user_id") != self._user_id:
                    continue
                chat_id = str(record["chat_id"])
                if not self._has_chat(chat_id):
                    await self._backfill_chat(chat_id, upto=backfill_upto)
                elif self._store.reattach_chat(chat_id):
                    # Shared with us again: what others wrote meanwhile was invisible to us and
                    # the cursors moved past it, so read the whole chat again.
                    await self._backfill_chat(chat_id)
                self._store.record_sync_memberships(self._scope(), [chat_id])
            # A membership_changes notice (live) carries no position of its own; catch-up rows do.
            self._seen.add(table, (server_seq(record) for record in records if "server_seq" in record))
            return
        if table.endswith(REFETCH):
            await self._refetch(table.removesuffix(REFETCH), records)
            return
        if table == "artifact_versions":
            records = [attributed(record, self._user_id) for record in records]
        rows = [to_local(table, record) for record in records]
        await asyncio.sleep(0)  # the page was just parsed: let the window paint before writing it
        for _ in range(3):
            missing = await self._apply_in_slices(table, rows, records)
            placed = [
                record for record in records
                if not any(record.get(_PARENT_KEY[parent.table]) == parent.row_id for parent in missing)
            ]
            self._seen.add(table, (server_seq(record) for record in placed))
            if not missing:
                return
            for parent in missing:
                if parent.table == "chats":
                    await self._backfill_chat(parent.row_id, upto=backfill_upto)
                else:
                    await self._apply_rows(parent.table, await self._select(parent.table, after=0, row_id=parent.row_id))
        log.warning("%d %s row(s) could not be placed: their chat is not visible to this account", len(missing), table)

    async def _apply_in_slices(
        self, table: str, rows: list[dict[str, Any]], records: list[dict[str, Any]]
    ) -> list[MissingParent]:
        """``apply_remote`` APPLY_SLICE rows at a time, yielding to the event loop between slices.

        The window runs sync on its only event loop: one transaction for a 1,000-row page held
        it for ~45 ms (a visible stall per page during a catch-up). A slice that fails is
        applied row by row, and a row that still fails is quarantined, never retried forever.
        """
        missing: list[MissingParent] = []
        for start in range(0, len(rows), APPLY_SLICE):
            if start:
                await asyncio.sleep(0)
            part = rows[start : start + APPLY_SLICE]
            try:
                found = self._store.apply_remote(table, part)
            except _APPLY_FAILURES:
                found = []
                for row, record in zip(part, records[start : start + APPLY_SLICE], strict=True):
                    try:
                        found += self._store.apply_remote(table, [row])
                    except _APPLY_FAILURES as exc:
                        self._quarantine(table, record, exc)
            for parent in found:
                if parent not in missing:
                    missing.append(parent)
        return missing

    def _quarantine(self, table: str, record: dict[str, Any], exc: BaseException) -> None:
        reason = str(exc) if isinstance(exc, OhmError) else f"{type(exc).__name__}: {exc}"
        log.warning("server %s row %s could not be applied; kept aside: %s", table, record.get("id"), reason)
        quarantine_row(self._store, self._scope(), table, record, reason)
        self._last_error = (
            f"A {table} row from the server could not be applied here ({reason}); it is kept aside "
            "and sync goes on (`ohm sync status` counts them, `ohm sync run --retry-failed` tries again)."
        )
        self._notify()

    async def _refetch(self, table: str, records: list[dict[str, Any]]) -> None:
        """Rows Realtime sent without their content (``errors``, e.g. 413 over 1 MiB): read
        them by primary key over REST; a table without an ``id`` is left to the catch-up."""
        for record in records:
            row_id = record.get("id")
            if row_id is None:
                self._catch_up_requested.set()
                continue
            rows = await self._select(table, after=0, row_id=str(row_id))
            self.rows_fetched += len(rows)
            await self._apply_rows(table, rows)

    async def _backfill_chat(self, chat_id: str, *, upto: dict[str, int] | None = None) -> None:
        """Everything of one chat (one we were just invited to, or first hear of), or with ``upto``
        only the rows at or below those server positions."""
        if chat_id in self._backfilling:
            return
        self._backfilling.add(chat_id)
        try:
            chats = await self._select("chats", after=0, row_id=chat_id)
            if not chats:
                return
            self._store.apply_remote("chats", [to_local("chats", chats[0])])
            for table in ("artifacts", "artifact_versions", "messages"):
                limit = None if upto is None else upto.get(table, 0)
                if limit == 0:
                    continue  # the running catch-up reads this whole table
                after = 0
                while True:
                    rows = await self._select(table, after=after, upto=limit, chat_id=chat_id)
                    if not rows:
                        break
                    await self._apply_rows(table, rows)
                    after = server_seq(rows[-1])
        finally:
            self._backfilling.discard(chat_id)

    # --------------------------------------------------------------- realtime
    def _guarded(self, callback: Callable[..., T]) -> Callable[..., T | None]:
        """realtime-py calls callbacks inside its reader task: one exception would end it for good."""

        @functools.wraps(callback)
        def guarded(*args: Any) -> T | None:
            try:
                return callback(*args)
            except Exception:
                log.exception("sync callback %s failed", getattr(callback, "__name__", callback))
                return None

        return guarded

    def _on_change(self, table: str, payload: Any) -> None:
        data = payload["data"]
        record = data.get("record")
        if table == "membership_changes":
            # RLS sends each account only its own rows; the user_id check is belt and braces.
            if record and record.get("user_id") == self._user_id and record.get("chat_id"):
                kind = MEMBERSHIP_ENDED if record.get("change") == "removed" else "chat_members"
                self._inbox.put_nowait((self._generation, kind, {"chat_id": record["chat_id"], "user_id": self._user_id}))
        elif table == INVITATIONS_CHANGED:
            self._inbox.put_nowait((self._generation, table, {}))
        elif record and data.get("errors"):
            # Realtime's apply_rls: a WAL record over max_record_bytes (1 MiB) comes with only
            # its fields of <= 64 bytes and errors ["Error 413: Payload Too Large"]; any error
            # means the record is not the row. Its primary key is among the short fields.
            self._inbox.put_nowait((self._generation, table + REFETCH, record))
        elif record:
            self._inbox.put_nowait((self._generation, table, record))

    def _on_system(self, payload: Any) -> None:
        if getattr(payload, "extension", None) != "postgres_changes":
            return
        if getattr(payload, "status", None) == "ok":
            if self._subscribed:
                # Realtime answers an access_token push by subscribing again with the new claims
                # (realtime_channel.ex, handle_in("access_token", ...): postgres_subscribe()) and
                # says "Subscribed to PostgreSQL" once more. Nothing was torn down: no reconnect
                # for the user, just the usual cheap check for events lost in between.
                self._unverified_since = self._unverified_since or time.monotonic()
                return
            # Subscribed (again): what happened while we were away comes by REST.
            self._generation += 1
            self._subscribed = True
            self._catch_up_requested.set()
        else:
            self._subscribed = False
            message = str(getattr(payload, "message", ""))
            self._token_refused = self._token_refused or "oken" in message
            self._last_error = f"Realtime refused the subscription: {message}"
        self._notify()

    def _on_subscribe_state(self, state: Any, error: Exception | None) -> None:
        if str(getattr(state, "value", state)) != "SUBSCRIBED":
            self._subscribed = False
            if error is not None and "not in publication" in str(error):
                self._last_error = OUTDATED_PROJECT  # e.g. membership_changes is missing
            elif error is not None:
                # An expired or invalid token ends the channel (a system error, or a refused join).
                self._token_refused = self._token_refused or "oken" in str(error)
                self._last_error = f"The Realtime connection dropped ({type(error).__name__}); reconnecting."
            self._notify()

    def _realtime_gave_up(self, client: Any) -> bool:
        realtime = client.realtime
        listener = getattr(realtime, "_listen_task", None)
        return not realtime.is_connected and (listener is None or listener.done())

    async def _realtime_forever(self) -> None:
        """Keep one subscription alive; restart the library's client when it gives up."""
        backoff = Backoff(0.5, 30.0)
        while True:
            client = None
            try:
                client = await self._open()
                if self._token_refused:
                    # Realtime judged the token by its own clock: get a new one before rejoining.
                    self._token_refused = False
                    await self._refresh_session()
                await self._ensure_session()
                channel = client.channel(f"ohm-sync-{new_id()}")
                for table in REALTIME_TABLES:
                    channel.on_postgres_changes(
                        # An invitation's DELETE (accepted or declined elsewhere) removes its notice.
                        "*" if table in MUTABLE_TABLES or table == INVITATIONS_CHANGED else "INSERT",
                        self._guarded(functools.partial(self._on_change, table)),
                        table=table,
                    )
                channel.on_system(self._guarded(self._on_system))
                await channel.subscribe(self._guarded(self._on_subscribe_state))
                if not channel.is_joined:
                    refused = self._last_error if self._last_error == OUTDATED_PROJECT else None
                    raise _Unreachable(refused or "Realtime did not accept the subscription; retrying.")
                joined_at = time.monotonic()
                while not self._realtime_gave_up(client):
                    if channel.is_joined:
                        backoff.reset()
                        joined_at = time.monotonic()
                    elif time.monotonic() - joined_at > self.CHANNEL_REJOIN_S:
                        raise _Unreachable("Realtime closed the subscription; subscribing again.")
                    await asyncio.sleep(WATCHDOG_S)
                raise _Unreachable("The Realtime connection was lost; reconnecting.")
            except asyncio.CancelledError:
                raise
            except SyncError:
                raise
            except _Unreachable as exc:
                self._set_offline(str(exc))
            except Exception as exc:
                log.warning("realtime failed: %s", type(exc).__name__, exc_info=True)
                self._set_offline(self._unreachable_sentence(exc))
            finally:
                self._subscribed = False
                if client is not None:
                    await self._reset_realtime(client)
            await asyncio.sleep(backoff.next())

    @staticmethod
    async def _reset_realtime(client: Any) -> None:
        realtime = client.realtime
        with contextlib.suppress(Exception):
            await realtime.close()
        realtime.channels.clear()
        realtime.send_buffer.clear()  # leave messages for the dead channels must not be replayed

    async def _apply_inbox_forever(self) -> None:
        """Apply live rows. They never move the catch-up cursor (Realtime may have dropped
        others in between): a catch-up soon after verifies there is no gap."""
        while True:
            batch = [await self._inbox.get()]
            while not self._inbox.empty() and len(batch) < 1000:
                batch.append(self._inbox.get_nowait())
            now = time.monotonic()
            self._last_live_at = now
            self._unverified_since = self._unverified_since or now
            for table, run in itertools.groupby(batch, key=lambda item: item[1]):
                items = list(run)
                try:
                    await self._apply_rows(table, [record for _, _, record in items])
                except (_Unreachable, SyncError) as exc:
                    # Not lost: the cursor did not move, the next catch-up reads these again.
                    self._set_offline(str(exc))
                    self._catch_up_requested.set()
                except Exception as exc:
                    # Whatever else goes wrong with live rows, this loop must go on (it is the
                    # only one applying them); the catch-up reads them again.
                    log.exception("applying live %s rows failed", table)
                    self._last_error = f"Applying changes from the server failed ({type(exc).__name__}); catching up."
                    self._catch_up_requested.set()
            self._mark_synced()
            self._notify()

    def _next_catch_up_in(self) -> float:
        """Seconds until the next catch-up while live (see CATCH_UP_EVERY_S)."""
        due = self._last_catch_up_at + self.CATCH_UP_EVERY_S
        if self._unverified_since is not None:
            due = min(due, self._last_live_at + self.CATCH_UP_AFTER_LIVE_S, self._unverified_since + self.CATCH_UP_LIVE_MAX_S)
        return max(0.0, due - time.monotonic())

    async def _catch_up_forever(self) -> None:
        backoff = Backoff(0.5, 30.0)
        self._last_catch_up_at = time.monotonic()
        while True:
            # Re-judged every second: live rows arriving meanwhile bring the next check forward.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(1.0, self._next_catch_up_in())):
                    await self._catch_up_requested.wait()
            if not self._catch_up_requested.is_set() and (not self._subscribed or self._next_catch_up_in() > 0):
                continue  # not due (the periodic check also waits for a subscription, which asks itself)
            self._catch_up_requested.clear()
            self._last_catch_up_at = time.monotonic()
            generation = self._generation
            try:
                await self._catch_up()
            except _Unreachable as exc:
                self._set_offline(str(exc))
                await asyncio.sleep(backoff.next())
                self._catch_up_requested.set()
                continue
            backoff.reset()
            self._caught_up_generation = generation
            self._notify()

    async def _push_forever(self) -> None:
        backoff = Backoff(0.5, 30.0)
        while True:
            self._outbox_signal.clear()
            try:
                if await self._push_pending():
                    backoff.reset()
            except _Unreachable as exc:
                self._set_offline(str(exc))
                await asyncio.sleep(backoff.next())
                continue
            # asyncio.timeout, not wait_for: on 3.11 wait_for loses a cancellation that lands as
            # the event is set, and this loop would then never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(OUTBOX_POLL_S):
                    await self._outbox_signal.wait()

    async def _refresh_forever(self) -> None:
        """Refresh the access token before it lapses even while nothing is pushed or pulled.

        An idle workstation still holds a Realtime subscription whose token expires; a refresh
        the server refuses (signed out everywhere, account deleted) ends sync with SESSION_ENDED.
        """
        backoff = Backoff(0.5, 30.0)
        while True:
            await asyncio.sleep(min(300.0, max(0.0, self._token_due_at - time.monotonic())))
            try:
                await self._ensure_session()
            except _Unreachable as exc:
                self._set_offline(str(exc))
                await asyncio.sleep(backoff.next())
                continue
            backoff.reset()

    def _on_store_change(self, change: StoreChange) -> None:
        if change.origin == "local" and self._loop is not None:
            self._loop.call_soon_threadsafe(self._outbox_signal.set)

    # -------------------------------------------------------------- run modes
    def sync_now(self) -> None:
        """While :meth:`run_forever` runs: push and catch up right away (a "Sync now" button)."""
        if self._running:
            self._outbox_signal.set()
            self._catch_up_requested.set()

    async def run_once(self) -> SyncReport:
        """Push everything queued, then pull everything new; no Realtime. Raises SyncError.

        For when :meth:`run_forever` is not running (use :meth:`sync_now` while it is).
        """
        self._require_configured()
        if self._running:
            raise SyncError("Sync is already running live in this process: use sync_now() instead of run_once().")
        try:
            await self._open()
            pushed = await self._push_pending()
            pulled = await self._catch_up()
        except _Unreachable as exc:
            waiting, _ = self._store.outbox_counts(max_attempts=MAX_ATTEMPTS)
            raise SyncError(f"{exc} {waiting} change(s) stay queued for the next run.") from exc
        finally:
            await self._close_client()
        _, stuck = self._store.outbox_counts(max_attempts=MAX_ATTEMPTS)
        self._notify()
        return SyncReport(pushed, pulled, stuck)

    async def run_forever(self) -> None:
        """Push, subscribe and catch up until cancelled; reconnects forever with backoff.

        Raises SyncError only for what retrying cannot fix (not configured, not signed in,
        session ended).
        """
        self._require_configured()
        self._loop = asyncio.get_running_loop()
        self._inbox = asyncio.Queue()
        self._outbox_signal = asyncio.Event()
        self._catch_up_requested = asyncio.Event()
        self._seen.clear()  # positions of an earlier run (maybe another account) prove nothing now
        self._running = True
        self._network_error = None
        unsubscribe = self._store.subscribe(self._on_store_change)
        self._notify()
        tasks: list[asyncio.Task[None]] = []
        try:
            await self._open_with_retry()
            tasks = [
                asyncio.create_task(self._push_forever(), name="sync-push"),
                asyncio.create_task(self._realtime_forever(), name="sync-realtime"),
                asyncio.create_task(self._catch_up_forever(), name="sync-catch-up"),
                asyncio.create_task(self._apply_inbox_forever(), name="sync-apply"),
                asyncio.create_task(self._refresh_forever(), name="sync-token-refresh"),
            ]
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()  # a SyncError (signed out) ends sync and reaches the caller
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(BaseException):
                    await task
            unsubscribe()
            self._running = False
            self._subscribed = False
            await self._close_client()
            self._notify()

    async def _open_with_retry(self) -> None:
        backoff = Backoff(0.5, 30.0)
        while True:
            try:
                await self._open()
                return
            except _Unreachable as exc:
                self._set_offline(str(exc))
                await asyncio.sleep(backoff.next())

    async def wait_until(self, predicate: Callable[[SyncStatus], bool], timeout_s: float) -> SyncStatus:
        """Wait until the status satisfies ``predicate`` (tests, ``ohm sync run`` progress)."""
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.status()
            if predicate(status):
                return status
            if time.monotonic() > deadline:
                raise TimeoutError(f"sync status stayed {status.label}: {status.detail}")
            await asyncio.sleep(0.02)

    # ------------------------------------------------------------------ share
    async def share_chat(self, chat_id: str, email: str) -> None:
        """Invite ``email`` to one of your chats (pushed first); they get access once they accept.

        The server answers the same whether an account has that email or not.
        """
        await self._call(
            "share_chat",
            {"p_chat_id": chat_id, "p_email": email},
            action="Sharing the chat",
            refusals={
                "42501": "Only the owner of a chat can share it.",
                "22023": f"{email!r} is not an email address: check it and try again.",
                "54000": "You have 200 invitations nobody answered yet: wait for answers before inviting more.",
            },
        )

    # ------------------------------------------------------------- invitations
    @property
    def pending_invitations(self) -> list[Invitation]:
        """The invitations to this account seen at the last catch-up or Realtime notice."""
        return list(self._invitations or [])

    def subscribe_invitations(self, listener: InvitationsListener) -> Callable[[], None]:
        """Call ``listener(pending)`` whenever the invitations to this account change."""
        self._invitation_listeners.append(listener)
        return lambda: self._invitation_listeners.remove(listener) if listener in self._invitation_listeners else None

    async def invitations(self) -> list[Invitation]:
        """Invitations to the signed-in account that wait for a yes or no, oldest first."""
        return await self._while_open(self._refresh_invitations)

    async def _while_open(self, work: Callable[[], Awaitable[T]]) -> T:
        """``await work()`` with a client open (closed after unless run_forever keeps one)."""
        self._require_configured()
        opened_here = self._client is None
        try:
            await self._open()
            return await work()
        except _Unreachable as exc:
            raise SyncError(str(exc)) from exc
        finally:
            if opened_here:
                await self._close_client()

    async def accept_invitation(self, invitation_id: str) -> str:
        """Say yes: become a member of the chat (pulled right away while sync runs); returns its id."""
        chat_id = await self._call(
            "accept_invitation",
            {"p_invitation_id": invitation_id},
            action="Accepting the invitation",
            refusals={"P0002": NO_SUCH_INVITATION, "22P02": NO_SUCH_INVITATION},
            scalar=True,
        )
        self.sync_now()
        return str(chat_id)

    async def decline_invitation(self, invitation_id: str) -> None:
        """Say no (or, for its sender, take it back): the invitation is gone, nobody is added."""
        await self._call(
            "decline_invitation",
            {"p_invitation_id": invitation_id},
            action="Declining the invitation",
            refusals={"P0002": NO_SUCH_INVITATION, "22P02": NO_SUCH_INVITATION},
        )
        self.sync_now()

    async def _refresh_invitations(self) -> list[Invitation]:
        def query(client: Any) -> Any:
            return (
                client.table("chat_invitations").select("*")
                .eq("invitee_email", (self._user_email or "").lower()).order("created_at").execute()
            )

        from postgrest.exceptions import APIError

        try:
            rows = (await self._rest(query)).data
        except APIError as exc:
            if exc.code not in ("PGRST205", "42P01"):  # the table is missing: an older project
                raise
            self._last_error = OUTDATED_PROJECT
            return []
        invitations = [Invitation.from_server(row) for row in rows]
        if invitations != self._invitations:
            self._invitations = invitations
            for listener in list(self._invitation_listeners):
                try:
                    listener(list(invitations))
                except Exception:
                    log.exception("invitation listener failed")
        return invitations

    async def chat_people(self, chat_id: str) -> list[ChatPerson]:
        """Who can see a chat (its owner first), the signed-in account marked."""
        rows = await self._call(
            "chat_people",
            {"p_chat_id": chat_id},
            action="Listing who has access",
            refusals={"42501": "This chat is not shared with your account (it is kept on this workstation only)."},
        )
        people = [ChatPerson.from_server(row, self._user_id) for row in rows]
        if any(person.is_you and person.role == "owner" for person in people):
            people += await self._while_open(lambda: self._sent_invitations(chat_id))
        return people

    async def _sent_invitations(self, chat_id: str) -> list[ChatPerson]:
        """The invitations to a chat nobody answered yet (RLS shows them to their sender only)."""
        response = await self._rest(
            lambda client: client.table("chat_invitations").select("id,invitee_email")
            .eq("chat_id", chat_id).order("created_at").execute()
        )
        return [ChatPerson.invited(row) for row in response.data]

    async def remove_person(self, chat_id: str, person: ChatPerson) -> None:
        """Take a teammate off one of your chats, or take back an invitation they did not answer."""
        if person.role == "invited":
            await self.decline_invitation(person.user_id)
        else:
            await self.remove_member(chat_id, person.user_id)

    async def remove_member(self, chat_id: str, user_id: str) -> None:
        """Take a teammate off one of your chats; their copy stays on their workstations."""
        await self._call(
            "remove_chat_member",
            {"p_chat_id": chat_id, "p_user_id": user_id},
            action="Removing the teammate",
            refusals={"42501": "Only the owner of a chat can remove someone from it, and never the owner."},
        )

    async def leave_chat(self, chat_id: str) -> None:
        """Stop sharing in someone else's chat: it stays here, detached (no longer syncs)."""
        self._leaving.add(chat_id)
        try:
            await self._call(
                "remove_chat_member",
                lambda: {"p_chat_id": chat_id, "p_user_id": self._user_id},  # known once signed in
                action="Leaving the chat",
                refusals={"42501": ""},
            )
        except SyncSetupError as exc:
            cause = exc.__cause__
            if "owner" in str(getattr(cause, "message", "")):
                raise SyncSetupError("You own this chat, so you cannot leave it (you can move it to the trash).") from cause
            # Not a member any more (removed meanwhile): leaving is already done on the server.
        finally:
            self._leaving.discard(chat_id)
        self._store.detach_chat(self._scope(), chat_id, LEFT_REASON)

    async def _call(
        self,
        function: str,
        params: dict[str, Any] | Callable[[], dict[str, Any]],
        *,
        action: str,
        refusals: dict[str, str],
        scalar: bool = False,
    ) -> Any:
        """Call one of the migrations' functions over REST, queued changes pushed first (a chat
        being shared must exist on the server). ``params`` may be built once the session is open;
        a refusal whose SQLSTATE is in ``refusals`` becomes SyncSetupError with that sentence.
        Returns the rows, or with ``scalar`` the function's value as it came."""
        from postgrest.exceptions import APIError

        self._require_configured()
        opened_here = self._client is None  # while run_forever runs, its client stays open
        try:
            await self._open()
            await self._push_pending()
            arguments = params() if callable(params) else params
            response = await self._rest(lambda client: client.rpc(function, arguments).execute())
        except _Unreachable as exc:
            raise SyncError(str(exc)) from exc
        except APIError as exc:
            if exc.code in refusals:
                raise SyncSetupError(refusals[exc.code]) from exc
            raise SyncError(f"{action} failed ({exc.code}: {exc.message}).") from exc
        finally:
            if opened_here:
                await self._close_client()
        data = response.data
        if scalar:
            return data
        if isinstance(data, list):
            return [row for row in data if isinstance(row, dict)]
        return [data] if isinstance(data, dict) else []
