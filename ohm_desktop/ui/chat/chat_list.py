"""The chat list: new, rename, move to trash, and search as you type."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ohm_desktop.store import LocalStore

_CHAT_ID = Qt.ItemDataRole.UserRole


class ChatList(QWidget):
    chat_selected = Signal(str)
    notice = Signal(str)
    #: (chat id, teammate's email): the window shares the chat through sync.
    share_requested = Signal(str, str)
    #: chat id: the window opens "People with access" for it.
    people_requested = Signal(str)
    #: "New chat" pressed: the window's session creates it (and the composer gets the focus).
    new_requested = Signal()

    def __init__(self, store: LocalStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.search = QLineEdit()
        self.search.setObjectName("chat-search")
        self.search.setPlaceholderText("Search chats and artifacts…")
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.new_button = QPushButton("New chat")
        self.new_button.setObjectName("new-chat")
        self.new_button.clicked.connect(self.new_requested)
        self.items = QListWidget()
        self.items.setObjectName("chat-list")
        self.items.currentItemChanged.connect(self._on_current)
        self.items.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.items.customContextMenuRequested.connect(self._menu)
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.search)
        layout.addWidget(self.items, 1)
        self.setMinimumWidth(200)

    def refresh(self, select: str | None = None) -> None:
        current = select or self.current_chat_id()
        query = self.search.text().strip()
        self.items.blockSignals(True)
        self.items.clear()
        if query:
            seen: set[str] = set()
            for hit in self.store.search(query, limit=100):
                if hit.chat_id in seen:
                    continue
                seen.add(hit.chat_id)
                item = QListWidgetItem(f"{hit.chat_title}\n  {hit.snippet}")
                item.setData(_CHAT_ID, hit.chat_id)
                self.items.addItem(item)
        else:
            detached = self.store.detached_chats()
            for chat in self.store.list_chats(limit=500):
                reason = detached.get(chat.id)
                # A second line, like a search hit's snippet: the title stays the first line.
                item = QListWidgetItem(chat.title + ("\n  on this workstation only" if reason else ""))
                item.setData(_CHAT_ID, chat.id)
                updated = f"updated {chat.updated_at[:16].replace('T', ' ')}"
                item.setToolTip(f"{updated}\n{reason}" if reason else updated)
                self.items.addItem(item)
        # Re-selecting the current chat is not opening it again (that would re-render the transcript).
        for row in range(self.items.count()):
            if self.items.item(row).data(_CHAT_ID) == current:
                self.items.setCurrentRow(row)
                break
        self.items.blockSignals(False)

    def current_chat_id(self) -> str | None:
        item = self.items.currentItem()
        return None if item is None else str(item.data(_CHAT_ID))

    def select(self, chat_id: str) -> None:
        """Show ``chat_id`` as the current chat without announcing it (the window opened it already)."""
        if self.current_chat_id() == chat_id:
            return
        self.items.blockSignals(True)
        try:
            for row in range(self.items.count()):
                if self.items.item(row).data(_CHAT_ID) == chat_id:
                    self.items.setCurrentRow(row)
                    return
            self.refresh(select=chat_id)
        finally:
            self.items.blockSignals(False)

    def rename(self, chat_id: str, title: str) -> None:
        if title.strip():
            self.store.rename_chat(chat_id, title.strip())
            self.refresh()

    def trash(self, chat_id: str) -> None:
        chat = self.store.trash_chat(chat_id)
        self.notice.emit(f"Moved “{chat.title}” to the trash.")
        self.refresh()
        if self.items.count():
            self.items.setCurrentRow(0)

    def _on_current(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.chat_selected.emit(str(current.data(_CHAT_ID)))

    def _menu(self, point: object) -> None:
        item = self.items.itemAt(point)  # type: ignore[call-overload]
        if item is None:
            return
        chat_id = str(item.data(_CHAT_ID))
        menu = QMenu(self)
        menu.addAction("Rename…", lambda: self._ask_rename(chat_id, item.text().split("\n")[0]))
        menu.addAction("Share with a teammate…", lambda: self.ask_share(chat_id))
        menu.addAction("People with access…", lambda: self.people_requested.emit(chat_id))
        menu.addAction("Move to trash", lambda: self.trash(chat_id))
        menu.popup(self.items.viewport().mapToGlobal(point))  # type: ignore[call-overload]

    def ask_share(self, chat_id: str) -> QInputDialog:
        """Ask for the teammate's email (non-modal); emits ``share_requested`` when given."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Share chat")
        dialog.setLabelText("The email of your teammate's Supabase account (they must have signed up):")
        dialog.textValueSelected.connect(
            lambda text: self.share_requested.emit(chat_id, text.strip()) if "@" in text else self.notice.emit(
                "That is not an email address: the chat was not shared."
            )
        )
        dialog.open()
        return dialog

    def _ask_rename(self, chat_id: str, title: str) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Rename chat")
        dialog.setLabelText("Title")
        dialog.setTextValue(title)
        dialog.textValueSelected.connect(lambda text: self.rename(chat_id, text))
        dialog.open()
