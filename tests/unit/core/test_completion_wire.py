"""The protocol check of gateway replies: SSE framing (WHATWG §9.2.6) and what makes a reply complete."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from ohm_desktop.core.completion_wire import (
    ProtocolViolation,
    StreamErrorEvent,
    parse_completion,
    read_chunks,
)

SSE = {"content-type": "text/event-stream; charset=utf-8"}


def _chunk(delta: dict[str, object], finish: str | None = None) -> bytes:
    return json.dumps({"id": "c", "object": "chat.completion.chunk",
                       "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}).encode()


async def _pieces(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _texts(*parts: bytes, headers: dict[str, str] = SSE) -> list[str]:
    out = []
    async for chunk in read_chunks(200, headers, _pieces(*parts)):
        out += [choice.delta.content or "" for choice in chunk.choices]
    return out


async def test_a_complete_stream_in_any_line_ending_and_split_anywhere() -> None:
    body = b"data: " + _chunk({"role": "assistant"}) + b"\r\n\r\n: a comment\n\ndata:" + _chunk({"content": "hi"}) + \
        b"\r\rdata: " + _chunk({}, "stop") + b"\n\ndata: [DONE]\n\n"
    for size in (1, 3, 7, len(body)):
        parts = [body[i : i + size] for i in range(0, len(body), size)]
        assert await _texts(*parts) == ["", "hi", ""]


async def test_a_data_field_over_several_lines_is_one_event() -> None:
    text = json.loads(_chunk({"content": "x"}))
    split = json.dumps(text).replace(", ", ",\ndata: ")
    body = ("data: " + split + "\n\n").encode() + b"data: " + _chunk({}, "stop") + b"\n\ndata: [DONE]\n\n"
    assert await _texts(body) == ["x", ""]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"data: " + _chunk({"content": "cut"}) + b"\n\n", "before a finish_reason"),
        (b"data: " + _chunk({}, "stop") + b"\n\n", "before [DONE]"),
        (b"data: [DONE]\n\n", "before any choice finished"),
        (b"", "before a finish_reason"),
        (b"data: {this is not json\n\n", "not valid JSON"),
        (b'data: {"id": "c"}\n\n', "no choices"),
        (b'data: {"choices": [{"delta": {"content": 5}}]}\n\n', "content is not text"),
        (b'data: {"choices": [{"delta": {"tool_calls": [{"function": {}}]}}]}\n\n', "no index"),
        (b"data: " + _chunk({}, "stop") + b"\n\ndata: [DO", "before [DONE]"),
    ],
)
async def test_anything_short_of_the_protocol_is_a_violation(body: bytes, why: str) -> None:
    with pytest.raises(ProtocolViolation, match=why.replace("[", r"\[").replace("]", r"\]")):
        await _texts(body)


async def test_html_instead_of_an_event_stream_is_a_violation() -> None:
    with pytest.raises(ProtocolViolation, match="text/html instead of an event stream"):
        await _texts(b"<html></html>", headers={"content-type": "text/html"})


async def test_an_error_event_is_reported_with_its_message() -> None:
    with pytest.raises(StreamErrorEvent, match="overloaded"):
        await _texts(b'data: {"error": {"message": "overloaded"}}\n\n')


def test_a_non_streamed_body_must_be_a_chat_completion() -> None:
    good = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "BOM"}, "finish_reason": "stop"}]}
    assert parse_completion(200, {"content-type": "application/json"}, json.dumps(good).encode()).choices[0].message.content == "BOM"
    for headers, body, why in [
        ({"content-type": "text/html"}, b"<html>", "text/html instead of JSON"),
        ({"content-type": "application/json"}, b'{"choices": [', "not valid JSON"),
        ({"content-type": "application/json"}, b'{"choices": []}', "no choices"),
        ({"content-type": "application/json"}, b'{"error": {"message": "x"}}', "not a chat completion"),
        ({"content-type": "application/json"}, b'{"choices": [{"message": "hi"}]}', "no message"),
    ]:
        with pytest.raises(ProtocolViolation, match=why):
            parse_completion(200, headers, body)
