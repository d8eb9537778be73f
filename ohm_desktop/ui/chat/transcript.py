"""The chat transcript: a virtualized list of finished messages plus a live view for streaming.

Finished messages live in a QListView whose delegate renders each one from Markdown once and
caches its layout, so a 10,000-message chat costs only the rows on screen. The answer being
streamed goes to a separate text view through a text cursor, with tokens coalesced per frame
(~16 ms): no re-render of the whole transcript per token.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QDesktopServices,
    QGuiApplication,
    QPainter,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ohm_desktop.store import Message
from ohm_desktop.ui.chat.markdown_html import COPY_SCHEME, render_markdown

FRAME_MS = 16
PAGE = 200


@dataclass(frozen=True, slots=True)
class ShownMessage:
    """A row of the transcript: a stored message, or an optimistic one with a temporary id."""

    id: str
    role: str
    content: str
    status: str = "complete"
    agent_name: str | None = None
    seq: int = 0
    temporary: bool = False

    @classmethod
    def from_record(cls, message: Message) -> ShownMessage:
        return cls(message.id, message.role, message.content, message.status, message.agent_name, message.seq)


class TranscriptModel(QAbstractListModel):
    MessageRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ShownMessage] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        # "Editable" only so the current row can open its read-only, selectable text view.
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == self.MessageRole:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return row.content
        return None

    def reset(self, rows: list[ShownMessage]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def prepend(self, rows: list[ShownMessage]) -> None:
        if rows:
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self.rows[:0] = rows
            self.endInsertRows()

    def replace(self, temp_id: str, message: ShownMessage) -> None:
        """The stored record takes its pending row's place (found by id, whatever its text)."""
        for index, row in enumerate(self.rows):
            if row.id == temp_id:
                self.rows[index] = message
                self.dataChanged.emit(self.index(index), self.index(index))
                return
        self.upsert(message)

    def upsert(self, message: ShownMessage) -> None:
        """Insert or replace by id (a seq changed by sync moves the row)."""
        for index, row in enumerate(self.rows):
            same = row.id == message.id
            if same and row.seq == message.seq:
                self.rows[index] = message
                self.dataChanged.emit(self.index(index), self.index(index))
                return
            if same:  # renumbered by sync (another workstation's message took this seq): move it
                self.beginRemoveRows(QModelIndex(), index, index)
                del self.rows[index]
                self.endRemoveRows()
                break
        position = len(self.rows)
        while position > 0 and not self.rows[position - 1].temporary and self.rows[position - 1].seq > message.seq > 0:
            position -= 1
        self.beginInsertRows(QModelIndex(), position, position)
        self.rows.insert(position, message)
        self.endInsertRows()


def dark_palette() -> bool:
    """Whether the application's theme is dark (its base colour is)."""
    return QGuiApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128


def speaker_colour(role: str, dark: bool) -> str:
    """Names readable on either theme (the light ones were near-invisible on dark)."""
    if role == "user":
        return "#6cb6ff" if dark else "#0b5cad"
    return "#d2a8ff" if dark else "#6639ba"


def message_html(message: ShownMessage, dark: bool) -> tuple[str, list[str]]:
    who = "You" if message.role == "user" else (message.agent_name or "Assistant")
    status = {"interrupted": " · <i>interrupted</i>", "error": " · <i>failed</i>"}.get(message.status, "")
    body, blocks = render_markdown(message.content or "", dark=dark)
    header = f'<div style="color:{speaker_colour(message.role, dark)};font-weight:600">{who}{status}</div>'
    return header + body, blocks


def open_link(anchor: str, blocks: list[str], copied: Any) -> None:
    """A click on a link in a message: ``copy:N`` copies a code block, web links open in the browser."""
    if anchor.startswith(f"{COPY_SCHEME}:"):
        QGuiApplication.clipboard().setText(blocks[int(anchor.split(":", 1)[1])])
        copied.emit("Code copied to the clipboard.")
    elif anchor.startswith(("http://", "https://", "mailto:")):
        QDesktopServices.openUrl(QUrl(anchor))


class MessageText(QTextBrowser):
    """The current message as selectable text: drag or Shift+arrows select, Ctrl+C copies that part."""

    def __init__(self, parent: QWidget | None, copied: Any) -> None:
        super().__init__(parent)
        self.setObjectName("message-text")
        self.setOpenLinks(False)
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Long code lines scroll sideways instead of being cut off.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.blocks: list[str] = []
        self.anchorClicked.connect(lambda url: open_link(url.toString(), self.blocks, copied))


