"""Markdown to the HTML subset QTextDocument renders, with highlighted code and copy links."""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

COPY_SCHEME = "copy"


@lru_cache(maxsize=1)
def _parser() -> Any:
    # Imported on first render, not at start-up: markdown-it and pygments cost ~40 ms to load.
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_fence)
    return md


@lru_cache(maxsize=1)
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(noclasses=True, nowrap=True, style="friendly")


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
    body = highlight(token.content, lexer, _formatter())
    link = f'<a href="{COPY_SCHEME}:{len(blocks) - 1}" style="text-decoration:none">Copy</a>'
    return (
        f'<table width="100%" cellpadding="6" style="background:#f6f8fa;border:1px solid #d0d7de">'
        f'<tr><td align="right" style="color:#57606a;font-size:small">{html.escape(language)} · {link}</td></tr>'
        f'<tr><td><pre style="margin:0;font-family:monospace">{body}</pre></td></tr></table>'
    )


def render_markdown(text: str) -> tuple[str, list[str]]:
    """HTML for ``text`` and the code blocks in it (the targets of its ``copy:N`` links)."""
    env: dict[str, list[str]] = {}
    rendered = _parser().render(text, env)
    return rendered, env.get("code_blocks", [])
