"""Pulled rows that do not fit their parent are refused, recorded and never applied (issue #12)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ohm_desktop.store import LocalStore

BOM = {"projectName": "Relay", "parts": [{"designator": "K1", "name": "SRD-05VDC relay", "quantity": 1}]}
NOW = "2026-12-02T00:00:00.000000Z"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    opened = LocalStore.open(tmp_path / "ohm.sqlite3")
    yield opened
    opened.close()


def _version(artifact_id: str, chat_id: str, number: Any, *, created_by: Any = "Parts Planner") -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "artifact_id": artifact_id, "chat_id": chat_id, "version_number": number,
        "content": {"projectName": "INJECTED", "parts": []}, "change_summary": "mains relay",
        "created_by": created_by, "message_id": None, "created_at": NOW,
    }


def test_a_version_naming_another_chat_than_its_artifacts_is_refused_and_recorded(store: LocalStore) -> None:
    mine, theirs = store.create_chat("mine"), store.create_chat("theirs")
    store.write_version(mine.id, "bom", BOM, change_summary="v1", created_by="you")
    artifact = store.get_artifact(mine.id, "bom")
    assert artifact is not None
    forged = _version(artifact.id, theirs.id, 2)

    assert store.apply_remote("artifact_versions", [forged]) == []

    assert [v.version_number for v in store.list_versions(mine.id, "bom")] == [1]
    [refused] = store.refused_remote_rows()
    assert (refused.table, refused.row_id, refused.chat_id) == ("artifact_versions", forged["id"], theirs.id)
    assert refused.reason == f"it names chat {theirs.id} but its artifact belongs to chat {mine.id}"


@pytest.mark.parametrize("number", [0, -1, 1_000_001, 2_147_483_647, 2_147_483_648, "3", 2.0, True])
def test_a_version_number_out_of_range_is_refused(store: LocalStore, number: Any) -> None:
    chat = store.create_chat("mine")
    store.write_version(chat.id, "bom", BOM, change_summary="v1", created_by="you")
    artifact = store.get_artifact(chat.id, "bom")
    assert artifact is not None

    store.apply_remote("artifact_versions", [_version(artifact.id, chat.id, number)])

    assert store.get_artifact(chat.id, "bom").current_version == 1  # type: ignore[union-attr]
    assert [r.reason for r in store.refused_remote_rows()] == [f"its version number {number!r} is outside 1…1000000"]
    store.write_version(chat.id, "bom", BOM, change_summary="v2", created_by="you")  # numbering goes on
    assert [v.version_number for v in store.list_versions(chat.id, "bom")] == [1, 2]


@pytest.mark.parametrize("author", ["", "x" * 81, "Parts Planner\nby the owner", None])
def test_a_version_whose_author_is_not_one_short_line_is_refused(store: LocalStore, author: Any) -> None:
    chat = store.create_chat("mine")
    store.write_version(chat.id, "bom", BOM, change_summary="v1", created_by="you")
    artifact = store.get_artifact(chat.id, "bom")
    assert artifact is not None
    store.apply_remote("artifact_versions", [_version(artifact.id, chat.id, 2, created_by=author)])
    assert [v.version_number for v in store.list_versions(chat.id, "bom")] == [1]
    assert len(store.refused_remote_rows()) == 1


def test_a_message_out_of_range_or_moved_to_another_chat_is_refused(store: LocalStore) -> None:
    mine, theirs = store.create_chat("mine"), store.create_chat("theirs")
    kept = store.add_message(mine.id, "user", "hello")
    base = {"role": "user", "content": "x", "status": "complete", "agent_intent": None, "agent_name": None,
            "model": None, "metadata": {}, "created_at": NOW}
    huge = {**base, "id": str(uuid.uuid4()), "chat_id": mine.id, "seq": 2_147_483_647}
    moved = {**base, "id": kept.id, "chat_id": theirs.id, "seq": 1}

    store.apply_remote("messages", [huge, moved])

    assert [m.id for m in store.list_messages(mine.id)] == [kept.id]
    assert store.list_messages(theirs.id) == []
    assert sorted(r.reason for r in store.refused_remote_rows()) == sorted([
        "its sequence number 2147483647 is outside 1…1000000",
        f"a message with its id is already filed under chat {mine.id}",
    ])


def test_an_artifact_id_already_filed_under_another_chat_is_refused(store: LocalStore) -> None:
    mine, theirs = store.create_chat("mine"), store.create_chat("theirs")
    store.write_version(mine.id, "bom", BOM, change_summary="v1", created_by="you")
    artifact = store.get_artifact(mine.id, "bom")
    assert artifact is not None
    store.apply_remote("artifacts", [{"id": artifact.id, "chat_id": theirs.id, "type": "bom", "created_at": NOW}])
    assert store.get_artifact(theirs.id, "bom") is None
    assert [r.table for r in store.refused_remote_rows()] == ["artifacts"] and store.refused_remote_count() == 1


def test_rows_that_fit_are_applied_and_nothing_is_recorded(store: LocalStore) -> None:
    chat = store.create_chat("mine")
    store.write_version(chat.id, "bom", BOM, change_summary="v1", created_by="you")
    artifact = store.get_artifact(chat.id, "bom")
    assert artifact is not None
    store.apply_remote("artifact_versions", [_version(artifact.id, chat.id, 2)])
    assert [v.version_number for v in store.list_versions(chat.id, "bom")] == [1, 2]
    assert store.refused_remote_rows() == []
