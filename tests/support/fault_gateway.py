"""A fault-injection OpenAI-compatible gateway: every byte of every reply is programmable.

``FakeGateway`` (aiohttp) answers like a healthy server and fails in the ways a key pool must
handle. This one writes HTTP/1.1 by hand on a raw asyncio socket, so a test can send what real
gateways and proxies send when they break: a 200 ``text/html`` error page, invalid JSON, an SSE
line that is not JSON, chunks without ``choices``, a body delimited by closing the connection
(RFC 9112 §6.3 rule 8) cut off mid-text, a chunked body dropped at byte N (no final
``0\\r\\n\\r\\n``, RFC 9112 §7.1), a redirect to another origin, ``Retry-After: soon``, delays.

A normal answer is the OpenAI wire format (``chat.completion`` JSON, or ``chat.completion.chunk``
events, a ``finish_reason``, the usage chunk when ``stream_options.include_usage``, then
``data: [DONE]``; OpenAI API reference, "Streaming"). A :class:`Fault` is programmed per key
(``inject(key, ...)``; ``"*"`` is any key) and per request (faults are used in order, each for
``times`` requests, then the key answers normally). Every request is recorded in ``calls``.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_gateway import Reply, Responder, SeenRequest, default_responder

Framing = str  # "length" (Content-Length), "chunked" (Transfer-Encoding), "close" (connection close ends it)
BodyTransform = Callable[[bytes], bytes]


@dataclass
class Fault:
    """What one request gets instead of (or on top of) the normal answer."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: The whole body, or a function of the normal body (``lambda b: b[:40]``); None = the normal body.
    body: bytes | BodyTransform | None = None
    content_type: str | None = None  # None: the normal one (JSON, or text/event-stream when streaming)
    framing: Framing | None = None  # None: chunked for streams, Content-Length otherwise
    chunk_bytes: int = 64  # size of each write (and HTTP chunk) of the body
    #: Reset the connection after N body bytes, mid-frame (a function of the normal body gives N).
    drop_at_byte: int | Callable[[bytes], int] | None = None
    delay_s: float = 0.0  # before the status line
    #: Only for requests whose ``stream`` flag matches (None: all); lets the router call pass untouched.
    stream: bool | None = None
    times: int | None = 1  # how many matching requests it applies to; None = every one


@dataclass
class Call:
    key: str
    path: str
    stream: bool
    status: int