class MessageDelegate(QStyledItemDelegate):
    """Paints a message from cached Markdown layout; ``copy:N`` links copy code blocks."""

    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cache: OrderedDict[tuple[str, str, str, bool], tuple[QTextDocument, list[str]]] = OrderedDict()

    def document(self, message: ShownMessage, width: int) -> tuple[QTextDocument, list[str]]:
        dark = dark_palette()
        key = (message.id, message.content, message.status, dark)
        text_width = max(100, width - 16)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            # A new width (a scroll bar appeared, a dock opened) only re-wraps: no Markdown again.
            if cached[0].textWidth() != text_width:
                cached[0].setTextWidth(text_width)
            return cached
        html_text, blocks = message_html(message, dark)
        document = QTextDocument()
        document.setDocumentMargin(8)
        document.setHtml(html_text)
        document.setTextWidth(text_width)
        self._cache[key] = (document, blocks)
        while len(self._cache) > 600:  # bounded: only what was on screen recently
            self._cache.popitem(last=False)
        return document, blocks

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        message: ShownMessage = index.data(TranscriptModel.MessageRole)
        document, _ = self.document(message, option.rect.width())
        painter.save()
        if message.role == "user":
            painter.fillRect(option.rect.adjusted(4, 2, -4, -2), Qt.GlobalColor.transparent)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.alternateBase())
        painter.translate(QPointF(option.rect.left() + 8, option.rect.top()))
        document.drawContents(painter, QRect(0, 0, option.rect.width() - 16, option.rect.height()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        message: ShownMessage = index.data(TranscriptModel.MessageRole)
        width = option.rect.width() if option.rect.width() > 0 else 600
        document, _ = self.document(message, width)
        return QSize(width, int(document.size().height()) + 6)

    def editorEvent(self, event: QEvent, model: Any, option: QStyleOptionViewItem, index: Any) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease:
            message: ShownMessage = index.data(TranscriptModel.MessageRole)
            document, blocks = self.document(message, option.rect.width())
            point = event.position() - QPointF(option.rect.left() + 8, option.rect.top())  # type: ignore[attr-defined]
            anchor = document.documentLayout().anchorAt(point)
            if anchor:
                open_link(anchor, blocks, self.copied)
                return True
        return super().editorEvent(event, model, option, index)

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QWidget:
        return MessageText(parent, self.copied)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, MessageText)
        message: ShownMessage = index.data(TranscriptModel.MessageRole)
        html_text, editor.blocks = message_html(message, dark_palette())
        editor.document().setDocumentMargin(8)
        editor.setHtml(html_text)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: QModelIndex | QPersistentModelIndex) -> None:
        return  # read-only: the editor is only there to select and copy text

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        editor.setGeometry(option.rect)


def _paragraph_end(text: str, search_from: int, counted_upto: int, fences_before: int) -> int:
    """Where the last paragraph finished in ``text[search_from:]`` ends (-1: none), never inside a code fence.

    ``fences_before`` counts the fences in ``text[:counted_upto]`` (kept by the caller).
    """
    position = text.rfind("\n\n", search_from)
    while position >= search_from:
        if (fences_before + text.count("```", counted_upto, position)) % 2 == 0:
            return position
        position = text.rfind("\n\n", search_from, position)
    return -1


