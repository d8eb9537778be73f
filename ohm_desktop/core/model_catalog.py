"""Which configured model ids the gateway does not know (``ohm doctor``; Settings → Agents).

Bytez lists its models at ``https://api.bytez.com/models/v2/list/models`` and answers in its
own envelope, ``{"error": null, "output": [{"modelId": ...}, ...]}`` (the shape of its other
list endpoints: https://docs.bytez.com/http/list/clusters). Any other OpenAI-compatible server
lists them at ``<base>/models`` as ``{"data": [{"id": ...}]}``. One GET, with the same key and
auth scheme as a chat request; nothing is sent when there is no key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from ohm_desktop.core.gateway_headers import AuthScheme, authorization, is_bytez
from ohm_desktop.errors import GatewayError


def model_list_url(base_url: str) -> str:
    """Where the gateway at ``base_url`` lists its models."""
    if is_bytez(base_url):
        parts = urlsplit(base_url)
        return f"{parts.scheme}://{parts.netloc}/models/v2/list/models"
    return base_url.rstrip("/") + "/models"


def model_ids(payload: Any) -> set[str]:
    """Model ids from either list shape (Bytez's envelope or OpenAI's ``data``)."""
    if not isinstance(payload, dict):
        return set()
    if isinstance(payload.get("error"), str) and payload["error"]:
        raise GatewayError(f"The gateway could not list its models ({payload['error'][:200]}): try again later.")
    items = payload.get("output") if "output" in payload else payload.get("data")
    found = set()
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict):
            model_id = item.get("modelId") or item.get("id")
            if isinstance(model_id, str):
                found.add(model_id)
    return found


async def unknown_models(
    base_url: str, secret: str, auth_scheme: AuthScheme, configured: Iterable[str], *, timeout_s: float = 10.0
) -> list[str]:
    """The ``configured`` ids the gateway does not list (sorted); GatewayError when it cannot be asked."""
    import httpx2 as httpx  # the openai SDK's transport; imported lazily (start-up time)

    headers = {}
    auth = authorization(auth_scheme, secret)
    if auth is not None:
        headers["Authorization"] = auth
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            answer = await client.get(model_list_url(base_url), headers=headers)
    except httpx.HTTPError as exc:
        raise GatewayError(
            f"Cannot reach the model gateway at {base_url} ({type(exc).__name__}): check your network connection."
        ) from None
    if answer.status_code >= 400:
        raise GatewayError(f"The gateway answered HTTP {answer.status_code} when asked for its models.")
    try:
        known = model_ids(answer.json())
    except ValueError:
        raise GatewayError("The gateway's model list is not JSON: check the gateway URL.") from None
    return sorted({model for model in configured if model not in known})
