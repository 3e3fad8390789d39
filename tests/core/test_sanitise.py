"""Rich text keeps a small set of tags and nothing that runs; plain text keeps no markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saferstat.core.sanitise import (
    RICH_TEXT_ATTRIBUTES,
    RICH_TEXT_TAGS,
    RICH_TEXT_URL_SCHEMES,
    clean_plain,
    clean_rich_text,
)


class _Collector(HTMLParser):
    """Every start tag and its attributes, as a browser would parse them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def parsed_tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_safe(html: str) -> None:
    for tag, attrs in parsed_tags(html):
        assert tag in RICH_TEXT_TAGS, html
        allowed = RICH_TEXT_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        assert set(attrs) <= allowed, html
        # As a browser reads a URL: tabs and newlines removed, leading controls and spaces
        # trimmed; a scheme is letters, digits, "+", "-" and "." before the first ":".
        href = re.sub(r"^[\x00-\x20]+|[\t\n\r]", "", attrs.get("href") or "").lower()
        scheme = re.match(r"([a-z][a-z0-9+.\-]*):", href)
        if scheme:
            assert scheme.group(1) in RICH_TEXT_URL_SCHEMES, html
    assert "<script" not in html.lower()


def test_allowed_formatting_is_kept():
    html = (
        "<h2>Knife crime</h2><p>Up <strong>12%</strong>, <em>not</em> significant.<br>"
        'See <a href="https://www.police.uk/">police.uk</a>.</p>'
        "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>quote</blockquote><h3>a</h3><h4>b</h4>"
    )
    assert clean_rich_text(html) == html.replace(
        '<a href="https://www.police.uk/">',
        '<a href="https://www.police.uk/" rel="noopener noreferrer">',
    )


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>"),
        ("<script src=//evil.example/x.js></script>ok", "ok"),
        ("<style>body{display:none}</style>ok", "ok"),
        ('<p onclick="steal()" onmouseover=steal()>text</p>', "<p>text</p>"),
        ('<img src=x onerror="alert(1)">after', "after"),
        ("<svg onload=alert(1)><circle /></svg>after", "after"),
        ('<iframe src="https://evil.example"></iframe>after', "after"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<a href=" javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<a href="java&#x09;script:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        (
            '<a href="data:text/html,<script>alert(1)</script>">x</a>',
            '<a rel="noopener noreferrer">x</a>',
        ),
        ('<a href="vbscript:msgbox(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        (
            '<a href="/p/rotherham/" target="_blank" rel="opener">x</a>',
            '<a href="/p/rotherham/" rel="noopener noreferrer">x</a>',
        ),
        ('<p style="background:url(javascript:alert(1))" class="x" id="y">t</p>', "<p>t</p>"),
        ("<h1>Title</h1><b>bold</b><form><input></form>", "Titlebold"),
        ("<!-- comment --><p>t</p>", "<p>t</p>"),
        ("<p>unclosed <strong>bold", "<p>unclosed <strong>bold</strong></p>"),
    ],
)
def test_dangerous_markup_is_removed(dirty, clean):
    assert clean_rich_text(dirty) == clean
    assert_safe(clean_rich_text(dirty))


def test_mailto_links_are_kept():
    assert clean_rich_text('<a href="mailto:csp@example.org">mail</a>') == (
        '<a href="mailto:csp@example.org" rel="noopener noreferrer">mail</a>'
    )


def test_empty_input():
    assert clean_rich_text(None) == "" and clean_rich_text("") == ""
    assert clean_plain(None) == "" and clean_plain("") == ""


def test_plain_text_keeps_no_markup():
    assert clean_plain("  <b>Fish</b> &amp; chips\r\n<script>alert(1)</script>") == "Fish & chips"
    assert clean_plain('<a href="javascript:x" onclick="y">link</a>') == "link"
    assert clean_plain("Knife crime: 5 < 7 & rising") == "Knife crime: 5 < 7 & rising"


def test_plain_text_removes_control_characters_and_tidies_line_endings():
    assert clean_plain("one\r\ntwo\rthree\x00\x07\x1b\x9b") == "one\ntwo\nthree"
    assert clean_plain("\ttabbed\t") == "tabbed"


fragments = st.lists(
    st.sampled_from(
        [
            "<script>",
            "</script>",
            "<p>",
            "</p>",
            '<a href="',
            "javascript:",
            "java\tscript:",
            '" onclick="',
            "onerror=",
            "<img src=x ",
            ">",
            "<",
            '"',
            "'",
            "&#x6A;",
            "&lt;",
            "<svg>",
            "<style>",
            "</a>",
            "<strong>",
            "http://x.org/",
            "data:",
            "text",
            " ",
            "=",
            "<!--",
            "-->",
            "<iframe>",
            "<math>",
            "<template>",
            "<noscript>",
        ]
    ),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(html=st.one_of(fragments, st.text(max_size=60)))
def test_rich_text_never_keeps_anything_outside_the_allow_list(html):
    assert_safe(clean_rich_text(html))


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(fragments, st.text(max_size=60)))
def test_plain_text_is_never_html_with_script(text):
    cleaned = clean_plain(text)
    assert "<script" not in cleaned.lower()
    assert not any(0 < ord(ch) < 32 and ch not in "\t\n" for ch in cleaned)


def test_plain_text_markup_revealed_by_decoding_is_removed_too():
    assert clean_plain("&lt;b&gt;bold&lt;/b&gt;") == "bold"
    assert clean_plain("<noscript><script>alert(1)</script></noscript>ok") == "ok"


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(fragments, st.text(max_size=60)))
def test_plain_text_cleaning_is_idempotent(text):
    assert clean_plain(clean_plain(text)) == clean_plain(text)
