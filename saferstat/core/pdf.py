"""HTML to a tagged PDF (WeasyPrint, PDF/UA-1: structure tree, language, title shown), for
reports and the strategic assessment alike."""

from __future__ import annotations


def html_to_pdf(html: str) -> bytes:
    """The page as a tagged PDF. Give it self-contained HTML (styles inline, images as
    ``data:`` addresses): nothing is fetched."""
    from weasyprint import HTML

    return HTML(string=html, base_url=".").write_pdf(pdf_variant="pdf/ua-1")
