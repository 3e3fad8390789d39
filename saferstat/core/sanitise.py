"""Cleaning text that users type before it is stored or shown.

Rich text (commentary, report sections, meeting notes) goes through `clean_rich_text`, which
keeps a small set of formatting tags and removes everything else: scripts, styles, event
handler attributes, `javascript:` and `data:` links, images and frames. Plain text (titles,
names, short answers) goes through `clean_plain`, which keeps no markup at all.

Both run when the text is saved, not when it is shown, so what is stored is what is shown;
templates still escape plain text, and show rich text with `|safe` only after
`clean_rich_text`.
"""

from __future__ import annotations

import html
import re

import nh3

#: The tags rich text may use. Headings start at h2: the page owns its h1.
RICH_TEXT_TAGS = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote"}
)
#: Attributes kept on those tags. `rel` is always set by the cleaner, never taken from input.
RICH_TEXT_ATTRIBUTES = {"a": {"href"}}
#: Link schemes kept; relative links (`/p/rotherham/`) are kept too.
RICH_TEXT_URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Added to every link: the target page cannot reach back into ours, nor learn our address.
LINK_REL = "noopener noreferrer"

_RICH_CLEANER = nh3.Cleaner(
    tags=set(RICH_TEXT_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(attrs) for tag, attrs in RICH_TEXT_ATTRIBUTES.items()},
    url_schemes=set(RICH_TEXT_URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)
_TEXT_CLEANER = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"}, strip_comments=True)

# C0 control characters other than tab and newline, DEL, and the C1 controls. Carriage
# returns are handled separately (they become newlines).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MAX_PASSES = 10


def clean_rich_text(value: str | None) -> str:
    """Safe HTML from user-supplied rich text, keeping only the allowed formatting.

    >>> clean_rich_text('<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x">y</a></p>')
    '<p>Hi <a rel="noopener noreferrer">y</a></p>'
    """
    if not value:
        return ""
    return _RICH_CLEANER.clean(_CONTROL.sub("", value)).strip()


def clean_plain(value: str | None) -> str:
    """Plain text from user input: no markup, no control characters, tidy line endings.

    Tags are removed (their text is kept; script and style content is dropped), character
    references are decoded, line endings become `\\n` and surrounding white space is
    trimmed. Text that parses as a tag is removed too (`x<y` becomes `x`), while a lone
    `<` or `&` is kept (`5 < 7 & rising`). The result is text, not HTML: templates escape
    it when they show it. Cleaning twice gives the same result as cleaning once.

    >>> clean_plain("  <b>Fish</b> &amp; chips\\r\\n<script>alert(1)</script>")
    'Fish & chips'
    """
    if not value:
        return ""
    text = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    # Decoding can reveal markup that was escaped (`&lt;b&gt;`) or hidden in raw-text
    # elements (`<noscript><script>`), so strip again until nothing changes.
    for _ in range(_MAX_PASSES):
        cleaned = _CONTROL.sub("", html.unescape(_TEXT_CLEANER.clean(text)))
        if cleaned == text:
            break
        text = cleaned
    return text.strip()
