"""The signed strategic assessment document for print: its HTML and its tagged PDF, from
the figures frozen at sign-off (nothing is computed again). Used by the document's PDF page
and by ``manage.py build_report assessment``."""

from __future__ import annotations

import base64

from django.template.loader import render_to_string

from saferstat.core.models import Partnership
from saferstat.core.pdf import html_to_pdf

from . import selectors
from .models import Assessment


def signed_document(partnership: Partnership, year: str) -> Assessment | None:
    """The partnership's signed-off assessment for the financial year (the latest signed,
    should there be more than one), or None."""
    return (
        Assessment.objects.filter(partnership=partnership, year=year, signed_off_at__isnull=False)
        .order_by("-signed_off_at")
        .first()
    )


def document_sections(assessment: Assessment) -> list[selectors.ShownSection]:
    """The signed document's sections with their frozen figures only (``compute=False``:
    a view without frozen figures is shown without, never computed again)."""
    return selectors.document(assessment, compute=False)


def print_html(assessment: Assessment, *, site: str, sections=None) -> str:
    """The document as HTML for print: cover, sections with their frozen charts, and the
    annex of the frozen tables. ``site`` is the address links start with."""
    sections = document_sections(assessment) if sections is None else sections
    charts = {
        shown.view.pk: "data:image/svg+xml;base64,"
        + base64.b64encode(shown.figures["chart"]["svg"].encode()).decode()
        for section in sections
        for shown in section.views
        if shown.figures and shown.figures.get("chart")
    }
    return render_to_string(
        "assessment/document_print.html",
        {
            "partnership": assessment.partnership,
            "assessment": assessment,
            "sections": sections,
            "charts": charts,
            "site": site.rstrip("/"),
        },
    )


def pdf_bytes(assessment: Assessment, *, site: str, sections=None) -> bytes:
    """The document as a tagged PDF (core/pdf.py: PDF/UA-1)."""
    return html_to_pdf(print_html(assessment, site=site, sections=sections))
