"""Event JSON form (the `ohm ask --json` contract) and secret redaction."""

from __future__ import annotations

import json
import logging

import pytest

from ohm_desktop.core.events import (
    AgentSelected,
    Done,
    ErrorEvent,
    KeyRotation,
    Metadata,
    TextDelta,
    ToolCallStarted,
    ToolResult,
    event_to_json,
)
from ohm_desktop.redaction import SecretRedactor, configure_logging, mask_secret


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (AgentSelected("BOM", "bom", "Parts Planner", "m", "router"),
         {"type": "agent_selected", "intent": "BOM", "agent": "bom", "name": "Parts Planner", "model": "m", "by": "router"}),
        (TextDelta("hi"), {"type": "text", "delta": "hi"}),
        (ToolCallStarted("c1", "write", "bom"),
         {"type": "tool_call", "id": "c1", "name": "write", "artifact_type": "bom", "status": "started"}),
        (ToolResult("c1", True, "a1", 2, None),
         {"type": "tool_result", "id": "c1", "ok": True, "artifact_id": "a1", "version": 2, "error": None}),
        (KeyRotation("key 1 …aaaa", "key 2 …bbbb", "rate_limited", 1.5),
         {"type": "key_rotation", "from": "key 1 …aaaa", "to": "key 2 …bbbb", "reason": "rate_limited", "wait_s": 1.5}),
        (Metadata("m1", "c1", "model", {"total_tokens": 3}, 12),
         {"type": "metadata", "message_id": "m1", "chat_id": "c1", "model": "model", "usage": {"total_tokens": 3}, "latency_ms": 12}),
        (ErrorEvent("gateway", "It failed.", True), {"type": "error", "kind": "gateway", "message": "It failed.", "retryable": True}),
        (Done(), {"type": "done"}),
    ],
)
def test_events_serialise_with_type_first_and_contract_fields(event: object, expected: dict[str, object]) -> None:
    line = event_to_json(event)  # type: ignore[arg-type]
    parsed = json.loads(line)
    assert parsed == expected
    assert next(iter(parsed)) == "type"


def test_mask_shows_only_last_four() -> None:
    assert mask_secret("sk-bytez-0123456789abcd") == "…abcd"
    assert mask_secret("short") == "…"


def test_redactor_removes_registered_and_shaped_secrets() -> None:
    redactor = SecretRedactor()
    redactor.register("plain-secret-value-xyz9")
    text = redactor.redact(
        "key plain-secret-value-xyz9 and sk-bytez-ABCDEFGHIJKLMNOP1234 and Bearer abcdefghijklmnop.qrs"
    )
    assert "plain-secret-value" not in text and "ABCDEFGHIJKL" not in text and "abcdefghijklmnop" not in text
    assert "…xyz9" in text and "…1234" in text


def test_logging_filter_redacts_messages_args_and_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    redactor = SecretRedactor()
    secret = "my-registered-secret-0042"
    redactor.register(secret)
    configure_logging(redactor, verbose=True)
    log = logging.getLogger("test.redaction")
    log.info("using %s", secret)
    try:
        raise RuntimeError(f"failed with {secret}")
    except RuntimeError:
        log.exception("boom")
    err = capsys.readouterr().err
    assert secret not in err and "…0042" in err and "RuntimeError" in err
    logging.getLogger().handlers.clear()
