"""First run: what Ohm is, keys (add, import, test), optional sync — every step skippable."""

from __future__ import annotations

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

from ohm_desktop.config import save_settings
from ohm_desktop.runtime import Runtime
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
SYNC = (
    "<h3>Your data stays here — or on all your workstations</h3>"
    "<p>Chats, artifacts and their versions live in a local database on this machine; only the "
    "questions you ask go to the model gateway. Everything works offline.</p>"
    "<p>Optionally, sync them between your workstations (and teammates you invite) through your "
    "own Supabase project: open <b>Settings → Sync</b>, enter the project URL and anon key, and "
    "sign in. Changes made offline wait in a local outbox and are sent when the network returns.</p>"
)


class OnboardingDialog(QDialog):
    def __init__(self, runtime: Runtime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Ohm Desktop")
        self.resize(620, 480)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.runtime = runtime
        self.pages = QStackedWidget()
        welcome = QLabel(WELCOME)
        welcome.setWordWrap(True)
        keys_page = QWidget()
        keys_layout = QVBoxLayout(keys_page)
        keys_layout.addWidget(QLabel("<h3>Your Bytez API keys</h3><p>Add one or more keys; Ohm rotates between "
                                     "them so rate limits don't stop you. You can skip this and explore.</p>"))
        self.keys_editor = KeysEditor(runtime)
        keys_layout.addWidget(self.keys_editor, 1)
        sync = QLabel(SYNC)
        sync.setWordWrap(True)
        for page in (welcome, keys_page, sync):
            self.pages.addWidget(page)
        self.skip = QPushButton("Skip and explore")
        self.skip.setObjectName("onboarding-skip")
        self.skip.clicked.connect(self.finish)
        self.back = QPushButton("Back")
        self.back.clicked.connect(lambda: self.go(self.pages.currentIndex() - 1))
        self.next = QPushButton("Next")
        self.next.setObjectName("onboarding-next")
        self.next.setDefault(True)
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

    def go(self, index: int) -> None:
        index = max(0, min(index, self.pages.count() - 1))
        self.pages.setCurrentIndex(index)
        self.back.setEnabled(index > 0)
        self.next.setText("Start" if index == self.pages.count() - 1 else "Next")

    def _next(self) -> None:
        if self.pages.currentIndex() == self.pages.count() - 1:
            self.finish()
        else:
            self.go(self.pages.currentIndex() + 1)

    def finish(self) -> None:
        updated = self.runtime.settings.model_copy(update={"onboarding_done": True})
        try:
            save_settings(self.runtime.paths, updated)
            self.runtime.settings = updated
        except OSError:
            pass  # not fatal: the welcome shows again next time
        self.accept()
