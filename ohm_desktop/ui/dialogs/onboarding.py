"""First run: what Ohm is, keys (add, import, test), optional sync — every step skippable."""

from __future__ import annotations

from contextlib import suppress

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ohm_desktop.errors import OhmError
from ohm_desktop.runtime import Runtime
from ohm_desktop.settings_service import SettingsService
from ohm_desktop.ui.dialogs.keys_editor import KeysEditor

WELCOME = (
    "<h2>Welcome to Ohm Desktop</h2>"
    "<p>Chat with a team of AI specialists at your bench. They hand back real artifacts:</p>"
    "<ul><li><b>BOM</b> — a parts list you can order (CSV, JLCPCB, KiCad)</li>"
    "<li><b>Code</b> — firmware you can flash, compile-checked for your board</li>"
    "<li><b>Wiring</b> — a netlist and diagram you can follow on the breadboard</li></ul>"
    "<p>Every change is a new version you can diff and revert. Everything stays on this machine "
    "except the model calls.</p>"
)
KEYS = (
    "<h3>Your Bytez API keys</h3>"
    "<p>The specialists run on models behind the Bytez gateway. Get a key at "
    '<a href="https://bytez.com/api">bytez.com/api</a> (sign in, then copy the key from the API page) '
    "and paste it below. Add several and Ohm rotates between them so rate limits don't stop you.</p>"
    "<p>No key, or working offline? Ohm also talks to a <b>llama.cpp</b> or <b>Ollama</b> server on this "
    "machine: pick that profile in <b>Settings → Gateway</b>. You can skip this and explore.</p>"
)
SYNC = (
    "<h3>Your data stays here — or on all your workstations</h3>"
    "<p>Chats, artifacts and their versions live in a local database on this machine; only the "
    "questions you ask go to the model gateway. Everything works offline.</p>"
    "<p>Optionally, sync them between your workstations (and teammates you invite) through your "
    "own Supabase project: open <b>Settings → Sync</b>, enter the project URL and anon key, and "
    "sign in. Changes made offline wait in a local outbox and are sent when the network returns.</p>"
)


class OnboardingDialog(QDialog):
    def __init__(self, runtime: Runtime, settings_service: SettingsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings_service = settings_service
        self.setWindowTitle("Welcome to Ohm Desktop")
        self.resize(620, 480)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.runtime = runtime
        self.pages = QStackedWidget()
        welcome = QLabel(WELCOME)
        welcome.setWordWrap(True)
        keys_page = self.keys_page = QWidget()
        keys_layout = QVBoxLayout(keys_page)
        keys_text = QLabel(KEYS)
        keys_text.setWordWrap(True)
        keys_text.setOpenExternalLinks(True)
        keys_layout.addWidget(keys_text)
        self.keys_editor = KeysEditor(runtime)
        keys_layout.addWidget(self.keys_editor, 1)
        sync = QLabel(SYNC)
        sync.setWordWrap(True)
        for page in (welcome, keys_page, sync):
            self.pages.addWidget(page)
        self.skip = QPushButton("Skip and explore")
        self.skip.setObjectName("onboarding-skip")
        # Enter means "go on", never "skip": only Next is a default button.
        self.skip.setAutoDefault(False)
        self.skip.clicked.connect(self.finish)
        self.back = QPushButton("Back")
        self.back.setAutoDefault(False)
        self.back.clicked.connect(lambda: self.go(self.pages.currentIndex() - 1))
        self.next = QPushButton("Next")
        self.next.setObjectName("onboarding-next")
        self.next.setDefault(True)
        self.next.setAutoDefault(True)
        self.next.clicked.connect(self._next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip)
        buttons.addStretch(1)
        buttons.addWidget(self.back)
        buttons.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)
        self.go(0)
        self.next.setFocus()

    def go(self, index: int) -> None:
        index = max(0, min(index, self.pages.count() - 1))
        self.pages.setCurrentIndex(index)
        self.back.setEnabled(index > 0)
        self.next.setText("Start" if index == self.pages.count() - 1 else "Next")
        on_keys = self.pages.currentWidget() is self.keys_page
        # On the keys page Enter adds the pasted key; it must not also turn the page.
        self.next.setDefault(not on_keys)
        if on_keys:
            self.keys_editor.focus_entry()
        else:
            self.next.setFocus()

    def _next(self) -> None:
        if self.pages.currentIndex() == self.pages.count() - 1:
            self.finish()
        else:
            self.go(self.pages.currentIndex() + 1)

    def finish(self) -> None:
        updated = self.settings_service.settings.model_copy(update={"onboarding_done": True})
        with suppress(OhmError):  # not fatal: the welcome shows again next time
            self.settings_service.update(updated)
        self.accept()
