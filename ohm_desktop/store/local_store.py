"""The local SQLite store: the source of truth on this workstation.

WAL mode so readers (the window) never block the writer (a streaming turn), foreign keys on,
``synchronous=FULL`` so a committed version survives power loss. Every change that must
reach other workstations writes its outbox row in the same transaction as the change.
"""

from __future__ import annotations

import json
import logging
import random
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ohm_desktop.errors import StoreError, UsageError
from ohm_desktop.ids import new_id
from ohm_desktop.listeners import Listeners
from ohm_desktop.store.migrations import MIGRATIONS
from ohm_desktop.store.records import (
    ARTIFACT_TYPES,
    Artifact,
    ArtifactType,
    ArtifactVersion,
    Chat,
    Message,
    MessageRole,
    MessageStatus,
    MissingParent,
    OutboxRow,
    SearchHit,
    StoreChange,
)
from ohm_desktop.store.remote_checks import (
    Refusal,
    RefusedRow,
    author_refusal,
    chat_refusal,
    number_refusal,
)
from ohm_desktop.store.writer_lease import WriterLease, lease_is_live, sweep_dead_leases

StoreListener = Callable[[StoreChange], None]

log = logging.getLogger(__name__)


_OPEN_CHECK_MAX_BYTES = 64 * 1024 * 1024
_WAL_SWITCH_TIMEOUT_S = 10.0
_SQLITE_HEADER = b"SQLite format 3\x00"
_DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


class _DamagedDatabaseError(Exception):
    """The file at the store's path is not a usable SQLite database; a copy is at ``moved_to``."""

    def __init__(self, moved_to: Path) -> None:
        super().__init__(str(moved_to))
        self.moved_to = moved_to


