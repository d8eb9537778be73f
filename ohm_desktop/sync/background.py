"""Sync running in the background of a long-lived process (the window).

``BackgroundSync`` owns the one :class:`SyncService` of the process and the task that runs
it: started when the user is signed in, stopped on sign-out or shutdown, rebuilt when the
Supabase URL or anon key change in Settings. Status listeners survive those rebuilds, so the
status bar subscribes once. A sync that ends on its own (the session was revoked) leaves a
status saying what happened and what to do, and never takes the window down with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ohm_desktop.errors import OhmError, SyncSetupError
from ohm_desktop.redaction import SecretRedactor
from ohm_desktop.store import LocalStore
from ohm_desktop.sync.invitations import Invitation, InvitationsListener
from ohm_desktop.sync.service import NOT_CONFIGURED, SyncService
from ohm_desktop.sync.status import StatusListener, SyncStatus, notify_all

log = logging.getLogger(__name__)

ServiceFactory = Callable[[tuple[str, str] | None], SyncService]


class BackgroundSync:
    """Start, stop and reconfigure sync for a process that keeps running (the window)."""

    def __init__(
        self,
        store: LocalStore,
        supabase: tuple[str, str] | None,
        redactor: SecretRedactor,
        *,
        data_dir: Path,
        service_factory: ServiceFactory | None = None,
    ) -> None:
        self._factory: ServiceFactory = service_factory or (
            lambda project: SyncService(store, supabase=project, redactor=redactor, data_dir=data_dir)
        )
        self._listeners: list[StatusListener] = []
        self._invitation_listeners: list[InvitationsListener] = []
        self._task: asyncio.Task[None] | None = None
        self._side_tasks: set[asyncio.Task[bool]] = set()
        #: Why sync stopped by itself (session ended …); cleared by the next start or sign-in.
        self._stopped_because: str | None = None
        self.service = self._build(supabase)

    def _build(self, supabase: tuple[str, str] | None) -> SyncService:
        service = self._factory(supabase)
        service.subscribe(self._forward)
        service.subscribe_invitations(self._forward_invitations)
        return service

    # ------------------------------------------------------------------ status
    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def status(self) -> SyncStatus:
        """The service's status, with the reason sync stopped if it stopped by itself."""
        status = self.service.status()
        if self._stopped_because is not None and status.state == "off":
            return replace(status, last_error=self._stopped_because, detail=self._stopped_because)
        return status

    def subscribe(self, listener: StatusListener) -> Callable[[], None]:
        """``listener(status)`` on every change, across reconfigurations; returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _forward(self, _status: SyncStatus) -> None:
        notify_all(self._listeners, self.status())

    def subscribe_invitations(self, listener: InvitationsListener) -> Callable[[], None]:
        """``listener(pending)`` whenever the invitations to this account change, across reconfigurations."""
        self._invitation_listeners.append(listener)
        return lambda: self._invitation_listeners.remove(listener) if listener in self._invitation_listeners else None

    def _forward_invitations(self, pending: list[Invitation]) -> None:
        for listener in list(self._invitation_listeners):
            try:
                listener(list(pending))
            except Exception:
                log.exception("invitation listener failed")

    # ------------------------------------------------------------- lifecycle
    async def start(self) -> bool:
        """Run sync if it is configured and a session is stored; returns whether it runs now."""
        if self.running:
            return True
        if not self.service.configured or await self.service.signed_in_email() is None:
            self._forward(self.status())
            return False
        self._stopped_because = None
        self._task = asyncio.ensure_future(self.service.run_forever())
        self._task.add_done_callback(self._ended)
        return True

    def _ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if isinstance(error, OhmError):
            self._stopped_because = error.message
        elif error is not None:
            log.error("sync stopped unexpectedly: %s", type(error).__name__, exc_info=error)
            self._stopped_because = "Sync stopped after an unexpected error: restart Ohm; your changes stay queued."
        self._forward(self.status())

    async def stop(self) -> None:
        """Stop the background task (queued changes stay in the outbox)."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # we are being cancelled ourselves, not only the sync task
        except Exception:
            log.debug("sync task ended with an error while stopping", exc_info=True)

    async def reconfigure(self, supabase: tuple[str, str] | None) -> bool:
        """Point sync at another Supabase project (or none); restarts it when signed in there."""
        if supabase == (self.service.url, self.service.anon_key) or (supabase is None and not self.service.configured):
            return self.running
        await self.stop()
        self._stopped_because = None
        self.service = self._build(supabase)
        self._forward(self.status())
        return await self.start()

    def reconfigure_soon(self, supabase: tuple[str, str] | None) -> asyncio.Task[bool]:
        """:meth:`reconfigure` as a task this object keeps alive (for a caller that cannot await)."""
        task = asyncio.ensure_future(self.reconfigure(supabase))
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)
        return task

    async def login(self, email: str, password: str, *, signup: bool = False) -> str:
        """Sign in (or create the account) and start syncing; raises SyncError with the sentence to show."""
        if not self.service.configured:
            raise SyncSetupError(NOT_CONFIGURED)
        signed_in = await self.service.login(email, password, signup=signup)
        await self.stop()
        await self.start()
        return signed_in

    async def logout(self) -> None:
        """Stop syncing and forget the session; what is queued stays queued."""
        await self.stop()
        await self.service.logout()
        self._stopped_because = None
        self._forward(self.status())

    def sync_now(self) -> bool:
        """Push and catch up right away; returns False when sync is not running."""
        if not self.running:
            return False
        self.service.sync_now()
        return True

    def retry_failed(self) -> int:
        """Give changes the server refused another try (and push them now when running)."""
        count = self.service.retry_failed()
        self.sync_now()
        return count

    async def aclose(self) -> None:
        await self.stop()
