"""Server rows this workstation could not apply, kept aside so sync never stops on one.

A row the server sends that breaks a local constraint (a truncated payload, a shape a newer
app version wrote) is recorded here with why, and sync goes on past it. ``ohm sync status``
counts them; ``ohm sync run --retry-failed`` clears them so the next catch-up fetches them
again (the cursor is moved back to just below the lowest one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ohm_desktop.store.local_store import LocalStore, utc_now


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    table: str
    row_id: str
    server_seq: int
    error: str


def quarantine_row(store: LocalStore, scope: str, table: str, record: dict[str, Any], error: str) -> None:
    """Keep one server row that could not be applied (a later try replaces the earlier one)."""
    row_id = str(record.get("id") or json.dumps(record, sort_keys=True, default=str)[:200])
    with store.transaction(durable=False) as db:
        db.execute(
            "INSERT OR REPLACE INTO sync_quarantine (scope, table_name, row_id, server_seq, error, record_json, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (scope, table, row_id, int(record.get("server_seq") or 0), error,
             json.dumps(record, default=str), utc_now()),
        )


def quarantined_rows(store: LocalStore, scope: str | None = None) -> list[QuarantinedRow]:
    """What is kept aside (for ``scope``, or for every project and account)."""
    with store.read() as db:
        rows = db.execute(
            "SELECT table_name, row_id, server_seq, error FROM sync_quarantine"
            " WHERE ? IS NULL OR scope = ? ORDER BY table_name, server_seq",
            (scope, scope),
        ).fetchall()
    return [QuarantinedRow(str(t), str(r), int(s), str(e)) for t, r, s, e in rows]


def quarantined_count(store: LocalStore) -> int:
    """How many server rows are kept aside (every project and account of this store)."""
    with store.read() as db:
        return int(db.execute("SELECT COUNT(*) FROM sync_quarantine").fetchone()[0])


def release_quarantine(store: LocalStore) -> int:
    """Forget every kept row and move each cursor back to just below its lowest one, so the
    next catch-up fetches them again; returns how many were kept."""
    with store.transaction(durable=False) as db:
        lowest = db.execute(
            "SELECT scope, table_name, MIN(server_seq), COUNT(*) FROM sync_quarantine GROUP BY scope, table_name"
        ).fetchall()
        db.execute("DELETE FROM sync_quarantine")
        for scope, table, seq, _ in lowest:
            db.execute(
                "UPDATE sync_cursors SET server_seq = MIN(server_seq, ?) WHERE scope = ? AND table_name = ?",
                (max(0, int(seq) - 1), scope, table),
            )
    return sum(int(count) for *_, count in lowest)