def utc_now() -> str:
    """ISO-8601 UTC with microseconds, the format every timestamp column uses."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class LocalStore:
    """Chats, messages, artifacts and their versions in one SQLite file."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self._db = connection
        #: Where a damaged database file was moved by :meth:`open`, if it had to be.
        self.recovered_from: Path | None = None
        self._lease: WriterLease | None = None
        self._lock = threading.RLock()
        self._listeners: Listeners[StoreChange] = Listeners("store")
        self._pending: list[StoreChange] = []
        self.path = path

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: Path | str) -> LocalStore:
        """Open (creating and migrating as needed) the store at ``path``.

        A file that is not a readable SQLite database is never overwritten: it is moved
        aside to ``<name>.corrupt-<timestamp>`` and a fresh store is started;
        :attr:`recovered_from` then names where the damaged file went, so the caller can
        tell the user. Other failures (read-only folder, disk full, a database from a newer
        Ohm) raise :class:`StoreError` naming the path and what to do.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the data folder {path.parent} ({exc.strerror or exc}). "
                "Make it writable, or set OHM_DATA_DIR to a folder you can write to."
            ) from exc
        try:
            store = cls._open_file(path)
        except _DamagedDatabaseError as damaged:
            _remove_database_files(path)
            log.warning("the database %s was damaged; moved it to %s and started a fresh one", path, damaged.moved_to)
            store = cls._open_file(path)
            store.recovered_from = damaged.moved_to
        try:
            store._lease = WriterLease.acquire(path)
        except OSError:
            # Without a lease this process's streaming replies look orphaned to other processes;
            # everything else works, so this is not worth refusing to open over.
            log.warning("could not take a writer lease next to %s", path, exc_info=True)
        return store

    @classmethod
    def _open_file(cls, path: Path) -> LocalStore:
        if _has_foreign_header(path):
            # Not SQLite at all: copy it aside before SQLite touches it (closing would delete its -wal).
            raise _DamagedDatabaseError(_copy_aside(path))
        try:
            connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise describe_store_error(exc, path) from exc
        store = cls(connection, path)
        try:
            store._configure()
            store._check_on_open()
            store._migrate()
        except sqlite3.DatabaseError as exc:
            if exc.sqlite_errorcode in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
                moved = _copy_aside(path)  # while the connection still holds the -wal
                connection.close()
                raise _DamagedDatabaseError(moved) from exc
            connection.close()
            raise describe_store_error(exc, path) from exc
        except BaseException:
            connection.close()
            raise
        return store

    def _check_on_open(self) -> None:
        # A quick_check reads every page (~30 ms for 10,000 messages): worth it to catch a damaged
        # file before writing into it, but not for huge stores, where `ohm doctor` runs it instead.
        if self.path is None or self.path.stat().st_size > _OPEN_CHECK_MAX_BYTES:
            return
        result = str(self._db.execute("PRAGMA quick_check(1)").fetchone()[0])
        if result != "ok":
            error = sqlite3.DatabaseError(f"database disk image is malformed ({result})")
            error.sqlite_errorcode = sqlite3.SQLITE_CORRUPT
            raise error

    @classmethod
    def open_in_memory(cls) -> LocalStore:
        """A throwaway store (tests, previews); same schema and rules as on disk."""
        store = cls(sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False), None)
        store._configure()
        store._migrate()
        return store

    def _configure(self) -> None:
        # Reading the schema first makes a damaged header fail here, before anything is written.
        self._db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        self._refuse_newer_schema()
        mode = self._switch_to_wal()
        if self.path is not None and str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"could not switch to WAL mode (got {mode})")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")

    def _switch_to_wal(self) -> str:
        # Leaving rollback mode needs an exclusive lock. When several processes open an old
        # database at once, two shared-lock holders would deadlock, so SQLite answers BUSY at
        # once instead of calling the busy handler: back off and try again, holding no lock.
        deadline = time.monotonic() + _WAL_SWITCH_TIMEOUT_S
        while True:
            try:
                return str(self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0])
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.005, 0.05))

    def _refuse_newer_schema(self) -> None:
        current = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if current > len(MIGRATIONS):
            raise StoreError(
                f"The local database at {self.path} was written by a newer Ohm (schema {current}, "
                f"this one knows {len(MIGRATIONS)}). Update Ohm, or set OHM_DATA_DIR to another folder."
            )

    def _migrate(self) -> None:
        with self._lock:
            if int(self._db.execute("PRAGMA user_version").fetchone()[0]) >= len(MIGRATIONS):
                return
            while True:
                # Raw BEGIN/COMMIT: sqlite errors must reach open() unconverted to spot a damaged file.
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    # Read again under the write lock: another Ohm process may have migrated meanwhile.
                    current = int(self._db.execute("PRAGMA user_version").fetchone()[0])
                    if current >= len(MIGRATIONS):
                        self._db.execute("COMMIT")
                        return
                    for statement in split_sql(MIGRATIONS[current]):
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version={current + 1}")
                    self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._lease is not None:
                self._lease.release()
                self._lease = None

    # ------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One atomic write. Listeners hear about the changes only after the commit.

        ``durable=False`` commits without fsync (WAL with synchronous=NORMAL): safe against
        an app crash, and made power-loss durable by the next durable commit, because the
        WAL is replayed in order. Use it only for data a later durable commit supersedes.
        """
        with self._lock:
            outermost = not self._db.in_transaction
            try:
                if outermost:
                    if not durable:
                        self._db.execute("PRAGMA synchronous=NORMAL")
                    self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                if outermost:
                    self._db.execute("COMMIT")
            except BaseException as exc:
                if outermost and self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                self._pending.clear()
                if isinstance(exc, sqlite3.Error):
                    raise self._store_error(exc) from exc
                raise
            finally:
                if outermost and not durable:
                    self._db.execute("PRAGMA synchronous=FULL")
            if outermost:
                changes, self._pending = self._pending, []
                for change in changes:
                    self._notify(change)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads (no write lock taken), for the store's own modules."""
        with self._lock:
            try:
                yield self._db
            except sqlite3.Error as exc:
                raise self._store_error(exc) from exc

    def _store_error(self, exc: sqlite3.Error) -> StoreError:
        return describe_store_error(exc, self.path)

    # --------------------------------------------------------------- listeners
    def subscribe(self, listener: StoreListener) -> Callable[[], None]:
        """Call ``listener`` after each committed change; returns an unsubscribe function.

        A listener that raises is logged and the others still run: the write is already committed.
        """
        return self._listeners.subscribe(listener)

    def _emit(self, change: StoreChange) -> None:
        self._pending.append(change)

    def _notify(self, change: StoreChange) -> None:
        self._listeners.emit(change)

    def _outbox(self, table: str, row_id: str, payload: dict[str, Any]) -> None:
        chat_id = row_id if table == "chats" else payload.get("chat_id")
        if self._db.execute("SELECT 1 FROM detached_chats WHERE chat_id = ?", (chat_id,)).fetchone():
            return  # kept on this workstation only: the server would refuse it
        self._db.execute(
            "INSERT INTO outbox (table_name, row_id, payload_json, created_at) VALUES (?, ?, ?, ?)",
            (table, row_id, _json(payload), utc_now()),
        )

    # ------------------------------------------------------------------- chats
    def create_chat(self, title: str = "New chat", *, chat_id: str | None = None) -> Chat:
        now = utc_now()
        chat = Chat(id=chat_id or new_id(), title=title, created_at=now, updated_at=now)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO chats (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (chat.id, chat.title, chat.created_at, chat.updated_at),
            )
            self._outbox("chats", chat.id, _chat_payload(chat))
            self._emit(StoreChange("chats", chat.id, chat.id))
        return chat

    def get_chat(self, chat_id: str) -> Chat:
        row = self._db.execute(
            "SELECT id, title, created_at, updated_at, deleted_at FROM chats WHERE id = ?", (chat_id,)
        ).fetchone()
        if row is None:
            raise UsageError(f"There is no chat with id {chat_id}: run `ohm chats list` to see your chats.")
        return Chat(*row)

    def find_chat(self, chat_id_or_prefix: str) -> Chat:
        """A chat by full id or unique id prefix (what people type at the CLI)."""
        if not chat_id_or_prefix.strip():
            raise UsageError("The chat id is empty: run `ohm chats list` and give (the start of) one of its ids.")
        # Escaped: "%" or "_" typed as a prefix must not match whatever chat comes first.
        pattern = re.sub(r"([\\%_])", r"\\\1", chat_id_or_prefix) + "%"
        rows = self._db.execute(
            "SELECT id, title, created_at, updated_at, deleted_at FROM chats WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
            (pattern,),
        ).fetchall()
        if len(rows) == 1:
            return Chat(*rows[0])
        if not rows:
            raise UsageError(
                f"There is no chat with id {chat_id_or_prefix}: run `ohm chats list` to see your chats."
            )
        raise UsageError(f"The id {chat_id_or_prefix} matches several chats: type more of it.")

    def list_chats(self, *, include_deleted: bool = False, limit: int = 1000, offset: int = 0) -> list[Chat]:
        where = "" if include_deleted else "WHERE deleted_at IS NULL"
        rows = self._db.execute(
            f"SELECT id, title, created_at, updated_at, deleted_at FROM chats {where} "
            "ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()
        return [Chat(*row) for row in rows]

    def rename_chat(self, chat_id: str, title: str) -> Chat:
        with self.transaction() as db:
            db.execute("UPDATE chats SET title = ?, updated_at = ? WHERE id = ?", (title, utc_now(), chat_id))
            chat = self.get_chat(chat_id)
            self._outbox("chats", chat.id, _chat_payload(chat))
            self._emit(StoreChange("chats", chat.id, chat.id))
        return chat

    def trash_chat(self, chat_id: str) -> Chat:
        """Move a chat to the trash: hidden from :meth:`list_chats` and search, nothing deleted."""
        return self._set_deleted(chat_id, utc_now())

    def restore_chat(self, chat_id: str) -> Chat:
        """Bring a chat back from the trash, with all its messages and artifacts."""
        return self._set_deleted(chat_id, None)

    def list_trash(self, *, limit: int = 1000, offset: int = 0) -> list[Chat]:
        """Trashed chats, most recently trashed first."""
        rows = self._db.execute(
            "SELECT id, title, created_at, updated_at, deleted_at FROM chats WHERE deleted_at IS NOT NULL "
            "ORDER BY deleted_at DESC, id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()
        return [Chat(*row) for row in rows]

    def _set_deleted(self, chat_id: str, deleted_at: str | None) -> Chat:
        with self.transaction() as db:
            self.get_chat(chat_id)
            db.execute("UPDATE chats SET deleted_at = ? WHERE id = ?", (deleted_at, chat_id))
            chat = self.get_chat(chat_id)
            self._outbox("chats", chat.id, _chat_payload(chat))
            self._emit(StoreChange("chats", chat.id, chat.id))
        return chat

    def _touch_chat(self, chat_id: str) -> None:
        self._db.execute("UPDATE chats SET updated_at = ? WHERE id = ?", (utc_now(), chat_id))

    # ---------------------------------------------------------------- messages
    def add_message(
        self,
        chat_id: str,
        role: MessageRole,
        content: str,
        *,
        status: MessageStatus = "complete",
        agent_intent: str | None = None,
        agent_name: str | None = None,
        model: str | None = None,
        metadata: dict[str, Any] | None = None,
        message_id: str | None = None,
    ) -> Message:
        """Append a message at the next ``seq`` of its chat.

        A ``streaming`` message is local until :meth:`finish_message`; only finished
        messages go to the outbox, so other workstations never see half a reply.
        """
        with self.transaction() as db:
            self.get_chat(chat_id)
            seq = int(
                db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE chat_id = ?", (chat_id,)).fetchone()[
                    0
                ]
            )
            message = Message(
                id=message_id or new_id(),
                chat_id=chat_id,
                seq=seq,
                role=role,
                content=content,
                status=status,
                created_at=utc_now(),
                agent_intent=agent_intent,
                agent_name=agent_name,
                model=model,
                metadata=dict(metadata or {}),
            )
            db.execute(
                "INSERT INTO messages (id, chat_id, seq, role, content, status, agent_intent, agent_name, model,"
                " metadata_json, created_at, writer_lease) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message.id,
                    chat_id,
                    seq,
                    role,
                    content,
                    status,
                    agent_intent,
                    agent_name,
                    model,
                    _json(message.metadata),
                    message.created_at,
                    self._lease.id if status == "streaming" and self._lease is not None else None,
                ),
            )
            self._touch_chat(chat_id)
            if status != "streaming":
                self._outbox("messages", message.id, _message_payload(message))
            self._emit(StoreChange("messages", message.id, chat_id))
        return message

    def save_partial(self, message_id: str, content: str) -> None:
        """Persist the text streamed so far, so a crash keeps what the user already saw."""
        with self.transaction(durable=False) as db:
            db.execute(
                "UPDATE messages SET content = ? WHERE id = ? AND status = 'streaming'", (content, message_id)
            )

    def finish_message(
        self,
        message_id: str,
        *,
        content: str,
        status: MessageStatus = "complete",
        metadata: dict[str, Any] | None = None,
        agent_intent: str | None = None,
        agent_name: str | None = None,
        model: str | None = None,
    ) -> Message:
        """Close a streaming message with its final text and status, and ship it."""
        with self.transaction() as db:
            current = self.get_message(message_id)
            merged = {**current.metadata, **(metadata or {})}
            db.execute(
                "UPDATE messages SET content = ?, status = ?, metadata_json = ?, agent_intent = COALESCE(?, agent_intent),"
                " agent_name = COALESCE(?, agent_name), model = COALESCE(?, model) WHERE id = ?",
                (content, status, _json(merged), agent_intent, agent_name, model, message_id),
            )
            message = self.get_message(message_id)
            self._outbox("messages", message.id, _message_payload(message))
            self._emit(StoreChange("messages", message.id, message.chat_id))
        return message

    def get_message(self, message_id: str) -> Message:
        row = self._db.execute(f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise UsageError(f"There is no message with id {message_id}.")
        return _message(row)

    def list_messages(self, chat_id: str, *, limit: int | None = None, before_seq: int | None = None) -> list[Message]:
        """Messages of a chat in ``seq`` order; with ``limit``, the latest ones (before ``before_seq``)."""
        params: list[Any] = [chat_id]
        where = "chat_id = ?"
        if before_seq is not None:
            where += " AND seq < ?"
            params.append(before_seq)
        if limit is None:
            rows = self._db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE {where} ORDER BY seq", params
            ).fetchall()
        else:
            params.append(limit)
            rows = self._db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE {where} ORDER BY seq DESC LIMIT ?", params
            ).fetchall()
            rows.reverse()
        return [_message(row) for row in rows]

    def count_messages(self, chat_id: str) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM messages WHERE chat_id = ?", (chat_id,)).fetchone()[0])

    def recover_interrupted(self) -> int:
        """Mark messages left ``streaming`` by a crashed process as ``interrupted`` (and ship them).

        Replies still being streamed by a live process (this one, or the window while an
        ``ohm`` command runs) are left alone: their writer's lease is still held.
        Returns how many messages were marked.
        """
        rows = self._db.execute("SELECT id, writer_lease FROM messages WHERE status = 'streaming'").fetchall()
        own = self._lease.id if self._lease is not None else None
        orphans = [
            message_id
            for message_id, lease in rows
            if lease is None or (lease != own and (self.path is None or not lease_is_live(self.path, lease)))
        ]
        for message_id in orphans:
            message = self.get_message(message_id)
            self.finish_message(message_id, content=message.content, status="interrupted")
        if self.path is not None:
            sweep_dead_leases(self.path)
        return len(orphans)

    # --------------------------------------------------------------- artifacts
    def get_artifact(self, chat_id: str, artifact_type: ArtifactType) -> Artifact | None:
        row = self._db.execute(
            "SELECT id, chat_id, type, current_version, created_at FROM artifacts WHERE chat_id = ? AND type = ?",
            (chat_id, artifact_type),
        ).fetchone()
        return Artifact(*row) if row else None

    def list_artifacts(self, chat_id: str) -> list[Artifact]:
        rows = self._db.execute(
            "SELECT id, chat_id, type, current_version, created_at FROM artifacts WHERE chat_id = ? ORDER BY type",
            (chat_id,),
        ).fetchall()
        return [Artifact(*row) for row in rows]

    def write_version(
        self,
        chat_id: str,
        artifact_type: ArtifactType,
        content: dict[str, Any],
        *,
        change_summary: str,
        created_by: str,
        message_id: str | None = None,
    ) -> ArtifactVersion:
        """Store ``content`` as version ``current + 1`` of the chat's artifact of that type.

        Content must already be validated (artifacts.validate_content): the store keeps
        whatever it is given, immutably.
        """
        if artifact_type not in ARTIFACT_TYPES:
            raise UsageError(f"Unknown artifact type {artifact_type!r}: use one of {', '.join(ARTIFACT_TYPES)}.")
        with self.transaction() as db:
            self.get_chat(chat_id)
            artifact = self.get_artifact(chat_id, artifact_type)
            now = utc_now()
            if artifact is None:
                artifact = Artifact(new_id(), chat_id, artifact_type, 0, now)
                db.execute(
                    "INSERT INTO artifacts (id, chat_id, type, current_version, created_at) VALUES (?, ?, ?, 0, ?)",
                    (artifact.id, chat_id, artifact_type, now),
                )
                self._outbox("artifacts", artifact.id, _artifact_payload(artifact))
                self._emit(StoreChange("artifacts", artifact.id, chat_id))
            number = int(
                db.execute(
                    "SELECT COALESCE(MAX(version_number), 0) + 1 FROM artifact_versions WHERE artifact_id = ?",
                    (artifact.id,),
                ).fetchone()[0]
            )
            version = ArtifactVersion(
                id=new_id(),
                artifact_id=artifact.id,
                chat_id=chat_id,
                type=artifact_type,
                version_number=number,
                content=content,
                change_summary=change_summary,
                created_by=created_by,
                created_at=now,
                message_id=message_id,
            )
            db.execute(
                "INSERT INTO artifact_versions (id, artifact_id, version_number, content_json, change_summary,"
                " created_by, message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (version.id, artifact.id, number, _json(content), change_summary, created_by, message_id, now),
            )
            db.execute("UPDATE artifacts SET current_version = ? WHERE id = ?", (number, artifact.id))
            self._touch_chat(chat_id)
            self._outbox("artifact_versions", version.id, _version_payload(version))
            self._emit(StoreChange("artifact_versions", version.id, chat_id))
        return version

    def get_version(
        self, chat_id: str, artifact_type: ArtifactType, version_number: int | None = None
    ) -> ArtifactVersion | None:
        """A version of the chat's artifact of that type; the current one when no number is given."""
        artifact = self.get_artifact(chat_id, artifact_type)
        if artifact is None:
            return None
        number = artifact.current_version if version_number is None else version_number
        row = self._db.execute(
            f"SELECT {_VERSION_COLUMNS} FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id"
            " WHERE v.artifact_id = ? AND v.version_number = ?",
            (artifact.id, number),
        ).fetchone()
        return _version(row) if row else None

    def list_versions(self, chat_id: str, artifact_type: ArtifactType) -> list[ArtifactVersion]:
        rows = self._db.execute(
            f"SELECT {_VERSION_COLUMNS} FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id"
            " WHERE a.chat_id = ? AND a.type = ? ORDER BY v.version_number",
            (chat_id, artifact_type),
        ).fetchall()
        return [_version(row) for row in rows]


    def revert_version(
        self, chat_id: str, artifact_type: ArtifactType, version_number: int, *, created_by: str = "you"
    ) -> ArtifactVersion:
        """Make version ``version_number`` current again by writing it as a NEW version.

        History is never rewritten: reverting 5 to 2 adds version 6 equal to version 2.
        """
        with self.transaction():
            old = self.get_version(chat_id, artifact_type, version_number)
            if old is None:
                raise UsageError(
                    f"There is no version {version_number} of this chat's {artifact_type}: "
                    f"run `ohm artifacts list {chat_id[:8]}` to see the versions."
                )
            return self.write_version(
                chat_id,
                artifact_type,
                old.content,
                change_summary=f"Reverted to version {version_number}",
                created_by=created_by,
            )

    # ------------------------------------------------------------------ search
    def search(
        self,
        query: str,
        limit: int = 50,
        *,
        chat_id: str | None = None,
        include_trashed: bool = False,
        mark: tuple[str, str] = ("[", "]"),
    ) -> list[SearchHit]:
        """Full-text search over messages and artifact content, best matches first.

        ``query`` is what a person types: every word must appear (as a word prefix, so
        ``esp`` finds ``ESP32``), case and accents ignored; no FTS syntax needed. Each
        artifact is reported once, at its latest matching version. Trashed chats are left
        out unless ``include_trashed``.
        """
        match = fts_query(query)
        if match is None or limit <= 0:
            return []
        scope = ""
        params: list[Any] = []
        if not include_trashed:
            scope += " AND c.deleted_at IS NULL"
        if chat_id is not None:
            scope += " AND c.id = ?"
            params.append(chat_id)
        open_mark, close_mark = mark
        message_rows = self._db.execute(
            "SELECT m.id, m.chat_id, c.title, m.seq, m.role,"
            " snippet(messages_fts, 0, ?, ?, '…', 12), bm25(messages_fts)"
            " FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid JOIN chats c ON c.id = m.chat_id"
            f" WHERE messages_fts MATCH ?{scope} ORDER BY bm25(messages_fts) LIMIT ?",
            (open_mark, close_mark, match, *params, limit),
        ).fetchall()
        hits = [
            SearchHit(
                kind="message",
                chat_id=chat,
                chat_title=title,
                snippet=snippet,
                score=float(score),
                message_id=mid,
                seq=seq,
                role=role,
            )
            for mid, chat, title, seq, role, snippet, score in message_rows
        ]
        hits.extend(self._search_artifacts(match, scope, params, limit, mark))
        hits.sort(key=lambda hit: hit.score)
        return hits[:limit]

    def _search_artifacts(
        self, match: str, scope: str, params: list[Any], limit: int, mark: tuple[str, str]
    ) -> list[SearchHit]:
        # Pass 1 finds the latest matching version of each artifact (cheap: no snippets);
        # pass 2 makes snippets only for the versions that will be shown.
        rows = self._db.execute(
            "SELECT v.rowid, v.artifact_id, v.version_number, bm25(artifact_versions_fts)"
            " FROM artifact_versions_fts JOIN artifact_versions v ON v.rowid = artifact_versions_fts.rowid"
            " JOIN artifacts a ON a.id = v.artifact_id JOIN chats c ON c.id = a.chat_id"
            f" WHERE artifact_versions_fts MATCH ?{scope}",
            (match, *params),
        ).fetchall()
        latest: dict[str, tuple[int, int, float]] = {}
        for rowid, artifact_id, number, score in rows:
            if artifact_id not in latest or number > latest[artifact_id][1]:
                latest[artifact_id] = (rowid, number, float(score))
        chosen = sorted(latest.values(), key=lambda item: item[2])[:limit]
        if not chosen:
            return []
        rowids = [rowid for rowid, _, _ in chosen]
        placeholders = ",".join("?" * len(rowids))
        detail = self._db.execute(
            "SELECT v.rowid, a.chat_id, c.title, a.type, v.version_number,"
            " snippet(artifact_versions_fts, 0, ?, ?, '…', 12)"
            " FROM artifact_versions_fts JOIN artifact_versions v ON v.rowid = artifact_versions_fts.rowid"
            " JOIN artifacts a ON a.id = v.artifact_id JOIN chats c ON c.id = a.chat_id"
            f" WHERE artifact_versions_fts MATCH ? AND artifact_versions_fts.rowid IN ({placeholders})",
            (mark[0], mark[1], match, *rowids),
        ).fetchall()
        scores = {rowid: score for rowid, _, score in chosen}
        return [
            SearchHit(
                kind="artifact",
                chat_id=chat,
                chat_title=title,
                snippet=snippet,
                score=scores[rowid],
                artifact_type=kind,
                version_number=number,
            )
            for rowid, chat, title, kind, number, snippet in detail
        ]

    # -------------------------------------------------------------------- sync
    # Used by ohm_desktop.sync only. Rows pulled from Supabase are written here directly, never
    # to the outbox, and announced with origin="sync"; re-applying a row already here is a
    # no-op that announces nothing, so a record arriving twice (push echo, Realtime, catch-up)
    # is never shown twice.
    def outbox_batch(self, limit: int, *, max_attempts: int) -> list[OutboxRow]:
        """The oldest ``limit`` outbox rows that have failed fewer than ``max_attempts`` times."""
        rows = self._db.execute(
            "SELECT seq, table_name, row_id, payload_json, attempts, last_error FROM outbox"
            " WHERE attempts < ? ORDER BY seq LIMIT ?",
            (max_attempts, limit),
        ).fetchall()
        return [OutboxRow(seq, table, row_id, json.loads(payload), attempts, error) for seq, table, row_id, payload, attempts, error in rows]

    def outbox_counts(self, *, max_attempts: int) -> tuple[int, int]:
        """(rows waiting to be pushed, rows that failed ``max_attempts`` times and wait for a retry)."""
        waiting, stuck = self._db.execute(
            "SELECT COALESCE(SUM(attempts < ?), 0), COALESCE(SUM(attempts >= ?), 0) FROM outbox",
            (max_attempts, max_attempts),
        ).fetchone()
        return int(waiting), int(stuck)

    def outbox_remove(self, seqs: list[int]) -> None:
        """Forget outbox rows the server has acknowledged."""
        with self.transaction() as db:
            db.executemany("DELETE FROM outbox WHERE seq = ?", [(seq,) for seq in seqs])

    def outbox_record_failure(self, seqs: list[int], error: str) -> None:
        """Count a failed push of these rows (they are kept: nothing written here is lost)."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?", [(error, seq) for seq in seqs]
            )

    def outbox_retry_failed(self) -> int:
        """Give rows that failed too often another chance (the user fixed the cause); returns how many."""
        with self.transaction() as db:
            return db.execute("UPDATE outbox SET attempts = 0 WHERE attempts > 0").rowcount

    def sync_cursor(self, scope: str, table: str) -> int:
        """The highest server sequence of ``table`` already pulled for ``scope`` (0: none)."""
        row = self._db.execute(
            "SELECT server_seq FROM sync_cursors WHERE scope = ? AND table_name = ?", (scope, table)
        ).fetchone()
        return int(row[0]) if row else 0

    def advance_sync_cursor(self, scope: str, table: str, server_seq: int) -> None:
        """Move the cursor forward (never back: events may arrive out of order)."""
        with self.transaction(durable=False) as db:
            db.execute(
                "INSERT INTO sync_cursors (scope, table_name, server_seq) VALUES (?, ?, ?)"
                " ON CONFLICT (scope, table_name) DO UPDATE SET server_seq = MAX(server_seq, excluded.server_seq)",
                (scope, table, server_seq),
            )

    # ------------------------------------------------------------- chat access
    def sync_memberships(self, scope: str) -> set[str]:
        """The chats ``scope``'s account was a member of when sync last looked."""
        rows = self._db.execute("SELECT chat_id FROM sync_memberships WHERE scope = ?", (scope,)).fetchall()
        return {str(row[0]) for row in rows}

    def record_sync_memberships(self, scope: str, chat_ids: Iterable[str]) -> None:
        with self.transaction(durable=False) as db:
            db.executemany(
                "INSERT OR IGNORE INTO sync_memberships (scope, chat_id) VALUES (?, ?)",
                [(scope, chat_id) for chat_id in chat_ids],
            )

    def detach_chat(self, scope: str, chat_id: str, reason: str) -> bool:
        """Keep a chat on this workstation only (its owner removed us, or we left it).

        Nothing of it is deleted; its queued changes leave the outbox and later ones never
        enter it. Returns False when the chat is not here or already detached.
        """
        with self.transaction() as db:
            db.execute("DELETE FROM sync_memberships WHERE scope = ? AND chat_id = ?", (scope, chat_id))
            if not self._has_chat(db, chat_id):
                return False
            inserted = db.execute(
                "INSERT OR IGNORE INTO detached_chats (chat_id, reason, detached_at) VALUES (?, ?, ?)",
                (chat_id, reason, utc_now()),
            ).rowcount
            if not inserted:
                return False
            db.execute(
                "DELETE FROM outbox WHERE (table_name = 'chats' AND row_id = ?)"
                " OR json_extract(payload_json, '$.chat_id') = ?",
                (chat_id, chat_id),
            )
            self._emit(StoreChange("chats", chat_id, chat_id, origin="sync"))
        return True

    def reattach_chat(self, chat_id: str) -> int:
        """Sync a detached chat again (shared with us once more); returns how many rows were queued.

        Everything of it is queued again, since what was written here while it was detached
        never reached the outbox; the server ignores rows it already has.
        """
        with self.transaction() as db:
            if not db.execute("DELETE FROM detached_chats WHERE chat_id = ?", (chat_id,)).rowcount:
                return 0
            queued = 0
            for artifact in self.list_artifacts(chat_id):
                self._outbox("artifacts", artifact.id, _artifact_payload(artifact))
                queued += 1
                for version in self.list_versions(chat_id, artifact.type):
                    self._outbox("artifact_versions", version.id, _version_payload(version))
                    queued += 1
            for message in self.list_messages(chat_id):
                if message.status != "streaming":
                    self._outbox("messages", message.id, _message_payload(message))
                    queued += 1
            self._emit(StoreChange("chats", chat_id, chat_id, origin="sync"))
        return queued

    def detached_chats(self) -> dict[str, str]:
        """Chats kept on this workstation only: chat id → why, as one sentence."""
        return {str(chat_id): str(reason) for chat_id, reason in self._db.execute("SELECT chat_id, reason FROM detached_chats")}

    def apply_remote(self, table: str, rows: list[dict[str, Any]]) -> list[MissingParent]:
        """Apply rows pulled from the server (in the outbox payload shape) in one transaction.

        Server numbering wins: a local message or version whose ``seq``/``version_number`` a
        server row takes is moved to the end, and gets its final number when its own server
        copy arrives, so every workstation converges on the server's order. Returns the
        parents (chat, artifact) that are missing; rows needing them are skipped. A row that
        names a chat other than its parent's, or a number out of range, is refused: logged,
        kept in :meth:`refused_remote_rows`, never applied (store/remote_checks.py).
        """
        apply = {
            "chats": self._apply_remote_chat,
            "messages": self._apply_remote_message,
            "artifacts": self._apply_remote_artifact,
            "artifact_versions": self._apply_remote_version,
        }.get(table)
        if apply is None:
            return []
        missing: list[MissingParent] = []
        with self.transaction() as db:
            # Re-keying a duplicate artifact updates a parent key and its children together.
            db.execute("PRAGMA defer_foreign_keys = ON")
            for row in rows:
                outcome = apply(db, row)
                if isinstance(outcome, Refusal):
                    self._refuse(db, table, row, outcome)
                elif outcome is not None and outcome not in missing:
                    missing.append(outcome)
        return missing

    def _refuse(self, db: sqlite3.Connection, table: str, row: dict[str, Any], refusal: Refusal) -> None:
        log.warning("refused a pulled %s row %s: %s", table, row.get("id"), refusal.reason)
        db.execute(
            "INSERT OR IGNORE INTO sync_refused_rows (table_name, row_id, chat_id, reason, refused_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (table, str(row.get("id")), row.get("chat_id"), refusal.reason, utc_now()),
        )

    def refused_remote_count(self) -> int:
        """How many pulled rows were refused (cheap: for a status bar)."""
        return int(self._db.execute("SELECT COUNT(*) FROM sync_refused_rows").fetchone()[0])

    def refused_remote_rows(self) -> list[RefusedRow]:
        """Rows pulled from the server that were refused (never applied), oldest first."""
        rows = self._db.execute(
            "SELECT table_name, row_id, chat_id, reason, refused_at FROM sync_refused_rows ORDER BY refused_at, row_id"
        ).fetchall()
        return [RefusedRow(*row) for row in rows]

    def _has_chat(self, db: sqlite3.Connection, chat_id: str) -> bool:
        return db.execute("SELECT 1 FROM chats WHERE id = ?", (chat_id,)).fetchone() is not None

    def _apply_remote_chat(self, db: sqlite3.Connection, row: dict[str, Any]) -> MissingParent | None:
        current = db.execute(
            "SELECT title, created_at, updated_at, deleted_at FROM chats WHERE id = ?", (row["id"],)
        ).fetchone()
        # updated_at is "last activity here" (new messages touch it locally without a push):
        # the later of ours and theirs, so a chat active on either machine sorts first.
        updated_at = row["updated_at"] if current is None else max(current[2], row["updated_at"])
        values = (row["title"], row["created_at"], updated_at, row.get("deleted_at"))
        if current == values:
            return None
        if current is None:
            db.execute(
                "INSERT INTO chats (id, title, created_at, updated_at, deleted_at) VALUES (?, ?, ?, ?, ?)",
                (row["id"], *values),
            )
        else:
            db.execute(
                "UPDATE chats SET title = ?, created_at = ?, updated_at = ?, deleted_at = ? WHERE id = ?",
                (*values, row["id"]),
            )
        self._emit(StoreChange("chats", row["id"], row["id"], origin="sync"))
        return None

    def _apply_remote_message(self, db: sqlite3.Connection, row: dict[str, Any]) -> MissingParent | Refusal | None:
        chat_id = row["chat_id"]
        refusal = number_refusal(row["seq"], "sequence number")
        if refusal is not None:
            return refusal
        if not self._has_chat(db, chat_id):
            return MissingParent("chats", chat_id)
        current = db.execute("SELECT seq, chat_id FROM messages WHERE id = ?", (row["id"],)).fetchone()
        if current is not None and current[1] != chat_id:
            return Refusal(f"a message with its id is already filed under chat {current[1]}")
        if current is not None and current[0] == row["seq"]:
            return None
        self._make_room(db, "messages", "chat_id", chat_id, "seq", row["seq"], row["id"])
        if current is None:
            db.execute(
                "INSERT INTO messages (id, chat_id, seq, role, content, status, agent_intent, agent_name, model,"
                " metadata_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row["id"],
                    chat_id,
                    row["seq"],
                    row["role"],
                    row["content"],
                    row["status"],
                    row.get("agent_intent"),
                    row.get("agent_name"),
                    row.get("model"),
                    _json(row.get("metadata") or {}),
                    row["created_at"],
                ),
            )
            db.execute("UPDATE chats SET updated_at = MAX(updated_at, ?) WHERE id = ?", (row["created_at"], chat_id))
        else:
            db.execute("UPDATE messages SET seq = ? WHERE id = ?", (row["seq"], row["id"]))
        self._emit(StoreChange("messages", row["id"], chat_id, origin="sync"))
        return None

    def _apply_remote_artifact(self, db: sqlite3.Connection, row: dict[str, Any]) -> MissingParent | Refusal | None:
        chat_id = row["chat_id"]
        if not self._has_chat(db, chat_id):
            return MissingParent("chats", chat_id)
        existing = db.execute("SELECT chat_id FROM artifacts WHERE id = ?", (row["id"],)).fetchone()
        if existing is not None:
            return chat_refusal(chat_id, existing[0], "artifact of the same id")
        local = db.execute(
            "SELECT id FROM artifacts WHERE chat_id = ? AND type = ?", (chat_id, row["type"])
        ).fetchone()
        if local is None:
            db.execute(
                "INSERT INTO artifacts (id, chat_id, type, current_version, created_at) VALUES (?, ?, ?, 0, ?)",
                (row["id"], chat_id, row["type"], row["created_at"]),
            )
        else:
            # Another workstation started this chat's artifact of this type first: ours becomes
            # that one (the server files versions pushed under our id there too).
            db.execute("UPDATE artifact_versions SET artifact_id = ? WHERE artifact_id = ?", (row["id"], local[0]))
            db.execute("UPDATE artifacts SET id = ? WHERE id = ?", (row["id"], local[0]))
        self._emit(StoreChange("artifacts", row["id"], chat_id, origin="sync"))
        return None

    def _apply_remote_version(self, db: sqlite3.Connection, row: dict[str, Any]) -> MissingParent | Refusal | None:
        refusal = number_refusal(row["version_number"], "version number") or author_refusal(row["created_by"])
        if refusal is not None:
            return refusal
        artifact = db.execute("SELECT chat_id FROM artifacts WHERE id = ?", (row["artifact_id"],)).fetchone()
        if artifact is None:
            return MissingParent("artifacts", row["artifact_id"])
        chat_id = artifact[0]
        refusal = chat_refusal(row.get("chat_id"), chat_id, "artifact")
        if refusal is not None:
            return refusal
        current = db.execute(
            "SELECT v.artifact_id, v.version_number, a.chat_id FROM artifact_versions v"
            " JOIN artifacts a ON a.id = v.artifact_id WHERE v.id = ?",
            (row["id"],),
        ).fetchone()
        if current is not None and current[2] != chat_id:
            return Refusal(f"a version with its id is already filed under chat {current[2]}")
        if current is not None and tuple(current[:2]) == (row["artifact_id"], row["version_number"]):
            return None
        self._make_room(db, "artifact_versions", "artifact_id", row["artifact_id"], "version_number", row["version_number"], row["id"])
        if current is None:
            db.execute(
                "INSERT INTO artifact_versions (id, artifact_id, version_number, content_json, change_summary,"
                " created_by, message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row["id"],
                    row["artifact_id"],
                    row["version_number"],
                    _json(row["content"]),
                    row["change_summary"],
                    row["created_by"],
                    row.get("message_id"),
                    row["created_at"],
                ),
            )
        else:
            db.execute(
                "UPDATE artifact_versions SET artifact_id = ?, version_number = ? WHERE id = ?",
                (row["artifact_id"], row["version_number"], row["id"]),
            )
        db.execute(
            "UPDATE artifacts SET current_version = (SELECT MAX(version_number) FROM artifact_versions"
            " WHERE artifact_id = ?) WHERE id = ?",
            (row["artifact_id"], row["artifact_id"]),
        )
        self._emit(StoreChange("artifact_versions", row["id"], chat_id, origin="sync"))
        return None

    def _make_room(
        self, db: sqlite3.Connection, table: str, group: str, group_id: str, number: str, wanted: int, row_id: str
    ) -> None:
        """Move whichever other row holds ``number == wanted`` in the group to the end.

        That row is local and not yet on the server (server numbers are unique), so its number
        is provisional; the server assigns its final one when it is pushed.
        """
        occupant = db.execute(
            f"SELECT id FROM {table} WHERE {group} = ? AND {number} = ? AND id != ?", (group_id, wanted, row_id)
        ).fetchone()
        if occupant is None:
            return
        end = int(
            db.execute(f"SELECT COALESCE(MAX({number}), 0) FROM {table} WHERE {group} = ?", (group_id,)).fetchone()[0]
        )
        db.execute(f"UPDATE {table} SET {number} = ? WHERE id = ?", (max(end, wanted) + 1, occupant[0]))
        chat_id = group_id
        if table == "artifact_versions":
            chat_id = str(db.execute("SELECT chat_id FROM artifacts WHERE id = ?", (group_id,)).fetchone()[0])
        self._emit(StoreChange(table, occupant[0], chat_id, origin="sync"))  # type: ignore[arg-type]

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check``: ``"ok"`` or the first problems found."""
        rows = self._db.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)


_MESSAGE_COLUMNS = (
    "id, chat_id, seq, role, content, status, created_at, agent_intent, agent_name, model, metadata_json"
)
_VERSION_COLUMNS = (
    "v.id, v.artifact_id, a.chat_id, a.type, v.version_number, v.content_json, v.change_summary,"
    " v.created_by, v.created_at, v.message_id"
)


def _message(row: tuple[Any, ...]) -> Message:
    mid, chat_id, seq, role, content, status, created_at, intent, agent_name, model, metadata_json = row
    return Message(
        id=mid,
        chat_id=chat_id,
        seq=seq,
        role=role,
        content=content,
        status=status,
        created_at=created_at,
        agent_intent=intent,
        agent_name=agent_name,
        model=model,
        metadata=json.loads(metadata_json),
    )


def _version(row: tuple[Any, ...]) -> ArtifactVersion:
    vid, artifact_id, chat_id, kind, number, content_json, summary, created_by, created_at, message_id = row
    return ArtifactVersion(
        id=vid,
        artifact_id=artifact_id,
        chat_id=chat_id,
        type=kind,
        version_number=number,
        content=json.loads(content_json),
        change_summary=summary,
        created_by=created_by,
        created_at=created_at,
        message_id=message_id,
    )


def _chat_payload(chat: Chat) -> dict[str, Any]:
    return {
        "id": chat.id,
        "title": chat.title,
        "created_at": chat.created_at,
        "updated_at": chat.updated_at,
        "deleted_at": chat.deleted_at,
    }


def _message_payload(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "chat_id": message.chat_id,
        "seq": message.seq,
        "role": message.role,
        "content": message.content,
        "status": message.status,
        "agent_intent": message.agent_intent,
        "agent_name": message.agent_name,
        "model": message.model,
        "metadata": message.metadata,
        "created_at": message.created_at,
    }


def _artifact_payload(artifact: Artifact) -> dict[str, Any]:
    return {"id": artifact.id, "chat_id": artifact.chat_id, "type": artifact.type, "created_at": artifact.created_at}


def _version_payload(version: ArtifactVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "artifact_id": version.artifact_id,
        "chat_id": version.chat_id,
        "version_number": version.version_number,
        "content": version.content,
        "change_summary": version.change_summary,
        "created_by": version.created_by,
        "message_id": version.message_id,
        "created_at": version.created_at,
    }


def fts_query(text: str) -> str | None:
    """A person's search words as an FTS5 query: every word, each as a quoted prefix.

    Quoting makes FTS operators (AND, NEAR, ``*``, ``:``) plain words, so any input is safe;
    ``None`` when there is nothing to search for.
    """
    words = [word for word in re.split(r"\s+", text.strip()) if word.strip("\"'*^:()+-")]
    if not words:
        return None
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words)


def split_sql(script: str) -> list[str]:
    """The statements of a SQL script, split where SQLite itself sees a statement end.

    ``sqlite3.complete_statement`` knows about string literals, comments and trigger bodies
    (``BEGIN ... END;``), so a ``;`` inside them does not cut a statement in two.
    """
    statements: list[str] = []
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \t\r\n;"):
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip(" \t\r\n;"):
        raise ValueError(f"incomplete SQL statement at the end of the script: {buffer.strip()[:80]!r}")
    return statements


def quarantine_database(path: Path) -> Path:
    """Move a damaged database (and its -wal/-shm/-journal files) aside; returns the new path.

    For callers such as ``ohm doctor`` that found damage with no connection open. The files
    are kept, never deleted or overwritten, so whatever is recoverable stays available.
    """
    moved = _copy_aside(path)
    _remove_database_files(path)
    return moved


def _has_foreign_header(path: Path) -> bool:
    """True when ``path`` holds bytes that are not an SQLite database (empty files are fine)."""
    try:
        with path.open("rb") as file:
            head = file.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return False
    except OSError:
        return False  # unreadable: let SQLite report it with its own error
    return bool(head) and head != _SQLITE_HEADER


def _copy_aside(path: Path) -> Path:
    """Copy the database files to ``<name>.corrupt-<timestamp>[-wal|-shm|-journal]``.

    Copied, not renamed: the WAL of a damaged file may hold its last committed changes, and a
    live connection (or Windows) may still hold the originals open.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        for suffix in _DATABASE_SUFFIXES:
            source = path.with_name(path.name + suffix)
            if source.exists():
                shutil.copyfile(source, target.with_name(target.name + suffix))
    except OSError as exc:
        raise StoreError(
            f"The local database at {path} is damaged and could not be copied aside ({exc.strerror or exc}). "
            "Move it away yourself (keep it: it may hold recoverable chats) and start Ohm again."
        ) from exc
    return target


