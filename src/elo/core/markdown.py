"""Markdown for notes: rendered once at write time, sanitised with nh3."""

from __future__ import annotations

import re
import threading

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


# One plain line of words and punctuation: Markdown makes it a paragraph and nothing else.
_PLAIN_LINE = re.compile(r"[^\W\d_](?:[^\W_]|[ ,.;:!?'()/-])*")
_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    converter: markdown_lib.Markdown | None = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown_lib.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        _local.converter = converter
    return converter


def render(text: str) -> str:
    if not text.strip():
        return ""
    if _PLAIN_LINE.fullmatch(text) and "  " not in text and not text.endswith(" "):
        return f"<p>{text}</p>"
    html = _converter().reset().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
