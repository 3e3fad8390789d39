"""The section registry: one entry per report section, in the order of seed 004.

Each `Section` names its title, the report kinds it belongs to, the function that produces
its data (from the apps' selectors and the analytics bridge) and the template that shows it.
Later modules (delivery, assessment) add their sections with `register`; until they do,
their sections are listed with ``provided_by`` and no build function, and reports say so
("not yet available") instead of printing empty tables.

A build function returns plain, JSON-safe data, so a published report stores it as it was:

    {"paragraphs": [...], "narrative": [narrative keys], "items": [...],
     "tables": [{"key", "caption", "columns", "rows": [{"label", "cells": [cell]}],
                 "source": {"label", "url"}, "totals": bool}]}

and every cell is ``{"value", "unit", "sensitive", "source"?}``: the figure with where it
came from (the selector or analysis that produced it and the page it can be checked on).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from saferstat.analytics.disclosure import is_sensitive
from saferstat.analytics.errors import NoDataError
from saferstat.analytics.periods import Period, PeriodError, parse_period
from saferstat.core.models import Partnership

from .models import ReportKind

ANNUAL = ReportKind.ANNUAL
QUARTERLY = ReportKind.QUARTERLY
SCRUTINY = ReportKind.SCRUTINY


@dataclass(frozen=True)
class Context:
    """What a section is built for: the partnership, the report's kind and period, and the
    narrative the analyst wrote."""

    partnership: Partnership
    kind: str
    period: str  # 2024/25 or 2024/25-Q4
    narrative: dict[str, str]

    @property
    def financial_year(self) -> Period:
        return parse_period(self.period.split("-Q")[0], kinds=("financial_year",))

    @property
    def year_end_quarter(self) -> str:
        """The quarter a section reports at: the report's own, or the year's last."""
        return self.period if "-Q" in self.period else f"{self.period}-Q4"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    kinds: tuple[str, ...]
    build: Callable[[Context], dict[str, Any]] | None
    template: str = "reports/sections/_generic.html"
    provided_by: str = ""  # the module that will provide it, when not yet available
    narrative: tuple[str, ...] = ()  # narrative keys edited on this section

    @property
    def available(self) -> bool:
        return self.build is not None


REGISTRY: list[Section] = []


def register(section: Section) -> None:
    """Add a section, or replace the entry with the same key (a module that lands replaces
    its "not yet available" entry)."""
    for index, existing in enumerate(REGISTRY):
        if existing.key == section.key:
            REGISTRY[index] = section
            return
    REGISTRY.append(section)


def sections_for(kind: str) -> list[Section]:
    return [s for s in REGISTRY if kind in s.kinds]


def narrative_keys(kind: str, partnership: Partnership) -> list[tuple[str, str]]:
    """(key, label) of every piece of narrative a report of this kind takes."""
    keys: list[tuple[str, str]] = []
    for section in sections_for(kind):
        keys += [(k, f"{section.title}") for k in section.narrative]
        if section.key == "priorities":
            from saferstat.plan.selectors import priority_list

            keys += [(f"priority:{p.key}", p.name) for p in priority_list(partnership=partnership)]
    return keys


def cell(value, unit: str = "", *, sensitive: bool = False, source: str = "") -> dict:
    return {"value": value, "unit": unit, "sensitive": sensitive, "source": source}


# -------------------------------------------------------------------------- builders


def _narrative_only(ctx: Context, key: str) -> dict:
    return {"narrative": [key]}


def build_introduction(ctx: Context) -> dict:
    return _narrative_only(ctx, "introduction")


def build_foreword(ctx: Context) -> dict:
    return _narrative_only(ctx, "foreword")


def build_priorities(ctx: Context) -> dict:
    """The plan's themes and priorities, each with its lead, narrative and indicators."""
    from saferstat.performance import selectors as perf
    from saferstat.plan.selectors import lead_text, plan_current

    plan = plan_current(partnership=ctx.partnership)
    if plan is None:
        return {"paragraphs": ["The partnership has no plan recorded."]}
    period = perf.period_get(partnership=ctx.partnership, label=ctx.year_end_quarter)
    rows = perf.indicator_rows(partnership=ctx.partnership, period=period) if period else []
    by_priority: dict[int, list] = {}
    for row in rows:
        by_priority.setdefault(row.indicator.priority_id, []).append(row)
    themes = []
    slug = ctx.partnership.slug
    for theme in plan.themes.all():
        priorities = []
        for priority in theme.priorities.all():
            table_rows = []
            for row in by_priority.get(priority.pk, []):
                ind = row.indicator
                latest = row.verdict.latest
                sensitive = ind.unit == "count" and is_sensitive(
                    theme.name, priority.name, ind.name
                )
                url = (
                    reverse("performance:indicator", args=[slug, ind.code])
                    + f"?period={ctx.year_end_quarter}"
                )
                source = f"{url} (performance.selectors.indicator_rows, {ctx.year_end_quarter})"
                table_rows.append(
                    {
                        "label": ind.name
                        + (" (demo data: invented values)" if ind.is_demo else ""),
                        "cells": [
                            cell(
                                latest.value if latest else None,
                                ind.unit,
                                sensitive=sensitive,
                                source=source,
                            ),
                            cell(row.verdict.target, ind.unit, source=source),
                            cell(row.verdict.rag_label, "text", source=source),
                            cell(row.verdict.variation_words, "text", source=source),
                        ],
                    }
                )
            tables = []
            if table_rows:
                tables.append(
                    {
                        "key": f"indicators-{priority.key}",
                        "caption": f"{priority.name}: indicators at {ctx.year_end_quarter}",
                        "columns": ["Indicator", "Value", "Target", "Status", "Variation"],
                        "rows": table_rows,
                        "source": {
                            "label": "Board dashboard (approved returns and police.uk counts)",
                            "url": reverse("performance:dashboard", args=[slug])
                            + f"?period={ctx.year_end_quarter}",
                        },
                    }
                )
            priorities.append(
                {
                    "key": priority.key,
                    "name": priority.name,
                    "lead": lead_text(priority),
                    "objectives": [o.text for o in priority.objectives.all()],
                    "narrative_key": f"priority:{priority.key}",
                    "tables": tables,
                }
            )
        themes.append({"name": theme.name, "priorities": priorities})
    return {
        "themes": themes,
        "plan": plan.title,
        "paragraphs": []
        if period
        else [f"{ctx.year_end_quarter} is not in the reporting calendar."],
    }


