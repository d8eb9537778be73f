"""The one way models are called: the ``openai`` SDK pointed at an OpenAI-compatible gateway.

One ``AsyncOpenAI`` client per key, created on first use and kept (connection keep-alive),
with ``max_retries=0`` because retries belong to the key pool: a failed attempt moves to
another key instead of hammering the same one. How the key is presented (raw for Bytez,
``Bearer`` elsewhere) and the optional ``provider-key`` are set per request
(core/gateway_headers.py).

A streamed answer that fails before any text (or tool-call piece) reached the caller is retried
on another key; once text has, a failure is reported (StreamInterruptedError), never silently
restarted. A reply counts only when it follows the protocol (``completion_wire``): a stream cut
off before ``finish_reason`` and ``[DONE]``, an HTML page or invalid JSON is a fault of that
attempt like a 5xx. A gateway failing every try ends the call with a GatewayError (exit 4)
after a few attempts instead of waiting out the whole deadline.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import math
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any

from ohm_desktop.core.completion_wire import (
    ProtocolViolation,
    StreamErrorEvent,
    carries_answer,
    parse_completion,
    read_chunks,
)
from ohm_desktop.core.events import KeyRotation, RotationReason
from ohm_desktop.core.gateway_headers import (
    PROVIDER_KEY_HEADER,
    AuthScheme,
    authorization,
    default_auth_scheme,
    is_bytez,
    provider_key_for,
    refuses_key,
)
from ohm_desktop.core.keys import ApiKey, KeyLease, KeyPool, Outcome, RateLimitInfo
from ohm_desktop.errors import GatewayError, NoUsableKeyError, StreamInterruptedError, UsageError
from ohm_desktop.redaction import SecretRedactor

if TYPE_CHECKING:
    from openai import AsyncOpenAI
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

log = logging.getLogger(__name__)
RotationListener = Callable[[KeyRotation], None]

_REASONS: dict[Outcome, RotationReason] = {
    "rate_limited": "rate_limited",
    "out_of_credits": "out_of_credits",
    "invalid": "invalid",
    "server_error": "server_error",
    "network": "server_error",
}


class _Failure(Exception):
    """One attempt failed in a way another key (or a later try) may fix."""

    def __init__(
        self,
        outcome: Outcome,
        detail: str,
        retry_after_s: float | None = None,
        rate_limit: RateLimitInfo | None = None,
    ) -> None:
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail
        self.retry_after_s = retry_after_s
        self.rate_limit = rate_limit


class Gateway:
    """Chat completions over a key pool, with rotation events for the caller."""

    def __init__(
        self,
        pool: KeyPool,
        *,
        base_url: str,
        request_timeout_s: float = 120.0,
        read_timeout_s: float = 60.0,
        connect_timeout_s: float = 10.0,
        max_network_failures: int = 3,
        stream_usage: bool = True,
        clock: Callable[[], float] = time.monotonic,
        auth_scheme: AuthScheme | None = None,
        provider_keys: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        self._pool = pool
        self.base_url = base_url.rstrip("/")
        self.auth_scheme: AuthScheme = auth_scheme or default_auth_scheme(self.base_url)
        self._deadline_s = request_timeout_s
        self._read_timeout_s = read_timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._max_network_failures = max_network_failures
        self._stream_usage = stream_usage
        self._clock = clock
        self._clients: dict[str, AsyncOpenAI] = {}
        # Gateways sometimes echo the key in an error body ("invalid key sk-…"): every detail
        # that may reach an exception, a log line or the user passes through this first.
        self._redactor = SecretRedactor()
        for key in pool.keys:
            self._redactor.register(key.secret)
        self._provider_keys: dict[str, str] = {}
        # A callable is read on the first request: the keyring is not asked before the first paint.
        self._load_provider_keys = provider_keys if callable(provider_keys) else None
        if not callable(provider_keys):
            self.replace_provider_keys(provider_keys or {})

    def replace_provider_keys(self, provider_keys: Mapping[str, str]) -> None:
        """Use these provider keys (provider -> key) from the next request on."""
        self._load_provider_keys = None
        self._provider_keys = dict(provider_keys)
        for secret in self._provider_keys.values():
            self._redactor.register(secret)

    @property
    def pool(self) -> KeyPool:
        return self._pool

    def _client(self, key: ApiKey) -> AsyncOpenAI:
        client = self._clients.get(key.secret)
        if client is None:
            import openai  # lazily: importing openai costs ~0.3 s of start-up

            client = openai.AsyncOpenAI(
                api_key=key.secret,
                base_url=self.base_url,
                max_retries=0,
                timeout=openai.Timeout(
                    self._deadline_s, connect=self._connect_timeout_s, read=self._read_timeout_s
                ),
            )
            self._clients[key.secret] = client
        return client

    async def _post(self, key: ApiKey, params: dict[str, Any], *, stream: bool) -> Any:
        """POST /chat/completions through the SDK, returning the raw response (headers + parse()).

        ``client.post`` skips the SDK's per-call recursive type transform of ``messages``,
        which costs ~0.4 ms per message: 80 ms of blocked event loop for a 200-message chat.
        Our params are plain JSON already.
        """
        import openai
        from openai.types.chat import ChatCompletion, ChatCompletionChunk

        headers: dict[str, str | openai.Omit] = {"X-Stainless-Raw-Response": "true"}
        auth = authorization(self.auth_scheme, key.secret)
        headers["Authorization"] = auth if auth is not None else openai.Omit()
        if self._load_provider_keys is not None:
            self.replace_provider_keys(self._load_provider_keys())
        provider_key = provider_key_for(str(params.get("model", "")), self._provider_keys)
        if provider_key is not None:
            headers[PROVIDER_KEY_HEADER] = provider_key
        return await self._client(key).post(
            "/chat/completions",
            body=params,
            cast_to=ChatCompletion,
            options={"headers": headers},
            stream=stream,
            stream_cls=openai.AsyncStream[ChatCompletionChunk],
        )

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.close()

    # -------------------------------------------------------------- calls
    async def complete(
        self,
        *,
        model: str,
        messages: list[dict[str, Any]],
        max_tokens: int,
        temperature: float | None = None,
        tools: list[dict[str, Any]] | None = None,
        deadline_s: float | None = None,
        on_rotation: RotationListener | None = None,
    ) -> ChatCompletion:
        """One non-streaming completion, retried across keys until the deadline."""
        params = _params(model, messages, max_tokens, temperature, tools)
        attempt = _Attempts(self, deadline_s, on_rotation)
        while True:
            lease = await attempt.lease()
            try:
                raw = await self._post(lease.key, params, stream=False)
                http = raw.http_response
                completion = parse_completion(http.status_code, http.headers, http.content)
            except BaseException as exc:
                attempt.failed(lease, self._classify_or_release(exc, lease, model))
                continue
            self._pool.release(lease, "ok", rate_limit=_rate_limit(raw.headers))
            return completion

    async def stream(
        self,
        *,
        model: str,
        messages: list[dict[str, Any]],
        max_tokens: int,
        temperature: float | None = None,
        tools: list[dict[str, Any]] | None = None,
        deadline_s: float | None = None,
        on_rotation: RotationListener | None = None,
    ) -> AsyncIterator[ChatCompletionChunk]:
        """A streamed completion; retried on another key until answer text has been yielded."""
        params = _params(model, messages, max_tokens, temperature, tools)
        params["stream"] = True
        if self._stream_usage:
            params["stream_options"] = {"include_usage": True}
        attempt = _Attempts(self, deadline_s, on_rotation)
        while True:
            lease = await attempt.lease()
            received = False
            http: Any = None
            try:
                raw = await self._post(lease.key, params, stream=True)
                budget = _rate_limit(raw.headers)
                http = raw.http_response
                async for chunk in read_chunks(http.status_code, http.headers, http.aiter_bytes()):
                    # A role-only first chunk is no answer yet: a drop after it may still go elsewhere.
                    received = received or carries_answer(chunk)
                    yield chunk
                self._pool.release(lease, "ok", rate_limit=budget)
                return
            except BaseException as exc:
                failure = self._classify_or_release(exc, lease, model)
                if not received:
                    attempt.failed(lease, failure)
                    continue
                self._pool.release(
                    lease, failure.outcome, retry_after_s=failure.retry_after_s, rate_limit=failure.rate_limit
                )
                raise StreamInterruptedError(
                    f"The answer was cut off after it started ({failure.detail}); what arrived is kept — "
                    "press Retry to ask again."
                ) from None
            finally:
                # A consumer that stops early (cancel, aclose) still gives the key back.
                self._pool.release(lease, "released")
                if http is not None:
                    # Close the HTTP response here, inside the task: left to the garbage collector,
                    # a half-read response is closed outside any task and cannot clean up.
                    with contextlib.suppress(Exception):
                        await http.aclose()

    # ---------------------------------------------------------- failures
    def _classify_or_release(self, exc: BaseException, lease: KeyLease, model: str) -> _Failure:
        """Classify ``exc``; when it is not retryable, give the key back before it propagates."""
        try:
            return self._classify(exc, model)
        except BaseException:
            self._pool.release(lease, "released")
            raise

    def _classify(self, exc: BaseException, model: str = "") -> _Failure:
        """Map an SDK/transport exception to a pool outcome; re-raise what is not ours to retry."""
        import openai

        if isinstance(exc, ProtocolViolation):
            return _Failure("server_error", self._redactor.redact(f"not a chat-completions reply: {exc.detail}"))
        if isinstance(exc, StreamErrorEvent):
            return _Failure("server_error", self._redactor.redact(f"stream error: {exc.message}"))
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            detail = self._redactor.redact(f"HTTP {status}: {_error_message(exc)}")
            if status == 429:
                headers = getattr(getattr(exc, "response", None), "headers", None) or {}
                return _Failure("rate_limited", detail, _retry_after(exc), _rate_limit(headers))
            if status == 402:
                return _Failure("out_of_credits", detail)
            if status in (401, 403) or (status >= 500 and refuses_key(detail)):
                # LiteLLM answers a key without "Bearer " with a 500: a key problem, not the server's.
                return _Failure("invalid", detail)
            if status >= 500 or status in (408, 409):
                return _Failure("server_error", detail, _retry_after(exc))
            if status == 413:
                raise UsageError(
                    "The message is too large for the model gateway (HTTP 413): send a shorter message "
                    "or attach less, then retry."
                ) from None
            if status in (400, 404, 422) and _UNKNOWN_MODEL.search(detail):
                who = "Bytez has" if is_bytez(self.base_url) else f"The gateway at {self.base_url} has"
                raise GatewayError(f"{who} no model {model!r}: pick one in Settings → Agents.") from None
            raise GatewayError(
                f"The model gateway refused the request ({detail}): check the model names in agents.toml "
                "and the gateway URL, then retry."
            ) from None
        if isinstance(exc, openai.APIConnectionError) or _is_transport_error(exc):
            detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return _Failure("network", self._redactor.redact(detail))
        if isinstance(exc, openai.APIError):
            # An error event inside an SSE stream: the SDK raises it without an HTTP status.
            return _Failure("server_error", self._redactor.redact(f"stream error: {_error_message(exc)}"))
        raise exc


class _Attempts:
    """The retry bookkeeping of one call: deadline, network failure budget, rotation events."""

    def __init__(
        self, gateway: Gateway, deadline_s: float | None, on_rotation: RotationListener | None
    ) -> None:
        self._gateway = gateway
        self._pool = gateway.pool
        self._deadline = gateway._clock() + (deadline_s if deadline_s is not None else gateway._deadline_s)
        self._on_rotation = on_rotation
        self._network_failures = 0
        self._server_failures = 0
        self._last: tuple[str, Outcome] | None = None
        self._last_detail = ""

    async def lease(self) -> KeyLease:
        def waiting(wait_s: float, _key: ApiKey | None) -> None:
            if self._on_rotation is not None:
                label = self._last[0] if self._last else None
                reason = _REASONS.get(self._last[1], "rate_limited") if self._last else "rate_limited"
                self._on_rotation(KeyRotation(label, None, reason, wait_s))

        try:
            lease = await self._pool.acquire(self._deadline, on_wait=waiting)
        except NoUsableKeyError:
            if self._last is not None and self._last[1] in ("network", "server_error"):
                # Keys that only ever met a failing gateway are not the problem: say so (exit 4).
                raise self._gateway_error() from None
            if self._last is not None and self._last[1] == "invalid" and self._pool.next_available_in() is None:
                raise self._refused_key_error() from None
            raise
        if self._last is not None and self._on_rotation is not None:
            label, outcome = self._last
            self._on_rotation(KeyRotation(label, lease.label, _REASONS.get(outcome, "server_error"), 0.0))
        return lease

    def failed(self, lease: KeyLease, failure: _Failure) -> None:
        self._pool.release(
            lease, failure.outcome, retry_after_s=failure.retry_after_s, rate_limit=failure.rate_limit
        )
        log.info("attempt with %s failed: %s", lease.label, failure.detail)
        self._last = (lease.label, failure.outcome)
        self._last_detail = failure.detail
        if failure.outcome == "network":
            self._network_failures += 1
            if self._network_failures >= self._gateway._max_network_failures:
                raise self._gateway_error()
        elif failure.outcome == "server_error":
            # Every key gets its try, but an outage ends after a few, not at the deadline.
            self._server_failures += 1
            if self._server_failures >= max(self._gateway._max_network_failures, len(self._pool)):
                raise self._gateway_error()

    def _refused_key_error(self) -> NoUsableKeyError:
        keys = "every key" if len(self._pool) > 1 else "the key"
        return NoUsableKeyError(
            f"The gateway at {self._gateway.base_url} refused {keys} as invalid ({self._last_detail}): check "
            "them with `ohm keys test` and replace them with `ohm keys add`; for a server other than Bytez set "
            "the profile's auth_scheme (raw, bearer or none) in Settings. Then retry."
        )

    def _gateway_error(self) -> GatewayError:
        if self._last is not None and self._last[1] == "server_error":
            return GatewayError(
                f"The model gateway at {self._gateway.base_url} is failing ({self._last_detail}); "
                "your keys are fine: try again in a few minutes."
            )
        return GatewayError(
            f"Cannot reach the model gateway at {self._gateway.base_url} ({self._last_detail}): "
            "check your network connection or OHM_GATEWAY_URL, then retry."
        )


def _params(
    model: str,
    messages: list[dict[str, Any]],
    max_tokens: int,
    temperature: float | None,
    tools: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    params: dict[str, Any] = {"model": model, "messages": messages, "max_tokens": max_tokens}
    if temperature is not None:
        params["temperature"] = temperature
    if tools:
        params["tools"] = tools
    return params


def _retry_after(exc: Any) -> float | None:
    """Seconds from ``retry-after-ms`` / ``Retry-After`` (seconds or an HTTP date)."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        with contextlib.suppress(ValueError):
            if math.isfinite(value := float(raw_ms)):
                return max(0.0, value / 1000)
    raw = headers.get("retry-after")
    if not raw:
        return None
    with contextlib.suppress(ValueError):
        value = float(raw)
        return max(0.0, value) if math.isfinite(value) else None
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None  # "soon" is no delay we can use: the pool's own backoff applies
    if parsed.tzinfo is None:
        return None
    return max(0.0, parsed.timestamp() - time.time())


