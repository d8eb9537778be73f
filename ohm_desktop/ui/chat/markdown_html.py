"""Markdown to the HTML subset QTextDocument renders, with highlighted code and copy links."""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

COPY_SCHEME = "copy"


# (code background, border, caption colour, pygments style) per theme: light text on a light
# block was unreadable in the dark theme.
_CODE_COLOURS = {
    False: ("#f6f8fa", "#d0d7de", "#57606a", "friendly"),
    True: ("#161b22", "#444c56", "#9ea7b3", "github-dark"),
}


@lru_cache(maxsize=1)
def _parser() -> Any:
    # Imported on first render, not at start-up: markdown-it and pygments cost ~40 ms to load.
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_fence)
    # QTextDocument draws table borders only from the border attribute, not from CSS.
    md.add_render_rule("table_open", lambda *_: '<table border="1" cellspacing="0" cellpadding="4">\n')
    return md


@lru_cache(maxsize=2)
def _formatter(style: str) -> Any:
    from pygments.formatters import HtmlFormatter
    from pygments.util import ClassNotFound

    try:
        return HtmlFormatter(noclasses=True, nowrap=True, style=style)
    except ClassNotFound:  # an older pygments without github-dark
        return HtmlFormatter(noclasses=True, nowrap=True, style="monokai")


def _render_fence(self: object, tokens: list, idx: int, options: object, env: dict) -> str:  # type: ignore[type-arg]
    from pygments import highlight
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.util import ClassNotFound

    token = tokens[idx]
    language = (token.info or "").strip().split(" ")[0].lower() or "text"
    aliases = {"ino": "cpp", "arduino": "cpp", "c++": "cpp"}
    try:
        lexer = get_lexer_by_name(aliases.get(language, language))
    except ClassNotFound:
        lexer = TextLexer()
    blocks = env.setdefault("code_blocks", [])
    blocks.append(token.content)
    background, border, caption, style = _CODE_COLOURS[bool(env.get("dark"))]
    body = highlight(token.content, lexer, _formatter(style))
    link = f'<a href="{COPY_SCHEME}:{len(blocks) - 1}" style="text-decoration:none">Copy</a>'
    # The caption is on the left: a long line widens the block, and a right-aligned Copy went off-screen.
    return (
        f'<table width="100%" cellpadding="6" style="background:{background};border:1px solid {border}">'
        f'<tr><td style="color:{caption};font-size:small">{html.escape(language)} · {link}</td></tr>'
        f'<tr><td><pre style="margin:0;font-family:monospace">{body}</pre></td></tr></table>'
    )


def render_markdown(text: str, *, dark: bool = False) -> tuple[str, list[str]]:
    """HTML for ``text`` and the code blocks in it (the targets of its ``copy:N`` links)."""
    env: dict[str, Any] = {"dark": dark}
    rendered = _parser().render(text, env)
    return rendered, env.get("code_blocks", [])