def build_highlights(ctx: Context) -> dict:
    """Performance Highlights and Challenges: those the analyst accepted for the year's
    quarters, each with its evidence (performance.HighlightDecision)."""
    from saferstat.performance.models import HighlightDecision

    year = ctx.financial_year.label
    quarters = [ctx.period] if "-Q" in ctx.period else [f"{year}-Q{n}" for n in range(1, 5)]
    decisions = (
        HighlightDecision.objects.filter(partnership=ctx.partnership, period__in=quarters)
        .exclude(decision=HighlightDecision.Decision.REJECTED)
        .select_related("indicator", "indicator__priority", "indicator__priority__theme")
        .order_by("kind", "period", "indicator__order")
    )
    items: dict[str, list] = {"highlight": [], "challenge": []}
    for d in decisions:
        ind = d.indicator
        items.setdefault(d.kind, []).append(
            {
                "text": d.text or d.proposed_text,
                "evidence": d.evidence,
                "period": d.period,
                "sensitive": ind.unit == "count"
                and is_sensitive(ind.priority.theme.name, ind.priority.name, ind.name),
                "source": reverse("performance:indicator", args=[ctx.partnership.slug, ind.code])
                + f"?period={d.period}",
            }
        )
    return {
        "highlights": items["highlight"],
        "challenges": items["challenge"],
        "paragraphs": [
            "Chosen from SPC verdicts, assurance against targets and significant changes, "
            "never from raw percentage changes; each was accepted by an analyst."
        ],
    }


