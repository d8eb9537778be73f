"""A scripted OpenAI-compatible gateway for tests: real HTTP, real SSE, programmable per key.

It speaks the wire protocol the `openai` SDK speaks to Bytez: ``POST /v1/chat/completions``
(JSON, or server-sent ``chat.completion.chunk`` events ending in ``data: [DONE]``), ``GET
/v1/models``, OpenAI-style error bodies. Keys come from the ``Authorization`` header (raw, as
Bytez wants, or ``Bearer``). A responder decides what each request gets; ``KeyBehaviour``
injects rate limits, 402/401/5xx, slow first bytes and mid-stream disconnects per key.

Run standalone: ``python -m tests.support.fake_gateway --port P [--demo]`` prints ``{"url": ...}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class ToolCallSpec:
    name: str
    arguments: dict[str, Any] | str  # a str is sent verbatim (lets tests send garbled JSON)
    id: str | None = None


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[ToolCallSpec] = field(default_factory=list)
    chunk_chars: int = 8
    tool_arg_pieces: int = 3
    usage: dict[str, int] | None = None


@dataclass
class SeenRequest:
    key: str
    model: str
    messages: list[dict[str, Any]]
    stream: bool
    tools: list[dict[str, Any]] | None
    max_tokens: int | None
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


Responder = Callable[[SeenRequest], Reply]


@dataclass
class KeyBehaviour:
    rate_limit_rps: float | None = None
    retry_after: bool = True
    out_of_credits_after: int | None = None
    status: int | None = None
    first_byte_delay_s: float = 0.0
    disconnect_after_chunks: int | None = None
    # Error body message for ``status`` answers; "{key}" becomes the raw key, like gateways that echo it.
    error_message: str | None = None
    # OpenAI-style x-ratelimit-*-requests headers on answers of a rate-limited key (not every gateway sends them).
    ratelimit_headers: bool = True
    # Send an SSE error event (``data: {"error": ...}``) instead of chunk N+1, then end the stream.
    stream_error_after_chunks: int | None = None
    # At most this many requests in flight (Bytez's free tier: one per key); more are answered 429.
    max_concurrency: int | None = None
    # Errors in Bytez's own envelope, {"error": "...", "output": null}, instead of OpenAI's.
    bytez_envelope: bool = False


@dataclass
class _KeyState:
    tokens: float = 0.0
    refilled_at: float = 0.0
    successes: int = 0
    in_flight: int = 0


def default_responder(request: SeenRequest) -> Reply:
    return Reply(text="OK")


class FakeGateway:
    """An OpenAI-compatible server on 127.0.0.1 running its own loop in a daemon thread."""

    def __init__(self, responder: Responder | None = None, *, require_key: bool = True) -> None:
        self._responder: Responder = responder or default_responder
        # False: like a local llama.cpp/Ollama server, a request without Authorization is served.
        self.require_key = require_key
        # What GET /v1/models lists; bytez_models=True answers in Bytez's envelope (output/modelId).
        self.model_ids: list[str] = ["fake/model"]
        self.bytez_models = False
        self._behaviours: dict[str, KeyBehaviour] = {}
        self._states: dict[str, _KeyState] = {}
        self._lock = threading.Lock()
        self.requests: list[SeenRequest] = []
        self.attempts: list[tuple[str, int]] = []  # (key, status) of every request, including refused ones
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------ control
    def set_responder(self, responder: Responder) -> None:
        self._responder = responder

    def behave(self, key: str, behaviour: KeyBehaviour) -> None:
        with self._lock:
            self._behaviours[key] = behaviour
            self._states[key] = _KeyState(tokens=_bucket_size(behaviour), refilled_at=time.monotonic())

    def start(self, port: int = 0) -> FakeGateway:
        ready = threading.Event()

        def serve() -> None:
            # Not new_event_loop(): under qasync.run the policy would hand this thread a Qt loop.
            loop = asyncio.SelectorEventLoop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._astart(port))
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._astop())
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-gateway", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake gateway did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> FakeGateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _astart(self, port: int) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_get("/v1/models", self._models)
        # Control endpoints for a gateway in another process (the key-pool benchmark).
        app.router.add_get("/__stats", self._stats)
        app.router.add_post("/__reset", self._reset)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{self.port}/v1"

    async def _astop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def reset(self) -> None:
        """Every key's bucket full again and no request seen (between benchmark contenders)."""
        with self._lock:
            for key, behaviour in self._behaviours.items():
                self._states[key] = _KeyState(tokens=_bucket_size(behaviour), refilled_at=time.monotonic())
            self.attempts.clear()
            self.requests.clear()

    async def _stats(self, request: web.Request) -> web.Response:
        with self._lock:
            counts: dict[str, dict[str, int]] = {}
            for key, status in self.attempts:
                per_key = counts.setdefault(key, {})
                per_key[str(status)] = per_key.get(str(status), 0) + 1
        return web.json_response({"attempts": counts})

    async def _reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})

    # ------------------------------------------------------------ protocol
    @staticmethod
    def _key(request: web.Request) -> str:
        header = request.headers.get("Authorization", "")
        return header[7:] if header.lower().startswith("bearer ") else header

    def _limit_headers(self, key: str) -> dict[str, str]:
        """OpenAI-style x-ratelimit-* headers for a rate-limited key (none for unlimited keys)."""
        with self._lock:
            behaviour = self._behaviours.get(key)
            state = self._states.get(key)
            if behaviour is None or behaviour.rate_limit_rps is None or state is None or not behaviour.ratelimit_headers:
                return {}
            rate, size = behaviour.rate_limit_rps, _bucket_size(behaviour)
            remaining = int(state.tokens)
            reset = (size - state.tokens) / rate  # OpenAI: until the budget is back to its initial state
        return {
            "x-ratelimit-limit-requests": str(int(size)),
            "x-ratelimit-remaining-requests": str(remaining),
            "x-ratelimit-reset-requests": f"{max(reset, 0.001):.3f}s",
        }

    def _refuse(self, key: str) -> web.Response | None:
        """Apply the key's behaviour; a response when the request is refused."""
        with self._lock:
            behaviour = self._behaviours.get(key)
            state = self._states.setdefault(key, _KeyState())
            if behaviour is None:
                return None
            if behaviour.status is not None:
                message = (behaviour.error_message or "scripted failure").replace("{key}", key)
                scripted = {"Retry-After": "1"} if behaviour.status == 429 and behaviour.retry_after else None
                if behaviour.bytez_envelope:
                    return web.json_response({"error": message, "output": None}, status=behaviour.status, headers=scripted)
                return _error(behaviour.status, message, headers=scripted)
            if behaviour.out_of_credits_after is not None and state.successes >= behaviour.out_of_credits_after:
                return _error(402, "Your account is out of credits.", code="insufficient_quota")
            if behaviour.max_concurrency is not None and state.in_flight >= behaviour.max_concurrency:
                headers = {"Retry-After": "1"} if behaviour.retry_after else None
                return _error(429, "Too many requests in flight for this key.", code="rate_limit_exceeded", headers=headers)
            if behaviour.rate_limit_rps is not None:
                now = time.monotonic()
                rate = behaviour.rate_limit_rps
                state.tokens = min(_bucket_size(behaviour), state.tokens + (now - state.refilled_at) * rate)
                state.refilled_at = now
                if state.tokens < 1.0:
                    headers = {}
                    if behaviour.retry_after:
                        headers["Retry-After"] = f"{max(0.001, (1.0 - state.tokens) / rate):.3f}"
                    if behaviour.ratelimit_headers:
                        size = _bucket_size(behaviour)
                        headers["x-ratelimit-limit-requests"] = str(int(size))
                        headers["x-ratelimit-remaining-requests"] = "0"
                        headers["x-ratelimit-reset-requests"] = f"{max(0.001, (size - state.tokens) / rate):.3f}s"
                    return _error(429, "Rate limit exceeded.", code="rate_limit_exceeded", headers=headers)
                state.tokens -= 1.0
            state.successes += 1
            state.in_flight += 1  # given back by _chat when the answer is complete
            return None

    async def _models(self, request: web.Request) -> web.Response:
        key = self._key(request)
        refused = self._refuse(key)
        if refused is not None:
            return refused
        with self._lock:
            state = self._states.get(key)
            if state is not None and key in self._behaviours:
                state.in_flight = max(0, state.in_flight - 1)
        if self.bytez_models:
            return web.json_response({"error": None, "output": [{"modelId": m, "task": "chat"} for m in self.model_ids]})
        return web.json_response({"object": "list", "data": [{"id": m, "object": "model"} for m in self.model_ids]})

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        key = self._key(request)
        if not key and self.require_key:
            return _error(401, "Missing API key.", code="invalid_api_key")
        refused = self._refuse(key)
        if refused is not None:
            with self._lock:
                self.attempts.append((key, refused.status))
            return refused
        try:
            return await self._answer(request, key)
        finally:
            with self._lock:
                state = self._states.get(key)
                if state is not None and self._behaviours.get(key) is not None:
                    state.in_flight = max(0, state.in_flight - 1)

    async def _answer(self, request: web.Request, key: str) -> web.StreamResponse:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "Body is not JSON.")
        seen = SeenRequest(
            key=key,
            model=str(body.get("model", "")),
            messages=list(body.get("messages", [])),
            stream=bool(body.get("stream")),
            tools=body.get("tools"),
            max_tokens=body.get("max_tokens") or body.get("max_completion_tokens"),
            body=body,
            headers={name.lower(): value for name, value in request.headers.items()},
        )
        with self._lock:
            self.requests.append(seen)
            self.attempts.append((key, 200))
            behaviour = self._behaviours.get(key, KeyBehaviour())
        reply = self._responder(seen)
        if behaviour.first_byte_delay_s:
            await asyncio.sleep(behaviour.first_byte_delay_s)
        usage = reply.usage or {"prompt_tokens": 20, "completion_tokens": max(1, len(reply.text) // 4), "total_tokens": 0}
        usage = {**usage, "total_tokens": usage.get("total_tokens") or usage["prompt_tokens"] + usage["completion_tokens"]}
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:20]}"
        calls = [(spec.id or f"call_{uuid.uuid4().hex[:16]}", spec) for spec in reply.tool_calls]
        headers = self._limit_headers(key)
        if not seen.stream:
            return web.json_response(_completion(completion_id, seen.model, reply.text, calls, usage), headers=headers)
        return await self._stream(request, completion_id, seen, reply, calls, usage, behaviour, headers)

    async def _stream(
        self,
        request: web.Request,
        completion_id: str,
        seen: SeenRequest,
        reply: Reply,
        calls: list[tuple[str, ToolCallSpec]],
        usage: dict[str, int],
        behaviour: KeyBehaviour,
        limit_headers: dict[str, str],
    ) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", **limit_headers}
        )
        await response.prepare(request)
        sent = 0

        async def send(delta: dict[str, Any], finish: str | None = None, with_usage: bool = False) -> None:
            nonlocal sent
            if behaviour.disconnect_after_chunks is not None and sent >= behaviour.disconnect_after_chunks:
                raise ConnectionResetError("scripted disconnect")
            if behaviour.stream_error_after_chunks is not None and sent >= behaviour.stream_error_after_chunks:
                error = {"error": {"message": "upstream model overloaded", "type": "server_error", "code": None}}
                await response.write(f"data: {json.dumps(error)}\n\n".encode())
                raise _StreamEnded
            chunk: dict[str, Any] = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": seen.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            if with_usage:
                chunk = {**chunk, "choices": [], "usage": usage}
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
            sent += 1

        try:
            await send({"role": "assistant", "content": ""})
            step = max(1, reply.chunk_chars)
            for start in range(0, len(reply.text), step):
                await send({"content": reply.text[start : start + step]})
                await asyncio.sleep(0)
            for index, (call_id, spec) in enumerate(calls):
                arguments = spec.arguments if isinstance(spec.arguments, str) else json.dumps(spec.arguments)
                await send(
                    {"tool_calls": [{"index": index, "id": call_id, "type": "function",
                                     "function": {"name": spec.name, "arguments": ""}}]}
                )
                pieces = max(1, reply.tool_arg_pieces)
                size = max(1, -(-len(arguments) // pieces))
                for start in range(0, len(arguments), size):
                    await send({"tool_calls": [{"index": index, "function": {"arguments": arguments[start : start + size]}}]})
            await send({}, finish="tool_calls" if calls else "stop")
            if (seen.body.get("stream_options") or {}).get("include_usage"):
                await send({}, with_usage=True)
            await response.write(b"data: [DONE]\n\n")
        except _StreamEnded:
            await response.write_eof()
            return response
        except ConnectionResetError:
            # Drop the TCP connection without a clean end of stream, like a network cut.
            if request.transport is not None:
                request.transport.abort()
            return response
        await response.write_eof()
        return response


def _bucket_size(behaviour: KeyBehaviour) -> float:
    """A key's token bucket holds one second of requests (at least one request)."""
    return max(1.0, behaviour.rate_limit_rps or 0.0)


class _StreamEnded(Exception):
    """A scripted in-stream error was sent; the stream ends cleanly after it."""


def _completion(
    completion_id: str, model: str, text: str, calls: list[tuple[str, ToolCallSpec]], usage: dict[str, int]
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = [
            {
                "id": call_id,
                "type": "function",
                "function": {
                    "name": spec.name,
                    "arguments": spec.arguments if isinstance(spec.arguments, str) else json.dumps(spec.arguments),
                },
            }
            for call_id, spec in calls
        ]
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
        "usage": usage,
    }


def _error(status: int, message: str, *, code: str | None = None, headers: dict[str, str] | None = None) -> web.Response:
    kinds = {400: "invalid_request_error", 401: "authentication_error", 402: "insufficient_quota",
             403: "permission_error", 429: "rate_limit_error"}
    body = {"error": {"message": message, "type": kinds.get(status, "server_error"), "code": code}}
    return web.json_response(body, status=status, headers=headers)


DEMO_BOM: dict[str, Any] = {
    "projectName": "Line-following robot",
    "parts": [
        {"designator": "U1", "name": "Arduino Uno R3", "quantity": 1, "mpn": "A000066", "manufacturer": "Arduino"},
        {"designator": "U2", "name": "TB6612FNG dual motor driver", "quantity": 1, "footprint": "Breakout"},
        {"designator": "M1", "name": "N20 gear motor 6V", "quantity": 2},
        {"designator": "IR1", "name": "TCRT5000 reflective sensor module", "quantity": 3},
        {"designator": "BT1", "name": "2S LiPo 7.4V 1000mAh", "quantity": 1},
        {"designator": "C1", "name": "Electrolytic capacitor", "value": "100uF", "quantity": 1},
    ],
}


def demo_responder(request: SeenRequest) -> Reply:
    """Router → BOM; specialist → text + one BOM write; after the tool result → a closing line."""
    if not request.stream:
        return Reply(text="BOM")
    if any(message.get("role") == "tool" for message in request.messages):
        return Reply(text="The parts list is saved; next I can wire it or write the firmware.")
    last_user = next((m for m in reversed(request.messages) if m.get("role") == "user"), {"content": ""})
    content = json.loads(json.dumps(DEMO_BOM))
    if "buzzer" in str(last_user.get("content", "")).lower():
        content["parts"].append({"designator": "BZ1", "name": "Piezo buzzer 5V", "quantity": 1})
    return Reply(
        text="Here is a parts list for a two-motor line follower with three reflective sensors.",
        tool_calls=[ToolCallSpec("write", {"artifact_type": "bom", "content": content,
                                           "change_summary": "Parts for a line-following robot"})],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the fake OpenAI-compatible gateway.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--demo", action="store_true", help="answer like a BOM specialist (default: 'OK')")
    parser.add_argument("--keys", help='JSON file: {"<key>": {KeyBehaviour fields}, ...}')
    args = parser.parse_args()
    gateway = FakeGateway(demo_responder if args.demo else default_responder).start(args.port)
    if args.keys:
        with open(args.keys, encoding="utf-8") as file:
            for key, fields in json.load(file).items():
                gateway.behave(key, KeyBehaviour(**fields))
    print(json.dumps({"url": gateway.url}), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        gateway.stop()


if __name__ == "__main__":
    main()
