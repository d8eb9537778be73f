"""Add, remove, import and test API keys. Keys go to the OS keyring and are only shown masked.

Every keyring call runs in a worker thread: a Secret Service that prompts to unlock, or a slow
D-Bus, must not freeze the window (garbage collection stays on the GUI thread, see
ui/gui_thread_gc.py). One keyring action at a time; the pool is updated on the loop's thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import shiboken6
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ohm_desktop.errors import OhmError
from ohm_desktop.runtime import Runtime
from ohm_desktop.ui.dialogs.provider_keys_editor import ProviderKeysEditor

log = logging.getLogger(__name__)


class KeysEditor(QWidget):
    def __init__(self, runtime: Runtime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.keyring_ok = False  # until the worker thread has asked the keyring
        self._keyring_task: asyncio.Task[None] | None = None
        #: Give the entry the focus back once it is enabled again (disabling it moved the focus on).
        self._refocus_entry = False
        self.keyring_note = QLabel()
        self.keyring_note.setWordWrap(True)
        self.keys = QListWidget()
        self.keys.setObjectName("keys-list")
        self.entry = QLineEdit()
        self.entry.setObjectName("key-entry")
        self.entry.setEchoMode(QLineEdit.EchoMode.Password)
        self.entry.setPlaceholderText("Paste a Bytez API key")
        self.entry.returnPressed.connect(self.add_key)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_key)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.import_button = QPushButton("Import BYTEZ_API_KEY_*")
        self.import_button.setToolTip("Move keys found in the environment or .env.local into the keyring")
        self.import_button.clicked.connect(self.import_env)
        self.test_button = QPushButton("Test keys")
        self.test_button.clicked.connect(self.toggle_test)
        self._test_task: asyncio.Task[None] | None = None
        # The dialog holding this editor is deleted on close: a key test still running would
        # then write into deleted labels, so it ends with the editor.
        self.destroyed.connect(lambda *_: self._test_task.cancel() if self._test_task is not None else None)
        self.result = QLabel()
        self.result.setObjectName("keys-result")
        self.result.setWordWrap(True)
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.entry, 1)
        entry_row.addWidget(self.add_button)
        buttons = QHBoxLayout()
        for button in (self.remove_button, self.import_button, self.test_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.keys, 1)
        layout.addLayout(entry_row)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        self.provider_keys = ProviderKeysEditor(runtime, self)
        layout.addWidget(self.provider_keys)
        self.keyring_note.setText("Checking the OS keyring…")
        self._set_editable(False)
        self.refresh()
        #: Done once the keyring was asked whether it works (tests await it).
        self.ready = self._keyring_action(self._check_keyring())

    def _set_editable(self, enabled: bool) -> None:
        for widget in (self.entry, self.add_button, self.remove_button, self.import_button):
            widget.setEnabled(enabled)
        if enabled and self._refocus_entry:
            self._refocus_entry = False
            self.entry.setFocus()

    async def _check_keyring(self) -> None:
        ok = await asyncio.to_thread(self.runtime.key_store.keyring_available)
        if not self._alive():
            return
        self.keyring_ok = ok
        if ok:
            self.keyring_note.setText("Keys are stored in your OS keyring and shown only by their last 4 characters.")
        else:
            self.keyring_note.setText(
                "⚠ No OS keyring is available, so keys cannot be stored safely here. Install and unlock a Secret "
                "Service (e.g. gnome-keyring), or set BYTEZ_API_KEY_1…N in the environment. Ohm never stores "
                "keys in plain text."
            )

    def _keyring_action_done(self, task: asyncio.Task[None]) -> None:
        failure = None if task.cancelled() else task.exception()
        if failure is not None:
            # A backend's own error (locked collection, prompt dismissed, D-Bus gone): one sentence.
            log.warning("keyring action failed: %s", type(failure).__name__)
        if not self._alive():
            return
        if failure is not None:
            self.result.setText(
                f"The OS keyring did not do that ({type(failure).__name__}): unlock it and try again; nothing was lost."
            )
        self._set_editable(self.keyring_ok)

    def _alive(self) -> bool:
        return shiboken6.isValid(self)

    def _keyring_action(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run one keyring action; the editing controls wait for it (one at a time)."""
        if self._keyring_task is not None and not self._keyring_task.done():
            work.close()
            self.result.setText("Wait for the keyring to finish the last change.")
            return self._keyring_task
        self._refocus_entry = self.entry.hasFocus()
        self._set_editable(False)
        task = asyncio.ensure_future(work)
        task.add_done_callback(self._keyring_action_done)
        self._keyring_task = task
        return task

    def refresh(self) -> None:
        self.keys.clear()
        for health in self.runtime.key_pool.snapshot():
            item = QListWidgetItem(f"{health.label}   {health.source}   {health.state.replace('_', ' ')}")
            item.setData(256, health.label)
            self.keys.addItem(item)
        if not self.keys.count():
            self.keys.addItem("No keys yet.")

    async def _reload_pool(self) -> None:
        keys = await asyncio.to_thread(self.runtime.key_store.load)
        self.runtime.key_pool.replace_keys(keys)  # on the loop's thread, where the pool is used
        if self._alive():
            self.refresh()

    def focus_entry(self) -> None:
        """Put the keyboard in the key entry (now, or as soon as the keyring lets it be edited)."""
        if self.entry.isEnabled():
            self.entry.setFocus()
        else:
            self._refocus_entry = True

    def add_key(self) -> asyncio.Task[None] | None:
        secret = self.entry.text()
        if not secret.strip():
            self._say("Paste a key first (copy it from bytez.com/api).")
            return None
        self.entry.clear()
        return self._keyring_action(self._add(secret))

    async def _add(self, secret: str) -> None:
        try:
            label = await asyncio.to_thread(self.runtime.key_store.add, secret)
        except OhmError as exc:
            self._say(exc.message)
            return
        self._say(f"Stored {label} in the keyring.")
        await self._reload_pool()

    def remove_selected(self) -> asyncio.Task[None] | None:
        item = self.keys.currentItem()
        label = item.data(256) if item is not None else None
        if not label:
            self.result.setText("Select a key to remove.")
            return None
        return self._keyring_action(self._remove(str(label)))

    async def _remove(self, label: str) -> None:
        try:
            await asyncio.to_thread(self.runtime.key_store.remove, label.rsplit(" ", 1)[0])
        except OhmError as exc:
            self._say(exc.message)
            return
        self._say(f"Removed {label}.")
        await self._reload_pool()

    def import_env(self) -> asyncio.Task[None]:
        return self._keyring_action(self._import_env())

    async def _import_env(self) -> None:
        try:
            count = await asyncio.to_thread(self.runtime.key_store.import_env)
        except OhmError as exc:
            self._say(exc.message)
            return
        self._say(f"Imported {count} key(s)." if count else "No BYTEZ_API_KEY_* keys to import were found.")
        await self._reload_pool()

    def _say(self, text: str) -> None:
        if self._alive():  # the dialog may have closed while the keyring worked
            self.result.setText(text)

    def toggle_test(self) -> None:
        """Start the key test, or cancel the one running (a test can wait on slow or cooling keys)."""
        if self._test_task is not None and not self._test_task.done():
            self._test_task.cancel()
            return
        self.test_button.setText("Cancel test")
        self._test_task = asyncio.ensure_future(self.test_keys())
        self._test_task.add_done_callback(self._test_finished)

    def _test_finished(self, task: asyncio.Task[None]) -> None:
        # A done callback, not a finally: a task cancelled before its first step never enters the coroutine.
        if not shiboken6.isValid(self):
            return
        self.test_button.setText("Test keys")
        if task.cancelled():
            self.result.setText("Key test cancelled.")
            self.refresh()

    async def test_keys(self) -> None:
        """One tiny call per key through the pool's gateway; the list shows each key's state after."""
        pool = self.runtime.key_pool
        pool.reset_health()
        failures = 0
        total = max(1, len(pool))
        for attempt in range(total):
            self.result.setText(f"Testing key {attempt + 1} of {total}…")
            try:
                await self.runtime.gateway.complete(
                    model=self.runtime.registry.router.model,
                    messages=[{"role": "user", "content": "ping"}],
                    max_tokens=1,
                    deadline_s=15,
                )
            except OhmError as exc:
                failures += 1
                self.result.setText(exc.message)
                break
        states = [h.state for h in pool.snapshot()]
        if not failures:
            self.result.setText(f"{states.count('healthy')} of {len(states)} key(s) answered.")
        self.refresh()