def build_crime_overview(ctx: Context) -> dict:
    """Police-recorded crime and ASB for the financial year, from the warehouse through the
    intelligence figures bridge (saferstat.analytics.measures.overview)."""
    from saferstat.intelligence import figures

    period = ctx.financial_year
    if not figures.warehouse_is_ready():
        return {"paragraphs": [f"No police.uk data loaded for {period.label}."]}
    try:
        data = figures.overview(ctx.partnership, period)
    except (NoDataError, PeriodError) as exc:
        return {"paragraphs": [str(exc)]}
    url = reverse("overview:year", args=[ctx.partnership.slug, figures.fy_slug(period)])
    months = f"{data.months_loaded[0]} to {data.months_loaded[-1]}" if data.months_loaded else ""
    source = (
        f"{url} (saferstat.analytics.measures.overview; police.uk street records, "
        f"{period.label}, months {months}, {len(data.months_loaded)} of {period.n_months} loaded)"
    )
    rows = []
    for row in data.crime_types:
        label = row.crime_type
        change = "no comparison"
        if row.change_pct is not None:
            change = ("significant " if row.is_significant else "no significant ") + (
                "rise" if row.change_pct > 0 else "fall" if row.change_pct < 0 else "change"
            )
            if not row.is_significant:
                change = "no significant change"
        rows.append(
            {
                "label": label,
                "cells": [
                    cell(row.count, "count", sensitive=is_sensitive(label), source=source),
                    cell(change, "text", source=source),
                ],
            }
        )
    paragraphs = []
    if data.missing_months:
        paragraphs.append(
            f"Incomplete year: no data for {', '.join(data.missing_months)}; totals cover "
            f"{len(data.months_loaded)} of {period.n_months} months."
        )
    total = data.total
    return {
        "paragraphs": paragraphs,
        "tables": [
            {
                "key": "crime-types",
                "caption": f"Records by police.uk category, {period.label}, with the change on "
                f"{data.comparison_period.label}",
                "columns": ["Crime type", "Records", "Change on last year"],
                "rows": rows,
                "totals": True,
                "total_label": "All records",
                "total": total.count if total else None,
                "source": {"label": "Crime overview", "url": url, "detail": source},
            }
        ],
    }


def _board(partnership):
    from saferstat.governance.models import Body, BodyKind

    return Body.objects.filter(partnership=partnership, kind=BodyKind.BOARD).first()


def build_attendance(ctx: Context) -> dict:
    """The Board attendance table for the year (governance.selectors.attendance_table)."""
    from saferstat.governance import selectors as gov

    body = _board(ctx.partnership)
    if body is None:
        return {"paragraphs": ["No Partnership Board is recorded."]}
    start_year = int(ctx.financial_year.start[:4])
    table = gov.attendance_table(body, start_year)
    url = reverse("governance:attendance", args=[ctx.partnership.slug, body.pk]) + (
        f"?year={ctx.financial_year.label.replace('/', '-')}"
    )
    source = f"{url} (governance.selectors.attendance_table)"
    rows = [
        {
            "label": day.strftime("%d/%m/%Y"),
            "cells": [cell(code or "", "text", source=source) for code in codes],
        }
        for day, codes in table.rows
    ]
    rows.append(
        {
            "label": "Attendance rate",
            "cells": [
                cell(round(r * 100) if r is not None else None, "percentage", source=source)
                for r in table.rates
            ],
        }
    )
    if not table.rows:
        return {
            "paragraphs": [f"The Board held no recorded meeting in {ctx.financial_year.label}."]
        }
    return {
        "paragraphs": ["Y present (in person or by a named substitute), A apologies, N absent."],
        "tables": [
            {
                "key": "board-attendance",
                "caption": f"{body.name}: attendance, {ctx.financial_year.label}",
                "columns": ["Date", *table.seats],
                "rows": rows,
                "source": {"label": "Attendance table", "url": url, "detail": source},
            }
        ],
    }