def _rate_limit(headers: Any) -> RateLimitInfo | None:
    """The request budget from OpenAI-style ``x-ratelimit-*-requests`` headers, when present."""
    remaining = headers.get("x-ratelimit-remaining-requests")
    reset = headers.get("x-ratelimit-reset-requests")
    if remaining is None or reset is None:
        return None
    try:
        limit = headers.get("x-ratelimit-limit-requests")
        return RateLimitInfo(
            int(float(remaining)), _duration_s(str(reset)), int(float(limit)) if limit is not None else None
        )
    except ValueError:
        return None


def _duration_s(text: str) -> float:
    """``"1.5s"``, ``"250ms"``, ``"1m30s"`` or plain seconds → seconds."""
    total = 0.0
    for amount, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", text.strip()):
        total += float(amount) * {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "": 1.0}[unit]
    return total


# How servers say a model id is unknown: OpenAI's "The model `x` does not exist", Bytez's and
# LiteLLM's "model not found" / "Invalid model name" variants.
_UNKNOWN_MODEL = re.compile(
    r"model\b.{0,80}\b(does not exist|not found|unknown|no such|is not (available|supported))|"
    r"(unknown|invalid|no such) model",
    re.IGNORECASE,
)


def _error_message(exc: Any) -> str:
    """The server's sentence: OpenAI's ``{"error": {"message"}}`` or Bytez's ``{"error": "...", "output": null}``."""
    body = getattr(exc, "body", None)  # the SDK hands over what was under "error" when there was one
    if isinstance(body, str) and body:
        return body[:300]
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])[:300]
        if isinstance(error, str) and error:
            return error[:300]
    return str(getattr(exc, "message", "") or type(exc).__name__)[:300]


def _is_transport_error(exc: BaseException) -> bool:
    """httpx/httpx2 transport errors raised while iterating a stream (the SDK does not wrap them)."""
    for module_name in ("httpx2", "httpx"):
        module = __import__("sys").modules.get(module_name)
        transport_error = getattr(module, "TransportError", None) if module else None
        if transport_error is not None and isinstance(exc, transport_error):
            return True
    return isinstance(exc, ConnectionError | TimeoutError)
