"""Reads of reports, and building a report's sections from the registry. Every selector
takes the partnership it reads for."""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from saferstat.analytics.disclosure import (
    DEFAULT_POLICY,
    SUPPRESSED,
    Policy,
    control_table,
    publish_count,
)
from saferstat.core.models import Partnership
from saferstat.core.permissions import can

from .models import Report, ReportStatus
from .sections import Context, sections_for


def report_list(partnership: Partnership) -> QuerySet[Report]:
    return Report.objects.filter(partnership=partnership).select_related("created_by")


def published_list(partnership: Partnership) -> QuerySet[Report]:
    return report_list(partnership).filter(status=ReportStatus.PUBLISHED)


def report_get(partnership: Partnership, report_id) -> Report:
    try:
        return report_list(partnership).get(pk=report_id)
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report") from None


def can_view_report(user, report: Report) -> bool:
    """Members may read every report of their partnership; anyone a published one."""
    return report.is_published or can(user, "reports.view", report.partnership)


def sees_true_values(user, report: Report) -> bool:
    """Whether this reader sees the internal version (true values) of a report."""
    return can(user, "reports.view_internal", report.partnership)


def build_sections(report: Report) -> list[dict[str, Any]]:
    """Every section of the report, built now from the records (the internal values)."""
    ctx = Context(report.partnership, report.kind, report.period, dict(report.narrative))
    built = []
    for section in sections_for(report.kind):
        entry: dict[str, Any] = {
            "key": section.key,
            "title": section.title,
            "template": section.template,
            "available": section.available,
            "provided_by": section.provided_by,
            "data": section.build(ctx) if section.build else {},
        }
        built.append(entry)
    return built


def sections_of(report: Report, *, public: bool) -> list[dict[str, Any]]:
    """What a reader sees: a published report's frozen sections (public or internal), or a
    draft built now (disclosure-controlled when ``public``)."""
    if report.is_published:
        return report.public_snapshot if public else report.snapshot
    sections = build_sections(report)
    return disclose(sections)[0] if public else sections


def _is_count(c: dict) -> bool:
    return c.get("unit") == "count" and isinstance(c.get("value"), int | float)


def disclose(
    sections: list[dict[str, Any]], policy: Policy = DEFAULT_POLICY
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The sections as the public sees them, and every suppression with its reason.

    A table holding any sensitive count is controlled as a whole: its count column(s) and
    published total go through `control_table` (primary and secondary suppression,
    rounding). Highlights of sensitive count indicators keep their wording but not their
    evidence figures."""
    public = copy.deepcopy(sections)
    log: list[dict[str, str]] = []
    for section in public:
        data = section.get("data") or {}
        tables = list(data.get("tables", []))
        for theme in data.get("themes", []):
            for priority in theme["priorities"]:
                tables += priority["tables"]
        for table in tables:
            _control(section["title"], table, policy, log)
        for kind in ("highlights", "challenges"):
            for item in data.get(kind, []):
                if item.get("sensitive"):
                    item["evidence"] = (
                        "Evidence held by the partnership: a sensitive count, not published "
                        "in figures."
                    )
                    log.append(
                        {
                            "section": section["title"],
                            "where": item["text"][:80],
                            "reason": "evidence of a sensitive count withheld",
                        }
                    )
    return public, log


def _control(section_title: str, table: dict, policy: Policy, log: list) -> None:
    rows = table["rows"]
    if not any(c.get("sensitive") and _is_count(c) for r in rows for c in r["cells"]):
        return
    columns = sorted({i for r in rows for i, c in enumerate(r["cells"]) if _is_count(c)})
    if table.get("totals") and len(columns) == 1:
        col = columns[0]
        matrix = [[int(r["cells"][col]["value"] or 0)] for r in rows]
        controlled = control_table(matrix, policy)
        for r, row in enumerate(rows):
            cell = row["cells"][col]
            cell["value"] = controlled.cells[r][0]
            cell["suppressed"] = cell["value"] == SUPPRESSED
        table["total"] = controlled.grand_total
        for s in controlled.suppressions:
            where = rows[s.row]["label"] if s.row is not None else table.get("total_label", "Total")
            log.append(
                {
                    "section": section_title,
                    "where": f"{table['caption']}: {where}",
                    "reason": f"{s.reason}: {s.explanation}",
                }
            )
        table["controlled"] = True
        return
    for row in rows:
        for cell in row["cells"]:
            if cell.get("sensitive") and _is_count(cell):
                shown = publish_count(int(round(cell["value"])), policy)
                cell["value"] = shown
                cell["suppressed"] = shown == SUPPRESSED
                if shown == SUPPRESSED:
                    log.append(
                        {
                            "section": section_title,
                            "where": f"{table['caption']}: {row['label']}",
                            "reason": f"primary: a count of 1 to {policy.threshold}",
                        }
                    )
    table["controlled"] = True


ANNEX_HEADER = [
    "section",
    "table",
    "row",
    "column",
    "value",
    "unit",
    "source",
    "sensitive",
    "suppressed",
]


def annex_rows(sections: list[dict[str, Any]]) -> list[list[Any]]:
    """One row per figure: the annex's columns (issue 17): section, table, row, column,
    value as shown (a number, ``*`` or blank), unit, source, sensitive, suppressed."""
    out: list[list[Any]] = []
    for section in sections:
        data = section.get("data") or {}
        tables = list(data.get("tables", []))
        for theme in data.get("themes", []):
            for priority in theme["priorities"]:
                tables += priority["tables"]
        for table in tables:
            source = table.get("source", {})
            for row in table["rows"]:
                for column, c in zip(table["columns"][1:], row["cells"], strict=False):
                    out.append(
                        [
                            section["title"],
                            table["caption"],
                            row["label"],
                            column,
                            "" if c.get("value") is None else c["value"],
                            c.get("unit", ""),
                            c.get("source") or source.get("detail") or source.get("url", ""),
                            bool(c.get("sensitive")),
                            bool(c.get("suppressed")),
                        ]
                    )
            if table.get("totals"):
                out.append(
                    [
                        section["title"],
                        table["caption"],
                        table.get("total_label", "Total"),
                        table["columns"][1],
                        "" if table.get("total") is None else table["total"],
                        "count",
                        source.get("detail") or source.get("url", ""),
                        bool(table.get("controlled")),
                        table.get("total") == SUPPRESSED,
                    ]
                )
    return out