class LiveAnswer(QTextBrowser):
    """The answer being streamed. Tokens are buffered and flushed through a cursor once per frame.

    Finished paragraphs are rendered from Markdown as they complete; only the paragraph still
    arriving is shown as plain text, in the body's own format (never the header's).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("live-answer")
        self.setOpenLinks(False)
        self._buffer: list[str] = []
        self._text = ""
        self._rendered_upto = 0
        self._tail_chars = 0
        self._fences_rendered = 0
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self.flush)
        self.flushes = 0

    def _header_html(self, header: str) -> str:
        return f'<div style="color:{speaker_colour("assistant", dark_palette())};font-weight:600">{header}</div>'

    def begin(self, header: str) -> None:
        self.clear()
        self._buffer.clear()
        self._text, self._rendered_upto, self._tail_chars, self._fences_rendered = "", 0, 0, 0
        self.setHtml(self._header_html(header))
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
        self.flushes = 0
        self.show()
        self._timer.start()

    def set_header(self, header: str) -> None:
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.Start)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertHtml(self._header_html(header))

    def append_text(self, delta: str) -> None:
        self._buffer.append(delta)
        if self.flushes == 0:
            self.flush()  # the first words show at once; the rest is coalesced per frame

    def flush(self) -> None:
        if not self._buffer:
            return
        new = "".join(self._buffer)
        self._buffer = []
        tail_from = len(self._text) - self._tail_chars
        self._text += new
        bar = self.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        finished = _paragraph_end(
            self._text, max(self._rendered_upto, tail_from - 1), self._rendered_upto, self._fences_rendered
        )
        if finished < 0:
            # The common case: the paragraph goes on. Append only what is new (no re-layout of the rest).
            cursor.insertText(new, QTextCharFormat())
            self._tail_chars += len(new)
        else:
            cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, self._tail_chars)
            cursor.removeSelectedText()
            done = self._text[self._rendered_upto : finished]
            body, _blocks = render_markdown(done, dark=dark_palette())
            cursor.insertHtml(body)
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
            self._fences_rendered += done.count("```")
            self._rendered_upto = finished + 2
            tail = self._text[self._rendered_upto :]
            cursor.insertText(tail, QTextCharFormat())
            self._tail_chars = len(tail)
        self.flushes += 1
        if at_bottom:
            bar.setValue(bar.maximum())

    def end(self) -> None:
        self.flush()
        self._timer.stop()
        self.flushes = 0
        self.hide()


class TranscriptView(QWidget):
    """History (virtualized) + the live answer, with "load earlier" paging and smart autoscroll."""

    load_earlier = Signal()
    edit_requested = Signal(str)
    notice = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TranscriptModel()
        self.delegate = MessageDelegate(self)
        self.delegate.copied.connect(self.notice)
        self.list = QListView()
        self.list.setObjectName("transcript")
        self.list.setModel(self.model)
        self.list.setItemDelegate(self.delegate)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setLayoutMode(QListView.LayoutMode.Batched)
        self.list.setBatchSize(50)
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # The current message becomes selectable text (a read-only editor over its row).
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.CurrentChanged | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.following = True
        self._scrolling = False
        self.list.verticalScrollBar().valueChanged.connect(self._maybe_load_earlier)
        self.list.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.list.verticalScrollBar().rangeChanged.connect(self._on_range)
        self.earlier = QPushButton("Load earlier messages")
        self.earlier.clicked.connect(self.load_earlier)
        self.earlier.hide()
        self.live = LiveAnswer()
        self.live.setMaximumHeight(320)
        self.live.hide()
        self.inline_error = QLabel()
        self.inline_error.setObjectName("inline-error")
        self.inline_error.setWordWrap(True)
        self.inline_error.setStyleSheet("background:#ffebe9;color:#82071e;padding:6px;border-radius:4px")
        self.inline_error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.earlier)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.live)
        layout.addWidget(self.inline_error)

    def at_bottom(self) -> bool:
        bar = self.list.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4

    def _on_range(self, _minimum: int, maximum: int) -> None:
        # Rows are laid out in batches and re-measured when a dock takes width: the end moves
        # after any one-off scrollToBottom. Following means staying at the end as it moves.
        if self.following:
            self.list.verticalScrollBar().setValue(maximum)

    def _on_scrolled(self, value: int) -> None:
        if not self._scrolling:
            self.following = value >= self.list.verticalScrollBar().maximum() - 4

    def follow_end(self) -> None:
        """Go to the end and stay there while rows are laid out, until the user scrolls away."""
        self.following = True
        self._scrolling = True
        try:
            self.list.scrollToBottom()
            bar = self.list.verticalScrollBar()
            bar.setValue(bar.maximum())
        finally:
            self._scrolling = False

    def show_messages(self, messages: list[Message], *, more_before: bool) -> None:
        self.model.reset([ShownMessage.from_record(m) for m in messages if m.status != "streaming"])
        self.earlier.setVisible(more_before)
        self.follow_end()

    def prepend(self, messages: list[Message], *, more_before: bool) -> None:
        self.model.prepend([ShownMessage.from_record(m) for m in messages if m.status != "streaming"])
        self.earlier.setVisible(more_before)

    def add_pending(self, temp_id: str, text: str) -> None:
        """The user's words at once, before they are stored (the user looks at the end now)."""
        self.model.upsert(ShownMessage(temp_id, "user", text, temporary=True))
        self.follow_end()

    def replace_pending(self, temp_id: str, message: Message) -> None:
        self.model.replace(temp_id, ShownMessage.from_record(message))

    def upsert(self, message: Message, *, follow: bool = False) -> None:
        self.upsert_many([message], follow=follow)

    def upsert_many(self, messages: list[Message], *, follow: bool = False) -> None:
        """Rows that changed together (a sync burst): one scroll to the end after all of them."""
        for message in messages:
            if message.status != "streaming":
                self.model.upsert(ShownMessage.from_record(message))
        if follow or self.following:
            self.follow_end()

    def _maybe_load_earlier(self, value: int) -> None:
        if value == 0 and self.earlier.isVisible():
            self.load_earlier.emit()

    def _menu(self, point: Any) -> None:
        index = self.list.indexAt(point)
        if not index.isValid():
            return
        message: ShownMessage = index.data(TranscriptModel.MessageRole)
        menu = QMenu(self)
        menu.addAction("Copy message", lambda: QGuiApplication.clipboard().setText(message.content))
        if message.role == "user":
            menu.addAction("Edit and resend", lambda: self.edit_requested.emit(message.content))
        menu.popup(self.list.viewport().mapToGlobal(point))


__all__ = ["LiveAnswer", "ShownMessage", "TranscriptModel", "TranscriptView"]
