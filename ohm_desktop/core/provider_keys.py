"""Provider keys: the user's own Anthropic/OpenAI/Google/Mistral/Cohere keys for Bytez.

Bytez's OpenAI-compatible endpoint takes an optional ``provider-key`` header (required for some
closed-source providers, lifting Bytez's rate limits for the others; see core/gateway_headers.py).
One key per provider, stored in the OS keyring next to the Bytez keys (entry
``provider-key-<provider>``, never in the Bytez key index), shown only masked, registered with
the redactor as soon as it is read, and sent by the gateway only with that provider's models.
"""

from __future__ import annotations

from ohm_desktop.core.gateway_headers import PROVIDERS
from ohm_desktop.core.keys import KeyStore, validate_key
from ohm_desktop.errors import UsageError
from ohm_desktop.redaction import SecretRedactor, mask_secret

_ENTRY_PREFIX = "provider-key-"


def check_provider(provider: str) -> str:
    """``provider`` lower-cased, or a UsageError naming the ones Bytez takes."""
    cleaned = provider.strip().lower()
    if cleaned not in PROVIDERS:
        raise UsageError(f"Unknown provider {provider!r}: choose one of {', '.join(PROVIDERS)}.")
    return cleaned


class ProviderKeyStore:
    """Provider keys in the same keyring service as the Bytez keys (OHM_KEYRING_SERVICE applies)."""

    def __init__(self, keys: KeyStore, redactor: SecretRedactor) -> None:
        self._keys = keys
        self._redactor = redactor

    def load(self) -> dict[str, str]:
        """provider -> key, for every provider that has one (empty without a usable keyring)."""
        if not self._keys.keyring_available():
            return {}
        import keyring

        found = {}
        for provider in PROVIDERS:
            secret = keyring.get_password(self._keys.service, _ENTRY_PREFIX + provider)
            if secret:
                self._redactor.register(secret)
                found[provider] = secret
        return found

    def labels(self) -> list[tuple[str, str]]:
        """(provider, masked key) of every stored provider key."""
        return [(provider, mask_secret(secret)) for provider, secret in self.load().items()]

    def add(self, provider: str, secret: str) -> str:
        """Store (or replace) ``provider``'s key; returns its masked label."""
        provider = check_provider(provider)
        cleaned = validate_key(secret)
        self._redactor.register(cleaned)
        self._keys.require_keyring()
        import keyring

        keyring.set_password(self._keys.service, _ENTRY_PREFIX + provider, cleaned)
        return f"{provider} {mask_secret(cleaned)}"

    def remove(self, provider: str) -> str:
        """Forget ``provider``'s key; a UsageError when there is none."""
        provider = check_provider(provider)
        self._keys.require_keyring()
        import keyring

        entry = _ENTRY_PREFIX + provider
        if not keyring.get_password(self._keys.service, entry):
            raise UsageError(f"No {provider} provider key is stored: `ohm keys list` shows the ones there are.")
        keyring.delete_password(self._keys.service, entry)
        return provider
