"""Markdown to safe HTML: markdown-it-py (CommonMark) renders, nh3 (Ammonia) sanitises."""
from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "b", "i",
                "a", "blockquote", "code", "pre", "hr", "br", "table", "thead", "tbody", "tr", "th",
                "td"}


def markdown_to_html(text: str) -> str:
    """Render Markdown; whatever HTML results is cleaned, so hostile content renders inert."""
    html = _md.render(text or "")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
