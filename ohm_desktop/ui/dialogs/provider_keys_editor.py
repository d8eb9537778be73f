"""Provider keys in the keys editor: one per provider, stored in the OS keyring, shown masked.

Bytez sends a ``provider-key`` only with that provider's models (core/provider_keys.py). Keyring
calls run in a worker thread, like the Bytez keys' (keys_editor.py).
"""

from __future__ import annotations

import asyncio
import logging

import shiboken6
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ohm_desktop.core.gateway_headers import PROVIDERS
from ohm_desktop.errors import OhmError
from ohm_desktop.runtime import Runtime

log = logging.getLogger(__name__)


class ProviderKeysEditor(QWidget):
    def __init__(self, runtime: Runtime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runtime = runtime
        title = QLabel("Provider keys (optional: needed by Bytez for some closed models, lift its rate limits)")
        title.setWordWrap(True)
        self.stored = QLabel("…")
        self.stored.setObjectName("provider-keys-stored")
        self.stored.setWordWrap(True)
        self.provider = QComboBox()
        self.provider.setObjectName("provider-choice")
        self.provider.addItems(PROVIDERS)
        self.entry = QLineEdit()
        self.entry.setObjectName("provider-key-entry")
        self.entry.setEchoMode(QLineEdit.EchoMode.Password)
        self.entry.setPlaceholderText("Paste the provider's own API key")
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove)
        self.result = QLabel()
        self.result.setObjectName("provider-keys-result")
        self.result.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.provider)
        row.addWidget(self.entry, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.stored)
        layout.addLayout(row)
        layout.addWidget(self.result)
        #: Done once the stored keys were listed (tests await it).
        self.ready: asyncio.Task[None] = asyncio.ensure_future(self._refresh())

    def _alive(self) -> bool:
        return shiboken6.isValid(self)

    async def _refresh(self) -> None:
        store = self.runtime.provider_keys
        labels = await asyncio.to_thread(store.labels) if store is not None else []
        if self._alive():
            self.stored.setText(", ".join(f"{name} {masked}" for name, masked in labels) or "None stored.")

    def save(self) -> asyncio.Task[None]:
        secret, provider = self.entry.text(), self.provider.currentText()
        self.entry.clear()
        return asyncio.ensure_future(self._change(lambda store: f"Saved {store.add(provider, secret)}."))

    def remove(self) -> asyncio.Task[None]:
        provider = self.provider.currentText()
        return asyncio.ensure_future(self._change(lambda store: f"Removed the {store.remove(provider)} key."))

    async def _change(self, change: object) -> None:
        store = self.runtime.provider_keys
        if store is None or not callable(change):
            return
        try:
            said = await asyncio.to_thread(change, store)
        except OhmError as exc:
            said = exc.message
        except Exception as exc:  # a keyring backend's own error: one sentence, nothing lost
            log.warning("provider key change failed: %s", type(exc).__name__)
            said = f"The OS keyring did not do that ({type(exc).__name__}): unlock it and try again."
        self.runtime.reload_provider_keys()
        if self._alive():
            self.result.setText(str(said))
        await self._refresh()
