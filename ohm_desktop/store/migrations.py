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
)
