"""A report as HTML for print, as a tagged PDF (WeasyPrint, PDF/UA-1) and as a data annex
(XLSX, ODS, CSV through core/exports.py)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from saferstat.core import exports
from saferstat.core.pdf import html_to_pdf

from .models import Report
from .selectors import ANNEX_HEADER, annex_rows


def print_html(report: Report, sections: list[dict[str, Any]], *, public: bool) -> str:
    return render_to_string(
        "reports/print.html",
        {
            "report": report,
            "partnership": report.partnership,
            "sections": sections,
            "narrative": _narrative(report, sections),
            "public": public,
            "print": True,
        },
    )


def _narrative(report: Report, sections) -> dict:
    return (report.build_info or {}).get("narrative") or report.narrative


def pdf_bytes(report: Report, sections: list[dict[str, Any]], *, public: bool) -> bytes:
    """The report as a tagged PDF (PDF/UA-1: structure tree, language, title shown)."""
    return html_to_pdf(print_html(report, sections, public=public))


def annex(report: Report, sections: list[dict[str, Any]], fmt: str) -> bytes:
    """The data annex: one row per published figure, with its source; a second sheet says
    what the report is and how it was built (XLSX and ODS)."""
    rows = annex_rows(sections)
    if fmt == "csv":
        return exports.export_csv(ANNEX_HEADER, rows)
    info = report.build_info or {}
    about = [
        ["Report", report.title],
        ["Partnership", report.partnership.name],
        ["Kind", report.get_kind_display()],
        ["Period", report.period],
        ["Status", report.get_status_display()],
        ["Published", report.published_at],
        ["Built at", info.get("built_at", "not yet built: a draft is built when read")],
        ["Warehouse version", info.get("warehouse_version", "")],
        ["Disclosure rule", info.get("policy", "")],
    ]
    sheets = [
        exports.Sheet("Figures", ANNEX_HEADER, rows),
        exports.Sheet("About", ["Item", "Value"], about),
    ]
    return exports.workbook_xlsx(sheets) if fmt == "xlsx" else exports.workbook_ods(sheets)