def build_scrutiny(ctx: Context) -> dict:
    """Scrutiny meetings in the year and the recommendations made, with their responses."""
    from saferstat.governance import selectors as gov
    from saferstat.governance.models import BodyKind, MeetingStatus

    fy = ctx.financial_year
    meetings = [
        m
        for m in gov.meeting_list(ctx.partnership)
        .filter(body__kind=BodyKind.SCRUTINY)
        .exclude(status=MeetingStatus.PLANNED)
        if fy.start <= m.date.strftime("%Y-%m") <= fy.end
    ]
    slug = ctx.partnership.slug
    items = [
        {
            "text": f"{m.body.name}, {m.date.strftime('%d %B %Y')}",
            "source": reverse("governance:meeting_detail", args=[slug, m.pk]),
        }
        for m in sorted(meetings, key=lambda m: m.starts_at)
    ]
    recs = [r for r in gov.recommendation_list(ctx.partnership) if r.meeting in meetings]
    rows = [
        {
            "label": r.text,
            "cells": [
                cell(str(r.to_organisation), "text"),
                cell(r.made_on.isoformat(), "text"),
                cell(r.get_response_display() if r.response else "No response yet", "text"),
            ],
        }
        for r in recs
    ]
    tables = []
    if rows:
        tables.append(
            {
                "key": "recommendations",
                "caption": f"Scrutiny recommendations made in {fy.label} and their responses",
                "columns": ["Recommendation", "To", "Made on", "Response"],
                "rows": rows,
                "source": {
                    "label": "Recommendations",
                    "url": reverse("governance:recommendation_list", args=[slug]),
                    "detail": "governance.selectors.recommendation_list",
                },
            }
        )
    return {
        "items": items,
        "paragraphs": [] if items else [f"No scrutiny meeting was held in {fy.label}."],
        "tables": tables,
    }


def build_quarter_dashboard(ctx: Context) -> dict:
    """The Board dashboard as a document: every indicator at the quarter, by priority."""
    data = build_priorities(ctx)
    tables = [
        table
        for theme in data.get("themes", [])
        for priority in theme["priorities"]
        for table in priority["tables"]
    ]
    return {"paragraphs": data.get("paragraphs", []), "tables": tables}


for _section in (
    Section(
        "introduction",
        "Introduction",
        (ANNUAL,),
        build_introduction,
        narrative=("introduction",),
    ),
    Section(
        "foreword", "Foreword from the Chair", (ANNUAL,), build_foreword, narrative=("foreword",)
    ),
    Section(
        "scrutiny-summary",
        "Summary for the committee",
        (SCRUTINY,),
        lambda ctx: _narrative_only(ctx, "summary"),
        narrative=("summary",),
    ),
    Section(
        "priorities",
        "Our priorities",
        (ANNUAL,),
        build_priorities,
        template="reports/sections/_priorities.html",
    ),
    Section(
        "quarter-dashboard",
        "Indicators this quarter",
        (QUARTERLY,),
        build_quarter_dashboard,
    ),
    Section(
        "communications", "Communications", (ANNUAL,), None, provided_by="Delivery (e-bulletins)"
    ),
    Section(
        "projects", "Project highlights", (ANNUAL,), None, provided_by="Delivery (project outputs)"
    ),
    Section(
        "performance",
        "Performance highlights and challenges",
        (ANNUAL, QUARTERLY, SCRUTINY),
        build_highlights,
        template="reports/sections/_highlights.html",
    ),
    Section("crime", "Crime overview", (ANNUAL, SCRUTINY), build_crime_overview),
    Section("attendance", "Board attendance", (ANNUAL,), build_attendance),
    Section("scrutiny", "Scrutiny", (ANNUAL, SCRUTINY), build_scrutiny),
    Section(
        "assessment",
        "Strategic assessment",
        (SCRUTINY,),
        None,
        provided_by="Assessment (the strategic assessment)",
    ),
    Section(
        "case-reviews",
        "ASB case reviews (the Community Trigger)",
        (ANNUAL,),
        None,
        provided_by="Case reviews (the four statutory figures)",
    ),
    Section(
        "contacts",
        "Contacts and support services",
        (ANNUAL,),
        None,
        provided_by="Reports (a contacts directory, not built yet)",
    ),
):
    register(_section)
