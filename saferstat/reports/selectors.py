"""Reads of reports, and building a report's sections from the registry. Every selector
takes the partnership (or the report) it reads for."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from saferstat.analytics.disclosure import (
    SENSITIVE_MIN_MONTHS,
    SUPPRESSED,
    Policy,
    control_table,
    policy_from,
    publish_count,
)
from saferstat.analytics.periods import parse_period
from saferstat.core.models import Partnership
from saferstat.core.permissions import can

from .models import (
    DisclosurePolicy,
    Report,
    ReportStatus,
    ReportVersion,
    SupportService,
    VersionStatus,
)
from .sections import Context, sections_for


def report_list(partnership: Partnership) -> QuerySet[Report]:
    return Report.objects.filter(partnership=partnership).select_related(
        "created_by", "published_version"
    )


def published_list(partnership: Partnership) -> QuerySet[Report]:
    return report_list(partnership).filter(
        status=ReportStatus.PUBLISHED, published_version__isnull=False
    )


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


# ------------------------------------------------------------------- disclosure policy


def policy_for(partnership: Partnership) -> Policy:
    """The partnership's disclosure rule (DOMAIN.md section 7's defaults without its own).
    Every public output of the partnership goes through it."""
    row = DisclosurePolicy.objects.filter(partnership=partnership).first()
    if row is None:
        return Policy()
    return Policy(threshold=row.threshold, base=row.base)


def policy_row(partnership: Partnership) -> DisclosurePolicy | None:
    return (
        DisclosurePolicy.objects.filter(partnership=partnership)
        .select_related("updated_by")
        .first()
    )


# ----------------------------------------------------------------------------- versions


def version_list(report: Report) -> QuerySet[ReportVersion]:
    return ReportVersion.objects.filter(report=report).select_related("built_by")


def version_get(report: Report, number) -> ReportVersion:
    try:
        return version_list(report).get(number=int(number))
    except (ReportVersion.DoesNotExist, ValueError, TypeError):
        raise Http404("No such version") from None


def latest_built(report: Report) -> ReportVersion | None:
    return version_list(report).filter(status=VersionStatus.BUILT).first()


def version_building(report: Report) -> ReportVersion | None:
    return (
        version_list(report)
        .filter(status__in=[VersionStatus.QUEUED, VersionStatus.RUNNING])
        .first()
    )


def version_policy(version: ReportVersion) -> Policy:
    return policy_from(version.policy)


def version_diff(old: ReportVersion, new: ReportVersion) -> list[dict[str, Any]]:
    """Every figure that differs between two built versions (true values): changed, added
    or removed, keyed by section, table, row and column."""

    def keyed(version: ReportVersion) -> dict[tuple, Any]:
        return {tuple(r[:4]): r[4] for r in annex_rows(version.sections or [])}

    before, after = keyed(old), keyed(new)
    out = []
    for key in [*before, *(k for k in after if k not in before)]:
        was, now = before.get(key, None), after.get(key, None)
        if key in before and key in after and was == now:
            continue
        out.append(
            {
                "section": key[0],
                "table": key[1],
                "row": key[2],
                "column": key[3],
                "before": "" if key not in before else was,
                "after": "" if key not in after else now,
                "change": "added"
                if key not in before
                else "removed"
                if key not in after
                else "changed",
            }
        )
    narrative = sorted(
        k
        for k in set(old.narrative) | set(new.narrative)
        if old.narrative.get(k) != new.narrative.get(k)
    )
    for k in narrative:
        out.append(
            {
                "section": "Narrative",
                "table": "",
                "row": k,
                "column": "",
                "before": "(text)" if old.narrative.get(k) else "",
                "after": "(text)" if new.narrative.get(k) else "",
                "change": "narrative edited",
            }
        )
    return out


# ------------------------------------------------------------------------------ building


def report_months(report: Report) -> int:
    """How many months the report covers (a quarter: 3; a year: 12)."""
    return parse_period(report.period, kinds=("quarter", "financial_year")).n_months


def build_sections(
    report: Report,
    progress: Callable[[int, int, str], None] | None = None,
    narrative: dict | None = None,
) -> list[dict[str, Any]]:
    """Every section of the report, built now from the records (the internal values).
    ``progress(done, total, title)`` is called before each section. Sections marked
    ``after_others`` (a summary) are built last, from the others, and shown in their place."""
    ctx = Context(
        report.partnership,
        report.kind,
        report.period,
        dict(report.narrative if narrative is None else narrative),
        ward=report.ward,
    )
    wanted = sections_for(report.kind)
    order = [s for s in wanted if not s.after_others] + [s for s in wanted if s.after_others]
    data: dict[str, dict] = {}
    for done, section in enumerate(order):
        if progress is not None:
            progress(done, len(order), section.title)
        data[section.key] = section.build(ctx) if section.build else {}
        ctx.built[section.key] = data[section.key]
    if progress is not None:
        progress(len(order), len(order), "Done")
    return [
        {
            "key": section.key,
            "title": section.title,
            "template": section.template,
            "available": section.available,
            "provided_by": section.provided_by,
            "data": data[section.key],
        }
        for section in wanted
    ]


def draft_sections(report: Report, *, public: bool) -> list[dict[str, Any]]:
    """A report with no built version yet, built now (disclosure-controlled when
    ``public``): a preview for members."""
    sections = build_sections(report)
    if not public:
        return sections
    return disclose(sections, policy_for(report.partnership), months=report_months(report))[0]


def version_sections(version: ReportVersion, *, public: bool) -> list[dict[str, Any]]:
    return (version.public_sections if public else version.sections) or []


def _is_count(c: dict) -> bool:
    return c.get("unit") == "count" and isinstance(c.get("value"), int | float)


def disclose(
    sections: list[dict[str, Any]], policy: Policy | None = None, *, months: int = 12
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The sections as the public sees them, and every suppression with its reason.

    A table holding any sensitive count is controlled as a whole: its count column(s) and
    published total go through `control_table` (primary and secondary suppression,
    rounding). A report over less than 12 months withholds its sensitive counts altogether
    (DOMAIN.md section 7: sensitive themes no finer than 12 months). Highlights of sensitive
    count indicators keep their wording but not their evidence figures; answers to data
    requests on a sensitive theme are withheld."""
    policy = policy or Policy()
    public = copy.deepcopy(sections)
    log: list[dict[str, str]] = []
    short = months < SENSITIVE_MIN_MONTHS
    for section in public:
        data = section.get("data") or {}
        for table in _tables(data):
            _control(section["title"], table, policy, log, short=short)
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
        for item in data.get("requests", []):
            if item.get("sensitive") and item.get("answer"):
                item["answer"] = (
                    "Answered; the answer concerns a sensitive theme and is held by the "
                    "partnership."
                )
                log.append(
                    {
                        "section": section["title"],
                        "where": item["text"][:80],
                        "reason": "answer on a sensitive theme withheld",
                    }
                )
    return public, log


