"""C++/Arduino syntax highlighting for the read-only code view."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

_KEYWORDS = ["auto", "bool", "break", "byte", "case", "char", "class", "const", "constexpr", "continue", "default", "delete", "do", "double", "else", "enum", "extern", "false", "float", "for", "if", "inline", "int", "long", "namespace", "new", "nullptr", "private", "protected", "public", "return", "short", "signed", "sizeof", "static", "struct", "switch", "template", "this", "true", "typedef", "uint8_t", "uint16_t", "uint32_t", "int8_t", "int16_t", "int32_t", "unsigned", "using", "virtual", "void", "volatile", "while", "String", "boolean", "word", "HIGH", "LOW", "INPUT", "OUTPUT", "INPUT_PULLUP"]


def _format(color: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(color))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


class CppHighlighter(QSyntaxHighlighter):
    """Keywords, numbers, strings, preprocessor lines and comments (incl. multi-line)."""

    RULES = (
        (re.compile(r"\b(?:" + "|".join(_KEYWORDS) + r")\b"), _format("#0033b3", bold=True)),
        (re.compile(r"\b\d+(?:\.\d+)?[uUlLfF]*\b|\b0x[0-9a-fA-F]+\b"), _format("#1750eb")),
        (re.compile(r"^\s*#\s*\w+.*$"), _format("#9e880d")),
        (re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])\''), _format("#067d17")),
        (re.compile(r"//.*$"), _format("#8c8c8c", italic=True)),
    )
    COMMENT = _format("#8c8c8c", italic=True)

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self.RULES:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)
        self.setCurrentBlockState(0)
        start = 0 if self.previousBlockState() == 1 else text.find("/*")
        while start >= 0:
            end = text.find("*/", start + 2 if self.previousBlockState() != 1 or start else 0)
            if end < 0:
                self.setCurrentBlockState(1)
                self.setFormat(start, len(text) - start, self.COMMENT)
                break
            self.setFormat(start, end + 2 - start, self.COMMENT)
            start = text.find("/*", end + 2)
