"""The tool executor writes valid artifacts as new versions and explains invalid ones."""

from __future__ import annotations

import json

from ohm_desktop.core.orchestrator import _fenced_tool_calls
from ohm_desktop.core.tools import ToolExecutor, artifact_summary
from ohm_desktop.store import LocalStore

BOM = {"projectName": "Line follower", "parts": [{"designator": "U1", "name": "Arduino Uno", "quantity": 1}]}


def _executor() -> tuple[LocalStore, str, ToolExecutor]:
    store = LocalStore.open_in_memory()
    chat = store.create_chat("t")
    return store, chat.id, ToolExecutor(store, chat.id, author="Parts Planner", message_id=None)


def test_write_stores_a_new_version_each_time() -> None:
    store, chat_id, executor = _executor()
    first = executor.execute("write", json.dumps({"artifact_type": "bom", "content": BOM, "change_summary": "v1"}))
    second = executor.execute("write", {"artifact_type": "bom", "content": BOM, "change_summary": "v2"})
    assert (first.ok, first.version, second.version) == (True, 1, 2)
    assert [v.change_summary for v in store.list_versions(chat_id, "bom")] == ["v1", "v2"]
    assert store.get_version(chat_id, "bom").created_by == "Parts Planner"  # type: ignore[union-attr]


def test_invalid_content_is_not_stored_and_errors_name_the_field() -> None:
    store, chat_id, executor = _executor()
    bad = {"projectName": "x", "parts": [{"name": "R", "quantity": 0}]}
    outcome = executor.execute("write", {"artifact_type": "bom", "content": bad, "change_summary": "x"})
    assert not outcome.ok
    assert "content.parts.0.quantity" in outcome.model_text
    assert store.list_versions(chat_id, "bom") == []


def test_garbled_arguments_come_back_as_an_error_the_model_can_fix() -> None:
    _, _, executor = _executor()
    outcome = executor.execute("write", '{"artifact_type": "bom", "content": ')
    assert not outcome.ok and "not valid JSON" in (outcome.error or "")
    assert not executor.execute("explode", "{}").ok


def test_double_encoded_content_is_accepted() -> None:
    _, _, executor = _executor()
    outcome = executor.execute("write", {"artifact_type": "bom", "content": json.dumps(BOM), "change_summary": "s"})
    assert outcome.ok


def test_artifact_summary_lists_current_versions() -> None:
    store, chat_id, executor = _executor()
    assert artifact_summary(store, chat_id) == "This chat has no artifacts yet."
    executor.execute("write", {"artifact_type": "bom", "content": BOM, "change_summary": "s"})
    assert "bom v1: 1 parts" in artifact_summary(store, chat_id)


def test_fenced_json_fallback_finds_write_calls_in_text() -> None:
    text = (
        "Here is the list.\n```json\n"
        + json.dumps({"tool": "write", "artifact_type": "bom", "content": BOM, "change_summary": "s"})
        + "\n```\nand some prose ```json\n{not json}\n```"
    )
    calls = _fenced_tool_calls(text)
    assert calls == [("write", {"artifact_type": "bom", "content": BOM, "change_summary": "s"})]