def _tables(data: dict) -> list[dict]:
    tables = list(data.get("tables", []))
    for theme in data.get("themes", []):
        for priority in theme["priorities"]:
            tables += priority["tables"]
    return tables


def _control(section_title: str, table: dict, policy: Policy, log: list, *, short: bool) -> None:
    rows = table["rows"]
    if not any(c.get("sensitive") and _is_count(c) for r in rows for c in r["cells"]):
        return
    why_short = f"a sensitive theme over less than {SENSITIVE_MIN_MONTHS} months"
    columns = sorted({i for r in rows for i, c in enumerate(r["cells"]) if _is_count(c)})
    if table.get("totals") and len(columns) == 1:
        col = columns[0]
        matrix = [[int(r["cells"][col]["value"] or 0)] for r in rows]
        withheld = (
            [(i, 0) for i, r in enumerate(rows) if r["cells"][col].get("sensitive")]
            if short
            else []
        )
        controlled = control_table(matrix, policy, withheld=withheld, withheld_reason=why_short)
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
        table["policy"] = policy.as_dict()
        return
    for row in rows:
        for cell in row["cells"]:
            if cell.get("sensitive") and _is_count(cell):
                value = int(round(cell["value"]))
                shown = SUPPRESSED if short and value > 0 else publish_count(value, policy)
                cell["value"] = shown
                cell["suppressed"] = shown == SUPPRESSED
                if shown == SUPPRESSED:
                    log.append(
                        {
                            "section": section_title,
                            "where": f"{table['caption']}: {row['label']}",
                            "reason": f"primary: {why_short}"
                            if short
                            else f"primary: a count of 1 to {policy.threshold}",
                        }
                    )
    table["controlled"] = True
    table["policy"] = policy.as_dict()


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


def ward_names(partnership: Partnership) -> list[str]:
    """The partnership's ward names (2024 wards, from the warehouse's reference tables);
    none without a warehouse."""
    from saferstat.intelligence import figures

    if not figures.warehouse_is_ready():
        return []
    try:
        return sorted(name for _code, name in figures.wards(partnership))
    except Exception:  # no reference tables loaded yet: no wards to offer
        return []


def support_service_list(partnership: Partnership) -> QuerySet[SupportService]:
    """The partnership's contacts and support services directory, in its order."""
    return SupportService.objects.filter(partnership=partnership).order_by("order", "name")


def support_service_get(partnership: Partnership, service_id) -> SupportService:
    try:
        return support_service_list(partnership).get(pk=service_id)
    except (SupportService.DoesNotExist, ValueError, TypeError):
        raise Http404("No such support service") from None
