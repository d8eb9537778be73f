"""What a request carries besides its body: how the key is presented, and the provider key.

Bytez wants the raw key as ``Authorization`` — its OpenAI-compatible chat reference lists a
bare ``Authorization`` token (https://docs.bytez.com/http-reference/oaiCompliant/chatCompletions)
and its HTTP examples say "Set Authorization header to BYTEZ_KEY", ``'Authorization:
YOUR_BYTEZ_KEY_HERE'`` (https://docs.bytez.com/http-reference/examples/open-source/chat/chat).
Every other OpenAI-compatible server (LiteLLM's proxy, vLLM, llama.cpp, Ollama, OpenAI itself)
expects ``Bearer <key>``; LiteLLM answers a raw key with a 500 "Malformed API Key passed in.
Ensure Key has `Bearer ` prefix." So the scheme is a per-profile setting whose default follows
the gateway's host.

The same Bytez reference documents an optional ``provider-key`` header: "Optional provider key
for running requests against closed source models. Required for providers anthropic and
cohere. Removes rate limits for the other providers." It is sent only with a model id whose
``provider/`` prefix names the provider the key belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

AuthScheme = Literal["raw", "bearer", "none"]
AUTH_SCHEMES: tuple[AuthScheme, ...] = ("raw", "bearer", "none")

#: Providers whose own keys Bytez accepts in ``provider-key`` (the prefix of their model ids).
PROVIDERS: tuple[str, ...] = ("anthropic", "openai", "google", "mistral", "cohere")
PROVIDER_KEY_HEADER = "provider-key"

# What servers answer when the key's form (not its value) is wrong: LiteLLM's proxy says
# "Malformed API Key passed in. Ensure Key has `Bearer ` prefix." with HTTP 500.
_MALFORMED_KEY = re.compile(
    r"malformed api key|ensure key has .?bearer|invalid (api|proxy server) (key|token)|"
    r"api key (is )?(invalid|malformed|not valid)|incorrect api key|no api key provided",
    re.IGNORECASE,
)


def default_auth_scheme(base_url: str) -> AuthScheme:
    """Raw for Bytez's own hosts, ``Bearer`` for every other server."""
    host = (urlsplit(base_url).hostname or "").lower()
    return "raw" if host == "bytez.com" or host.endswith(".bytez.com") else "bearer"


def is_bytez(base_url: str) -> bool:
    """Whether ``base_url`` is Bytez's gateway (it alone takes provider keys and has a model list)."""
    return default_auth_scheme(base_url) == "raw"


def authorization(scheme: AuthScheme, secret: str) -> str | None:
    """The ``Authorization`` header value for ``secret``, None for a server that wants none."""
    if scheme == "raw":
        return secret
    if scheme == "bearer":
        return f"Bearer {secret}"
    return None


def provider_of(model: str) -> str | None:
    """``anthropic`` for ``anthropic/claude-opus-4-5``; None for an id without a known provider."""
    prefix, slash, _ = model.partition("/")
    prefix = prefix.lower()
    return prefix if slash and prefix in PROVIDERS else None


def provider_key_for(model: str, provider_keys: Mapping[str, str]) -> str | None:
    """The provider key to send with a request for ``model``, if the user stored one."""
    provider = provider_of(model)
    return provider_keys.get(provider) if provider else None


def refuses_key(message: str) -> bool:
    """Whether an error message says the key itself was refused (whatever the status)."""
    return bool(_MALFORMED_KEY.search(message))
