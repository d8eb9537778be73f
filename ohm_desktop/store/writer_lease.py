"""Which Ohm process is alive: a lock file held for as long as a store is open.

The window and ``ohm`` commands may have the same database open at once. A message left
``streaming`` is only a crash leftover if the process writing it is gone; each open store
holds an OS lock on ``<db>.writer-<id>`` and stamps its streaming messages with that id, so
another process can tell a live reply from an orphan by trying the lock. The OS drops the
lock when a process dies, however it dies (SIGKILL, power loss of the session).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from ohm_desktop.ids import new_id


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on ``fd`` without waiting; False when someone else holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _lease_path(database: Path, lease_id: str) -> Path:
    return database.with_name(f"{database.name}.writer-{lease_id}")


class WriterLease:
    """This process's lease on a database; :attr:`id` is stamped on the messages it streams."""

    def __init__(self, lease_id: str, path: Path, fd: int) -> None:
        self.id = lease_id
        self._path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, database: Path) -> WriterLease:
        lease_id = new_id()
        path = _lease_path(database, lease_id)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):  # a fresh random name: only possible if locking is broken here
            os.close(fd)
            raise OSError(f"could not lock {path}")
        return cls(lease_id, path, fd)

    def release(self) -> None:
        if self._fd is None:
            return
        # Unlink while still locked, so nobody sees a free lease of a live store.
        with contextlib.suppress(OSError):
            self._path.unlink()
        os.close(self._fd)
        self._fd = None


def lease_is_live(database: Path, lease_id: str) -> bool:
    """True while the process holding ``lease_id`` on ``database`` is alive (and has it open)."""
    path = _lease_path(database, lease_id)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: assume live, never interrupt someone else's reply
    try:
        return not _try_lock(fd)
    finally:
        os.close(fd)  # closing drops our probe lock, if we got it


def sweep_dead_leases(database: Path) -> None:
    """Delete lease files whose process is gone (they pile up after crashes otherwise)."""
    for path in database.parent.glob(f"{database.name}.writer-*"):
        lease_id = path.name.rsplit(".writer-", 1)[1]
        if not lease_is_live(database, lease_id):
            with contextlib.suppress(OSError):
                path.unlink()
