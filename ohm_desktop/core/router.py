"""Phase 1 of a turn: classify the message into an intent of the registry.

One short non-streaming call to the router model. Its prompt is generated from the
registry, so a new agent in agents.toml is routable without code. Replies are parsed
leniently (case, punctuation, extra words); an unusable reply falls back to keyword scoring
over the message (small local models often ramble), then to CHAT.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ohm_desktop.core.agents import FALLBACK_INTENT, AgentRegistry, AgentSpec
from ohm_desktop.core.events import KeyRotation
from ohm_desktop.errors import GatewayError, NoUsableKeyError

if TYPE_CHECKING:
    from ohm_desktop.core.gateway import Gateway

log = logging.getLogger(__name__)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# The message is what is classified; a very long paste would only cost router tokens.
_MAX_MESSAGE_CHARS = 4000


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    agent: AgentSpec
    how: Literal["model", "keywords", "fallback"]
    raw_reply: str


def router_prompt(registry: AgentRegistry) -> str:
    """The router's system prompt, listing every agent's intent, description and keywords."""
    lines = []
    for agent in registry.agents.values():
        line = f"- {agent.intent}: {agent.description}"
        if agent.keywords:
            line += f" (e.g. {', '.join(agent.keywords[:8])})"
        lines.append(line)
    return registry.router.prompt_template.replace("{intents}", "\n".join(lines))


def parse_intent(reply: str, registry: AgentRegistry) -> str | None:
    """The first word of ``reply`` that names an intent, or None when none does."""
    for word in _WORD.findall(reply):
        intent = str(word).upper()
        if intent in registry.agents:
            return intent
    return None


def keyword_intent(message: str, registry: AgentRegistry) -> str | None:
    """The intent whose keywords occur most in ``message``; None when no keyword occurs."""
    text = f" {message.lower()} "
    best: tuple[int, str] | None = None
    for agent in registry.agents.values():
        score = sum(1 for keyword in agent.keywords if re.search(rf"\b{re.escape(keyword)}\b", text))
        if score and (best is None or score > best[0]):
            best = (score, agent.intent)
    return best[1] if best else None


class Router:
    def __init__(self, gateway: Gateway, registry: AgentRegistry) -> None:
        self._gateway = gateway
        self._registry = registry

    async def classify(
        self, message: str, *, on_rotation: Callable[[KeyRotation], None] | None = None
    ) -> RoutingDecision:
        """Route ``message``. Key exhaustion propagates; other router failures degrade to keywords."""
        router = self._registry.router
        reply = ""
        try:
            completion = await self._gateway.complete(
                model=router.model,
                messages=[
                    {"role": "system", "content": router_prompt(self._registry)},
                    {"role": "user", "content": message[:_MAX_MESSAGE_CHARS]},
                ],
                max_tokens=router.max_tokens,
                temperature=router.temperature,
                on_rotation=on_rotation,
            )
            if completion.choices:
                reply = completion.choices[0].message.content or ""
        except NoUsableKeyError:
            raise
        except GatewayError as exc:
            # The specialist call will surface a real outage; routing alone should not.
            log.warning("router call failed, using keywords: %s", exc)
        intent = parse_intent(reply, self._registry)
        if intent is not None:
            return RoutingDecision(self._registry.agents[intent], "model", reply)
        intent = keyword_intent(message, self._registry)
        if intent is not None:
            return RoutingDecision(self._registry.agents[intent], "keywords", reply)
        return RoutingDecision(self._registry.agents[FALLBACK_INTENT], "fallback", reply)
