"""The chat view: Markdown while streaming, selectable text, links, code, tables, dark theme."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QPalette, QTextCursor
from PySide6.QtWidgets import QApplication, QPushButton

from ohm_desktop.ui.chat.transcript import LiveAnswer, MessageText, TranscriptView


def test_streaming_markdown_is_rendered_and_never_in_the_header_style(qtbot: Any) -> None:
    live = LiveAnswer()
    qtbot.addWidget(live)
    live.begin("thinking…")
    live.set_header("Parts Planner is answering…")
    for piece in ("## Line follower plan\n\n", "Use **two** motors", " and a driver.\n\nNext"):
        live.append_text(piece)
        live.flush()
    document = live.document()
    header = document.firstBlock()
    assert header.text() == "Parts Planner is answering…"
    heading = header.next()
    assert heading.text().strip() == "Line follower plan"
    cursor = QTextCursor(heading)
    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
    assert cursor.charFormat().fontWeight() >= 600  # drawn as a heading, not as "## ..."
    assert "##" not in live.toPlainText() and "**" not in live.toPlainText()
    body = heading.next().next() if not heading.next().text().strip() else heading.next()
    assert body.charFormat().foreground().color().name() != header.charFormat().foreground().color().name()
    assert live.toPlainText().endswith("Next")  # the paragraph still arriving, as plain text


def test_first_words_are_on_screen_before_the_frame_timer(qtbot: Any) -> None:
    live = LiveAnswer()
    qtbot.addWidget(live)
    live.begin("thinking…")
    live.append_text("Hello")
    assert "Hello" in live.toPlainText()  # no 16 ms wait for the first byte


def _transcript_with(qtbot: Any, content: str) -> TranscriptView:
    from ohm_desktop.store import Message

    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(500, 500)
    view.show()
    message = Message("m1", "c1", 1, "assistant", content, "complete", "2026-12-01T00:00:00Z", agent_name="Bench Assistant")
    view.show_messages([message], more_before=False)
    view.list.setCurrentIndex(view.model.index(0))
    qtbot.waitUntil(lambda: bool(view.list.findChildren(MessageText)))
    return view


def test_part_of_a_message_can_be_selected_and_copied(qtbot: Any) -> None:
    view = _transcript_with(qtbot, "Use a 220 ohm resistor on each LED.")
    [text] = view.list.findChildren(MessageText)
    text.setFocus()
    cursor = text.document().find("220")
    cursor.setPosition(cursor.selectionStart())
    text.setTextCursor(cursor)
    for _ in range(7):  # "220 ohm"
        qtbot.keyClick(text, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(text, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "220 ohm"


class _Opened(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


def test_links_in_a_message_open(qtbot: Any) -> None:
    opened = _Opened()
    QDesktopServices.setUrlHandler("https", opened, "open")
    try:
        view = _transcript_with(qtbot, "The datasheet: [TB6612FNG](https://example.com/tb6612.pdf)")
        [text] = view.list.findChildren(MessageText)
        text.setFocus()
        qtbot.keyClick(text, Qt.Key.Key_Tab)  # the keyboard reaches the link
        qtbot.keyClick(text, Qt.Key.Key_Return)
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert opened.urls == ["https://example.com/tb6612.pdf"]


def test_long_code_lines_scroll_sideways_and_keep_their_copy_link_visible(qtbot: Any) -> None:
    view = _transcript_with(qtbot, "```cpp\n" + "analogWrite(9, 128); " * 30 + "\n```")
    [text] = view.list.findChildren(MessageText)
    assert text.horizontalScrollBar().maximum() > 0
    cursor = text.document().find("Copy")
    assert text.cursorRect(cursor).right() < text.viewport().width()


def test_tables_have_borders(qtbot: Any) -> None:
    view = _transcript_with(qtbot, "| Part | Qty |\n|---|---|\n| R1 | 2 |")
    [text] = view.list.findChildren(MessageText)
    frames = text.document().rootFrame().childFrames()
    assert frames and frames[0].frameFormat().border() >= 1


def test_dark_theme_keeps_text_readable(qtbot: Any) -> None:
    from ohm_desktop.ui.chat.markdown_html import render_markdown
    from ohm_desktop.ui.chat.transcript import speaker_colour
    from ohm_desktop.ui.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    saved_palette, saved_style, saved_sheet = app.palette(), app.style().name(), app.styleSheet()
    try:
        apply_theme("dark")
        palette = app.palette()
        base = palette.color(QPalette.ColorRole.Base)
        assert abs(palette.color(QPalette.ColorRole.PlaceholderText).lightness() - base.lightness()) > 80
        enabled = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText)
        disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
        assert enabled.lightness() - disabled.lightness() > 80
        html, _ = render_markdown("```\nint x;\n```", dark=True)
        assert "#161b22" in html and "#f6f8fa" not in html
        assert speaker_colour("user", True) != speaker_colour("user", False)
        button = QPushButton("Send")
        qtbot.addWidget(button)
        button.setEnabled(False)
        assert button.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText) == disabled
    finally:
        app.setStyleSheet(saved_sheet)
        app.setStyle(saved_style)
        app.setPalette(saved_palette)


def test_status_symbols_have_a_font_without_an_emoji_font() -> None:
    from ohm_desktop.ui.panels import artifact_panel

    source = Path(artifact_panel.__file__).read_text(encoding="utf-8")
    assert "⛔" not in source and "⏳" not in source  # drawn as boxes without an emoji font
