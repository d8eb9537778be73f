"""Compile results attached to code versions, in the local store's ``compile_results`` table.

Results are local (not in the outbox): every workstation compiles with its own toolchain.
"""

from __future__ import annotations

import json

from ohm_desktop.firmware.result import CompileResult
from ohm_desktop.store import LocalStore
from ohm_desktop.store.local_store import utc_now


class CompileResultStore:
    """Read and write the compile result of a code version (one per version, latest wins)."""

    def __init__(self, store: LocalStore) -> None:
        self._store = store

    def save(self, version_id: str, result: CompileResult) -> None:
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO compile_results (version_id, status, board, toolchain, flash_bytes, ram_bytes,"
                " result_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (version_id) DO UPDATE SET status = excluded.status, board = excluded.board,"
                " toolchain = excluded.toolchain, flash_bytes = excluded.flash_bytes,"
                " ram_bytes = excluded.ram_bytes, result_json = excluded.result_json,"
                " created_at = excluded.created_at",
                (
                    version_id,
                    result.status,
                    result.board,
                    result.toolchain,
                    result.flash_bytes,
                    result.ram_bytes,
                    json.dumps(result.to_dict(), ensure_ascii=False),
                    utc_now(),
                ),
            )

    def get(self, version_id: str) -> CompileResult | None:
        with self._store.transaction() as db:
            row = db.execute("SELECT result_json FROM compile_results WHERE version_id = ?", (version_id,)).fetchone()
        return CompileResult.from_dict(json.loads(row[0])) if row else None
