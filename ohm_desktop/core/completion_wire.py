"""Reading a chat-completions reply exactly as the protocol says, or saying why it is not one.

The SDK's own stream reader ends quietly when the connection closes before ``data: [DONE]``,
yields whatever JSON a line holds (a chunk without ``choices``) and lets a ``text/html`` page
through as an empty stream, so a cut-off answer looked complete. Here a streamed reply is
complete only when a choice carried a ``finish_reason`` and the ``[DONE]`` sentinel arrived
(OpenAI API reference, "Streaming": "terminated by a data: [DONE] message"); a non-streamed
reply only when its body is a JSON ``chat.completion`` with a message. Anything else raises
:class:`ProtocolViolation`, which the gateway treats as a fault of that attempt.

Event-stream framing follows the WHATWG HTML spec, "Server-sent events §9.2.6 Interpreting an
event stream": lines end in CRLF, LF or CR; ``data:`` lines (one optional space after the
colon) accumulate until a blank line dispatches the event; lines starting with ``:`` are comments.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

_MAX_EVENT_BYTES = 8 * 1024 * 1024  # a gateway sending an endless line is not the protocol either


class ProtocolViolation(Exception):
    """The reply is not a chat-completions reply (or ended before it was one)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class StreamErrorEvent(Exception):
    """The gateway sent an ``{"error": ...}`` event inside the stream."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _content_type(headers: Any) -> str:
    return str(headers.get("content-type", "")).split(";", 1)[0].strip().lower()


def parse_completion(status: int, headers: Any, body: bytes) -> ChatCompletion:
    """The ``chat.completion`` in a non-streamed 2xx body, or ProtocolViolation."""
    from openai.types.chat import ChatCompletion

    kind = _content_type(headers)
    if kind and "json" not in kind:
        raise ProtocolViolation(f"HTTP {status} answered with {kind} instead of JSON")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolViolation(f"HTTP {status} answered with a body that is not valid JSON") from None
    if not isinstance(data, dict) or ("error" in data and "choices" not in data):
        raise ProtocolViolation(f"HTTP {status} answered with JSON that is not a chat completion")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        raise ProtocolViolation("the completion has no choices")
    for choice in choices:
        if not isinstance(choice, dict) or not isinstance(choice.get("message"), dict):
            raise ProtocolViolation("a completion choice has no message")
        content = choice["message"].get("content")
        if content is not None and not isinstance(content, str):
            raise ProtocolViolation("a completion message's content is not text")
        _check_tool_calls(choice["message"].get("tool_calls"), streamed=False)
    return ChatCompletion.construct(**data)


async def read_chunks(status: int, headers: Any, body: AsyncIterator[bytes]) -> AsyncIterator[ChatCompletionChunk]:
    """The chunks of a streamed reply; raises ProtocolViolation when the stream is not complete."""
    from openai.types.chat import ChatCompletionChunk

    kind = _content_type(headers)
    if kind != "text/event-stream":
        raise ProtocolViolation(f"HTTP {status} answered with {kind or 'no content type'} instead of an event stream")
    finished = False
    async for data in _event_data(body):
        if data == "[DONE]":
            if not finished:
                raise ProtocolViolation("the stream sent [DONE] before any choice finished")
            return
        try:
            value = json.loads(data)
        except ValueError:
            raise ProtocolViolation(f"a stream event is not valid JSON ({data[:40]!r})") from None
        if not isinstance(value, dict):
            raise ProtocolViolation("a stream event is not a JSON object")
        if value.get("error"):
            error = value["error"]
            message = error.get("message") if isinstance(error, dict) else None
            raise StreamErrorEvent(str(message)[:300] if message else "an error occurred during streaming")
        value = _normalised_chunk(value)
        finished = finished or any(choice.get("finish_reason") for choice in value["choices"])
        yield ChatCompletionChunk.construct(**value)
    raise ProtocolViolation(
        "the stream ended before a finish_reason" if not finished else "the stream ended before [DONE]"
    )


def _normalised_chunk(value: dict[str, Any]) -> dict[str, Any]:
    """A chunk whose fields the orchestrator may read without checking, or ProtocolViolation."""
    choices = value.get("choices")
    if choices is None and isinstance(value.get("usage"), dict):
        choices = []  # a usage-only chunk from a server that omits the empty list
    if not isinstance(choices, list):
        raise ProtocolViolation("a stream chunk has no choices")
    normalised = []
    for choice in choices:
        if not isinstance(choice, dict):
            raise ProtocolViolation("a stream choice is not a JSON object")
        delta = choice.get("delta") or {}
        if not isinstance(delta, dict):
            raise ProtocolViolation("a stream choice's delta is not a JSON object")
        content = delta.get("content")
        if content is not None and not isinstance(content, str):
            raise ProtocolViolation("a stream delta's content is not text")
        _check_tool_calls(delta.get("tool_calls"), streamed=True)
        normalised.append({**choice, "delta": delta})
    usage = value.get("usage")
    return {**value, "choices": normalised, "usage": usage if isinstance(usage, dict) else None}


def _check_tool_calls(calls: Any, *, streamed: bool) -> None:
    if calls is None:
        return
    if not isinstance(calls, list):
        raise ProtocolViolation("tool_calls is not a list")
    for call in calls:
        if not isinstance(call, dict) or (streamed and not isinstance(call.get("index"), int)):
            raise ProtocolViolation("a tool call has no index" if streamed else "a tool call is not a JSON object")
        function = call.get("function")
        if function is None and streamed:
            continue
        if not isinstance(function, dict):
            raise ProtocolViolation("a tool call has no function")
        for field in ("name", "arguments"):
            if function.get(field) is not None and not isinstance(function[field], str):
                raise ProtocolViolation(f"a tool call's {field} is not text")


def carries_answer(chunk: ChatCompletionChunk) -> bool:
    """True when the chunk holds answer text or a tool-call piece (a role-only chunk does not)."""
    for choice in chunk.choices:
        delta = choice.delta
        if delta.content or delta.tool_calls:
            return True
    return False


async def _event_data(body: AsyncIterator[bytes]) -> AsyncIterator[str]:
    """The ``data`` of each dispatched server-sent event (comments and other fields skipped)."""
    buffer = b""
    data_lines: list[str] = []
    async for piece in body:
        buffer += piece
        # Complete lines only; a CR at the very end may be the first half of a CRLF.
        cut = len(buffer) - 1 if buffer.endswith(b"\r") else len(buffer)
        end = max(buffer.rfind(b"\n", 0, cut), buffer.rfind(b"\r", 0, cut))
        if end < 0:
            if len(buffer) > _MAX_EVENT_BYTES:
                raise ProtocolViolation("a stream line is longer than 8 MB")
            continue
        complete, buffer = buffer[: end + 1], buffer[end + 1 :]
        for line in complete.splitlines():
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolViolation("a stream line is not UTF-8") from None
            if not text:
                if data_lines:
                    yield "\n".join(data_lines)
                    data_lines = []
            elif not text.startswith(":"):
                name, _, field_value = text.partition(":")
                if name == "data":
                    data_lines.append(field_value[1:] if field_value.startswith(" ") else field_value)
    if buffer == b"\r" and data_lines:
        yield "\n".join(data_lines)  # the held-back CR was a blank line after all
    # Otherwise an event is dispatched only by a blank line: data still pending here was cut off.
