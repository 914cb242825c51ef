"""Notes are Markdown rendered once and sanitised; plain lines take a short cut."""

from __future__ import annotations

import markdown as markdown_lib
import nh3
from hypothesis import given, settings
from hypothesis import strategies as st

from elo.core import markdown


def _slow(text: str) -> str:
    html = markdown_lib.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=markdown.ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZé5 ,.;:!?'()/-_*#<>&[]`\n|+", max_size=40))
def test_short_cut_renders_what_markdown_renders(text: str) -> None:
    assert markdown.render(text) == _slow(text)


def test_markup_is_rendered_and_scripts_are_removed() -> None:
    assert markdown.render("**Olá**, João") == "<p><strong>Olá</strong>, João</p>"
    html = markdown.render("hi <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<script" not in html and "javascript:" not in html
    assert markdown.render("- one\n- two") == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
    assert markdown.render("Discussed demo and pricing with contact 5.") == (
        "<p>Discussed demo and pricing with contact 5.</p>"
    )