class FaultGateway:
    """Raw HTTP/1.1 on 127.0.0.1 in a daemon thread; ``url`` ends in ``/v1`` like Bytez's base URL."""

    def __init__(self, responder: Responder | None = None) -> None:
        self._responder = responder or default_responder
        self._faults: dict[str, list[Fault]] = {}
        self._pages: dict[str, Fault] = {}
        self._lock = threading.Lock()
        self.calls: list[Call] = []
        self.requests: list[SeenRequest] = []  # every chat-completions request, as parsed
        self.url = ""
        self.origin = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ control
    def set_responder(self, responder: Responder) -> None:
        self._responder = responder

    def inject(self, key: str, *faults: Fault) -> None:
        """Queue faults for ``key`` (``"*"``: any key without its own queue), used in order."""
        with self._lock:
            self._faults.setdefault(key, []).extend(faults)

    def page(self, path: str, fault: Fault) -> None:
        """Serve ``fault`` at ``path`` (any method): a redirect target, for instance."""
        with self._lock:
            self._pages[path] = fault

    def chat_calls(self, key: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path.endswith("/chat/completions") and key in (None, c.key)]

    def start(self) -> FaultGateway:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.SelectorEventLoop()  # not new_event_loop(): qasync's policy may be installed
            self._loop = loop
            server = loop.run_until_complete(asyncio.start_server(self._connection, "127.0.0.1", 0))
            port = server.sockets[0].getsockname()[1]
            self.origin = f"http://127.0.0.1:{port}"
            self.url = f"{self.origin}/v1"
            ready.set()
            loop.run_forever()
            server.close()
            loop.run_until_complete(server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=serve, name="fault-gateway", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fault gateway did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> FaultGateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ HTTP
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    async def _one_request(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Serve one request; False when the connection must close."""
        request_line = await reader.readline()
        if not request_line:
            return False
        _method, path, _version = request_line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
        auth = headers.get("authorization", "")
        key = auth[7:] if auth.lower().startswith("bearer ") else auth
        with self._lock:
            page = self._pages.get(path)
        if page is not None:
            return await self._send(writer, page, b"", "text/html", key, path, stream=False)
        if not path.endswith("/chat/completions"):
            return await self._send(writer, Fault(status=404, body=b'{"error":{"message":"not found"}}'),
                                    b"", "application/json", key, path, stream=False)
        payload = json.loads(body or b"{}")
        stream = bool(payload.get("stream"))
        fault = self._take_fault(key, stream)
        seen = SeenRequest(
            key=key, model=str(payload.get("model", "")), messages=list(payload.get("messages", [])),
            stream=stream, tools=payload.get("tools"), max_tokens=payload.get("max_tokens"), body=payload,
        )
        with self._lock:
            self.requests.append(seen)
        if fault is not None and fault.status >= 400 and fault.body is None:
            fault = _with_error_body(fault)
        normal, kind = (_sse_body(seen, self._responder(seen)) if stream else _json_body(seen, self._responder(seen)))
        return await self._send(writer, fault or Fault(), normal, kind, key, path, stream=stream)

    def _take_fault(self, key: str, stream: bool) -> Fault | None:
        with self._lock:
            queue = self._faults.get(key) or self._faults.get("*") or []
            for index, fault in enumerate(queue):
                if fault.stream is not None and fault.stream != stream:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        del queue[index]
                return fault
        return None

    async def _send(
        self, writer: asyncio.StreamWriter, fault: Fault, normal: bytes, kind: str, key: str, path: str, *, stream: bool
    ) -> bool:
        with self._lock:
            self.calls.append(Call(key, path, stream, fault.status))
        if fault.delay_s:
            await asyncio.sleep(fault.delay_s)
        body = fault.body(normal) if callable(fault.body) else (normal if fault.body is None else fault.body)
        framing = fault.framing or ("chunked" if stream and fault.status < 300 else "length")
        reason = {200: "OK", 302: "Found", 307: "Temporary Redirect", 429: "Too Many Requests",
                  500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}.get(fault.status, "Status")
        head = [f"HTTP/1.1 {fault.status} {reason}", f"Content-Type: {fault.content_type or kind}"]
        if framing == "length":
            head.append(f"Content-Length: {len(body)}")
        elif framing == "chunked":
            head.append("Transfer-Encoding: chunked")
        else:
            head.append("Connection: close")
        head += [f"{name}: {value}" for name, value in fault.headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        drop = fault.drop_at_byte(body) if callable(fault.drop_at_byte) else fault.drop_at_byte
        limit = len(body) if drop is None else min(drop, len(body))
        step = max(1, fault.chunk_bytes)
        for start in range(0, limit, step):
            piece = body[start : min(start + step, limit)]
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if framing == "chunked" else piece)
            await writer.drain()
            await asyncio.sleep(0)
        if drop is not None and drop < len(body):
            writer.transport.abort()  # a network cut: no end of body, an RST
            return False
        if framing == "chunked":
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        return framing != "close"


def _with_error_body(fault: Fault) -> Fault:
    kinds = {401: "authentication_error", 402: "insufficient_quota", 403: "permission_error", 429: "rate_limit_error"}
    error = {"error": {"message": f"scripted HTTP {fault.status}", "type": kinds.get(fault.status, "server_error")}}
    return Fault(**{**fault.__dict__, "body": json.dumps(error).encode(), "content_type": fault.content_type or "application/json"})


def _usage(reply: Reply) -> dict[str, int]:
    usage = reply.usage or {"prompt_tokens": 20, "completion_tokens": max(1, len(reply.text) // 4)}
    return {**usage, "total_tokens": usage.get("total_tokens") or usage["prompt_tokens"] + usage["completion_tokens"]}


def _calls(reply: Reply) -> list[tuple[str, str, str]]:
    return [
        (spec.id or f"call_{uuid.uuid4().hex[:16]}", spec.name,
         spec.arguments if isinstance(spec.arguments, str) else json.dumps(spec.arguments))
        for spec in reply.tool_calls
    ]


def _json_body(seen: SeenRequest, reply: Reply) -> tuple[bytes, str]:
    calls = _calls(reply)
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if calls:
        message["tool_calls"] = [{"id": i, "type": "function", "function": {"name": n, "arguments": a}} for i, n, a in calls]
    completion = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:20]}", "object": "chat.completion", "created": int(time.time()),
        "model": seen.model, "usage": _usage(reply),
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
    }
    return json.dumps(completion).encode(), "application/json"


def sse_chunks(seen: SeenRequest, reply: Reply) -> list[dict[str, Any]]:
    """The chunk objects of a normal streamed answer, in order (without the ``[DONE]`` sentinel)."""
    base = {"id": f"chatcmpl-{uuid.uuid4().hex[:20]}", "object": "chat.completion.chunk",
            "created": int(time.time()), "model": seen.model}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    chunks = [chunk({"role": "assistant", "content": ""})]
    step = max(1, reply.chunk_chars)
    chunks += [chunk({"content": reply.text[i : i + step]}) for i in range(0, len(reply.text), step)]
    calls = _calls(reply)
    for index, (call_id, name, arguments) in enumerate(calls):
        chunks.append(chunk({"tool_calls": [{"index": index, "id": call_id, "type": "function",
                                             "function": {"name": name, "arguments": ""}}]}))
        size = max(1, -(-len(arguments) // max(1, reply.tool_arg_pieces)))
        chunks += [chunk({"tool_calls": [{"index": index, "function": {"arguments": arguments[i : i + size]}}]})
                   for i in range(0, len(arguments), size)]
    chunks.append(chunk({}, "tool_calls" if calls else "stop"))
    if (seen.body.get("stream_options") or {}).get("include_usage"):
        chunks.append({**base, "choices": [], "usage": _usage(reply)})
    return chunks


def sse_encode(chunks: list[dict[str, Any]], *, done: bool = True) -> bytes:
    return b"".join(b"data: %s\n\n" % json.dumps(c).encode() for c in chunks) + (b"data: [DONE]\n\n" if done else b"")


def _sse_body(seen: SeenRequest, reply: Reply) -> tuple[bytes, str]:
    return sse_encode(sse_chunks(seen, reply)), "text/event-stream"
