"""Schema migrations of the local SQLite store.

Each entry moves the schema from version ``i`` to ``i + 1``; they only ever get appended.
``user_version`` holds the applied count, so an old database is upgraded step by step.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: the tables of DESIGN.md.
    """
    CREATE TABLE chats (
        id          TEXT PRIMARY KEY,
        title       TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        deleted_at  TEXT
    );
    CREATE TABLE messages (
        id            TEXT PRIMARY KEY,
        chat_id       TEXT NOT NULL REFERENCES chats(id),
        seq           INTEGER NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
        content       TEXT NOT NULL,
        status        TEXT NOT NULL DEFAULT 'complete'
                      CHECK (status IN ('complete', 'streaming', 'interrupted', 'error')),
        agent_intent  TEXT,
        agent_name    TEXT,
        model         TEXT,
        metadata_json TEXT NOT NULL DEFAULT '{}',
        created_at    TEXT NOT NULL,
        UNIQUE (chat_id, seq)
    );
    CREATE TABLE artifacts (
        id              TEXT PRIMARY KEY,
        chat_id         TEXT NOT NULL REFERENCES chats(id),
        type            TEXT NOT NULL CHECK (type IN ('bom', 'code', 'wiring')),
        current_version INTEGER NOT NULL DEFAULT 0,
        created_at      TEXT NOT NULL,
        UNIQUE (chat_id, type)
    );
    CREATE TABLE artifact_versions (
        id             TEXT PRIMARY KEY,
        artifact_id    TEXT NOT NULL REFERENCES artifacts(id),
        version_number INTEGER NOT NULL,
        content_json   TEXT NOT NULL,
        change_summary TEXT NOT NULL,
        created_by     TEXT NOT NULL,
        message_id     TEXT,
        created_at     TEXT NOT NULL,
        UNIQUE (artifact_id, version_number)
    );
    CREATE TABLE outbox (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        table_name   TEXT NOT NULL,
        row_id       TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        attempts     INTEGER NOT NULL DEFAULT 0,
        last_error   TEXT
    );
    CREATE INDEX messages_by_chat ON messages (chat_id, seq);
    CREATE INDEX versions_by_artifact ON artifact_versions (artifact_id, version_number);
    """,
    # 2: full-text search over messages and artifact content, and the trash view.
    # The FTS tables keep their own copy of the text, keyed by the source row's rowid, so a
    # streaming message re-indexed on every partial save costs one rowid delete + insert.
    # Artifact content is indexed as its JSON string values (not keys), plus the change summary.
    """
    CREATE VIRTUAL TABLE messages_fts USING fts5(content, tokenize = 'unicode61 remove_diacritics 2');
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, content) VALUES (new.rowid, new.content);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rowid;
        INSERT INTO messages_fts (rowid, content) VALUES (new.rowid, new.content);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid = old.rowid;
    END;
    INSERT INTO messages_fts (rowid, content) SELECT rowid, content FROM messages;
    CREATE VIRTUAL TABLE artifact_versions_fts USING fts5(content, tokenize = 'unicode61 remove_diacritics 2');
    CREATE TRIGGER artifact_versions_fts_insert AFTER INSERT ON artifact_versions BEGIN
        INSERT INTO artifact_versions_fts (rowid, content) VALUES (
            new.rowid,
            COALESCE((SELECT group_concat(value, ' ') FROM json_tree(new.content_json) WHERE type = 'text'), '')
                || ' ' || new.change_summary
        );
    END;
    CREATE TRIGGER artifact_versions_fts_delete AFTER DELETE ON artifact_versions BEGIN
        DELETE FROM artifact_versions_fts WHERE rowid = old.rowid;
    END;
    INSERT INTO artifact_versions_fts (rowid, content)
        SELECT v.rowid,
               COALESCE((SELECT group_concat(value, ' ') FROM json_tree(v.content_json) WHERE type = 'text'), '')
                   || ' ' || v.change_summary
        FROM artifact_versions v;
    CREATE INDEX chats_by_trash ON chats (deleted_at, updated_at);
    """,
    # 3: compile-check results of code versions (local only: each workstation compiles itself).
    """
    CREATE TABLE compile_results (
        version_id  TEXT PRIMARY KEY REFERENCES artifact_versions(id),
        status      TEXT NOT NULL CHECK (status IN ('ok', 'errors', 'no_toolchain')),
        board       TEXT NOT NULL,
        toolchain   TEXT,
        flash_bytes INTEGER,
        ram_bytes   INTEGER,
        result_json TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    """,
    # 4: which process is streaming a message, so one Ohm process never marks another's live
    # reply as interrupted (see LocalStore.recover_interrupted); a partial index keeps that
    # lookup cheap however many messages there are.
    """
    ALTER TABLE messages ADD COLUMN writer_lease TEXT;
    CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';
    """,
    # 5: sync bookkeeping. How far this workstation has read each server table, per Supabase
    # project and account ("scope"), so catch-up after a reconnect starts where it stopped;
    # and an index for the sync push, which reads the outbox oldest-first among rows that
    # have not failed too often.
    """
    CREATE TABLE sync_cursors (
        scope       TEXT NOT NULL,
        table_name  TEXT NOT NULL,
        server_seq  INTEGER NOT NULL,
        PRIMARY KEY (scope, table_name)
    );
    CREATE INDEX outbox_by_attempts ON outbox (attempts, seq);
    """,
    # 6: chat access through sync. Which shared chats this account was a member of when last
    # seen (per scope), so a removal noticed only at catch-up is still noticed; and chats this
    # workstation keeps for itself because their owner removed us (they stop syncing, and
    # their changes stop going to the outbox, where the server would refuse them forever).
    """
    CREATE TABLE sync_memberships (
        scope       TEXT NOT NULL,
        chat_id     TEXT NOT NULL,
        PRIMARY KEY (scope, chat_id)
    );
    CREATE TABLE detached_chats (
        chat_id     TEXT PRIMARY KEY REFERENCES chats(id),
        reason      TEXT NOT NULL,
        detached_at TEXT NOT NULL
    );
    """,
    # 7: rows pulled from the server that were refused, never applied (a chat that is not
    # their parent's, a number out of range: see store/remote_checks.py), so `ohm sync status`
    # can say so after the run that met them.
    """
    CREATE TABLE sync_refused_rows (
        table_name  TEXT NOT NULL,
        row_id      TEXT NOT NULL,
        chat_id     TEXT,
        reason      TEXT NOT NULL,
        refused_at  TEXT NOT NULL,
        PRIMARY KEY (table_name, row_id)
    );
    """,
    # 8: server rows this workstation could not apply (a row the server sent that breaks a
    # local constraint). Kept, with why, so sync goes on past them and `ohm sync status` shows
    # them; `ohm sync run --retry-failed` fetches them again.
    """
    CREATE TABLE sync_quarantine (
        scope       TEXT NOT NULL,
        table_name  TEXT NOT NULL,
        row_id      TEXT NOT NULL,
        server_seq  INTEGER NOT NULL,
        error       TEXT NOT NULL,
        record_json TEXT NOT NULL,
        at          TEXT NOT NULL,
        PRIMARY KEY (scope, table_name, row_id)
    );
    """,
)
