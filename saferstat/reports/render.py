"""A report as HTML for print, as a tagged PDF (WeasyPrint, PDF/UA-1) and as a data annex
(XLSX, ODS, CSV through core/exports.py); its charts drawn from its tables (Altair,
vl-convert), so a public chart never shows more than its disclosure-controlled table."""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any

from django.template.loader import render_to_string

from saferstat.analytics import charts
from saferstat.analytics.disclosure import policy_from
from saferstat.core import exports
from saferstat.core.pdf import html_to_pdf

from .models import Report, ReportVersion
from .selectors import ANNEX_HEADER, annex_rows, policy_for

#: Bars beyond this many are left to the table (the largest come first).
CHART_BARS = 12


def chart_spec(table: dict[str, Any]) -> dict | None:
    """The Vega-Lite spec of a table's chart (``table["chart"]``), from the table's values
    as shown: a hidden (``*``) or missing value is drawn as "not shown"."""
    chart = table.get("chart")
    if not chart:
        return None
    column = chart.get("column", 0)
    points = []
    for row in table["rows"]:
        value = row["cells"][column].get("value") if column < len(row["cells"]) else None
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        points.append((row["label"], number))
    if chart["kind"] == "bar":
        points = points[:CHART_BARS]
    return charts.report_chart(
        chart["kind"],
        points,
        title=chart["title"],
        description=chart["description"],
        value_title=chart.get("value_title", table["columns"][column + 1]),
    )


@lru_cache(maxsize=256)
def _image(spec_json: str, fmt: str) -> str:
    spec = json.loads(spec_json)
    if fmt == "png":
        data = charts.render_png(spec)
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    svg = charts.render_svg(spec)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def chart_image(table: dict[str, Any], *, fmt: str) -> str:
    """The table's chart as a data: address (``svg`` for pages, ``png`` for the PDF, where an
    image with alternative text is tagged as a figure); empty without a chart."""
    spec = chart_spec(table)
    if spec is None:
        return ""
    return _image(json.dumps(spec, sort_keys=True), fmt)


def _context(report: Report, sections, version: ReportVersion | None, public: bool) -> dict:
    policy = policy_from(version.policy) if version is not None else policy_for(report.partnership)
    return {
        "report": report,
        "partnership": report.partnership,
        "sections": sections,
        "narrative": version.narrative if version is not None else report.narrative,
        "version": version,
        "policy": policy,
        "public": public,
        "print": True,
    }


def print_html(
    report: Report,
    sections: list[dict[str, Any]],
    *,
    public: bool,
    version: ReportVersion | None = None,
) -> str:
    return render_to_string("reports/print.html", _context(report, sections, version, public))


def pdf_bytes(
    report: Report,
    sections: list[dict[str, Any]],
    *,
    public: bool,
    version: ReportVersion | None = None,
) -> bytes:
    """The report as a tagged PDF (PDF/UA-1: structure tree, language, title shown)."""
    return html_to_pdf(print_html(report, sections, public=public, version=version))


def annex(
    report: Report,
    sections: list[dict[str, Any]],
    fmt: str,
    version: ReportVersion | None = None,
) -> bytes:
    """The data annex: one row per published figure, with its source; a second sheet says
    what the report is and how it was built (XLSX and ODS)."""
    rows = annex_rows(sections)
    if fmt == "csv":
        return exports.export_csv(ANNEX_HEADER, rows)
    policy = policy_from(version.policy if version else None)
    about = [
        ["Report", report.title],
        ["Partnership", report.partnership.name],
        ["Kind", report.get_kind_display()],
        ["Period", report.period],
        ["Ward", report.ward or ""],
        ["Version", version.number if version else "not built: a preview built when read"],
        ["Built at", version.finished_at if version else ""],
        ["Built by", version.built_by_label if version else ""],
        ["Warehouse version", version.warehouse_version if version else ""],
        ["Published", report.published_at if report.published_version_id else ""],
        ["Disclosure rule", policy.describe()],
    ]
    sheets = [
        exports.Sheet("Figures", ANNEX_HEADER, rows),
        exports.Sheet("About", ["Item", "Value"], about),
    ]
    return exports.workbook_xlsx(sheets) if fmt == "xlsx" else exports.workbook_ods(sheets)


def assessment_annex_rows(assessment, sections) -> list[list[Any]]:
    """The signed strategic assessment's annex: one row per frozen figure, in the report
    annex's columns: section, table (``A<section>.<view>`` as in the document's annex),
    row (its first column's value), column, value, unit (blank), source (the explorer
    address of the months frozen), sensitive and suppressed (no: a frozen internal
    document, not disclosure-controlled)."""
    from saferstat.assessment.frozen import explorer_url

    slug = assessment.partnership.slug
    out: list[list[Any]] = []
    for s_number, section in enumerate(sections, start=1):
        for v_number, shown in enumerate(section.views, start=1):
            figures = shown.figures
            if not figures or not figures.get("columns"):
                continue
            first, *others = figures["columns"]
            table = f"A{s_number}.{v_number}: {figures.get('title') or shown.view.title}"
            source = explorer_url(slug, figures.get("resolved_query", shown.view.query))
            for row in figures["rows"]:
                label = row.get(first)
                for column in others:
                    value = row.get(column)
                    out.append(
                        [
                            section.title,
                            table,
                            "" if label is None else label,
                            column,
                            "" if value is None else value,
                            "",
                            source,
                            False,
                            False,
                        ]
                    )
    return out


def assessment_annex(assessment, sections, fmt: str) -> bytes:
    """The signed strategic assessment's data annex (XLSX, ODS or CSV), from its frozen
    figures; a second sheet says what it is and when it was signed off."""
    rows = assessment_annex_rows(assessment, sections)
    if fmt == "csv":
        return exports.export_csv(ANNEX_HEADER, rows)
    about = [
        ["Document", assessment.title],
        ["Partnership", assessment.partnership.name],
        ["Kind", "Strategic assessment"],
        ["Year", assessment.year],
        ["Signed off", assessment.signed_off_at],
        ["Figures", "Frozen at sign-off, each with the warehouse version it came from"],
    ]
    sheets = [
        exports.Sheet("Figures", ANNEX_HEADER, rows),
        exports.Sheet("About", ["Item", "Value"], about),
    ]
    return exports.workbook_xlsx(sheets) if fmt == "xlsx" else exports.workbook_ods(sheets)