def _remove_database_files(path: Path) -> None:
    # The WAL goes too: replayed into a fresh database it would damage that one as well.
    try:
        for suffix in _DATABASE_SUFFIXES:
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError(
            f"The local database at {path} is damaged and could not be replaced ({exc.strerror or exc}); "
            "a copy is next to it. Move the file away yourself and start Ohm again."
        ) from exc


def _disk_nearly_full(path: Path | None, margin_bytes: int = 1 << 20) -> bool:
    if path is None:
        return False
    try:
        return shutil.disk_usage(path.parent).free < margin_bytes
    except OSError:
        return False


def describe_store_error(exc: sqlite3.Error, path: Path | None) -> StoreError:
    """A SQLite failure as one sentence naming the file and what the user can do about it."""
    where = str(path) if path is not None else "memory"
    extended = getattr(exc, "sqlite_errorcode", None)
    code = None if extended is None else extended & 0xFF  # the primary code of an extended one
    text = str(exc).lower()
    # With a few KB left SQLite cannot grow the WAL index (-shm) and says SQLITE_IOERR, not FULL.
    if code == sqlite3.SQLITE_FULL or "full" in text or (code == sqlite3.SQLITE_IOERR and _disk_nearly_full(path)):
        return StoreError(
            f"Disk full: the disk holding the local database ({where}) has no space left. "
            "Free some space and try again; nothing saved before was lost."
        )
    elif code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN) or "readonly" in text:
        folder = path.parent if path is not None else "the data folder"
        advice = (
            f"The file or its folder ({folder}) is not writable: make it writable, "
            "or set OHM_DATA_DIR to a folder you can write to."
        )
    elif code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in text:
        advice = (
            "The file is damaged: quit Ohm and move the file aside (keep it, it may hold recoverable chats); "
            "Ohm starts a fresh one next time."
        )
    elif code == sqlite3.SQLITE_BUSY or "locked" in text:
        advice = "Another Ohm process is holding the database: wait for it to finish and try again."
    elif code == sqlite3.SQLITE_IOERR:
        advice = "The disk reported an error: check that it is still attached and has free space, then try again."
    else:
        advice = "Try again; if it keeps happening, run `ohm doctor`."
    return StoreError(f"The local database at {where} failed ({exc}). {advice}")
