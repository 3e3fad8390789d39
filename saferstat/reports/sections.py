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
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from saferstat.analytics.disclosure import is_sensitive
from saferstat.analytics.errors import NoDataError
from saferstat.analytics.periods import Period, PeriodError, parse_period
from saferstat.core.models import Partnership

from .models import ReportKind

ANNUAL = ReportKind.ANNUAL
QUARTERLY = ReportKind.QUARTERLY
SCRUTINY = ReportKind.SCRUTINY
WARD = ReportKind.WARD
#: The annual report's sections are the body of the scrutiny pack too (seed 000: the
#: committee reads the pack, the annual report inside it).
ANNUAL_AND_PACK = (ANNUAL, SCRUTINY)


@dataclass(frozen=True)
class Context:
    """What a section is built for: the partnership, the report's kind and period (and ward),
    the narrative the analyst wrote, and the sections built so far (``built``, by key: a
    summary built after the others reads them)."""

    partnership: Partnership
    kind: str
    period: str  # 2024/25 or 2024/25-Q4
    narrative: dict[str, str]
    ward: str = ""
    built: dict[str, dict] = field(default_factory=dict)

    @property
    def financial_year(self) -> Period:
        return parse_period(self.period.split("-Q")[0], kinds=("financial_year",))

    @property
    def own_period(self) -> Period:
        """The report's own period: its quarter, or its financial year."""
        return parse_period(self.period, kinds=("quarter", "financial_year"))

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
    after_others: bool = False  # built last (a summary of the other sections)

    @property
    def available(self) -> bool:
        return self.build is not None


REGISTRY: list[Section] = []


def register(section: Section, *, before: str = "") -> None:
    """Add a section, or replace the entry with the same key (a module that lands replaces
    its "not yet available" entry). A new entry goes at the end, or just before the entry
    keyed ``before`` (its place in seed 004's order)."""
    for index, existing in enumerate(REGISTRY):
        if existing.key == section.key:
            REGISTRY[index] = section
            return
    keys = [s.key for s in REGISTRY]
    REGISTRY.insert(keys.index(before) if before in keys else len(REGISTRY), section)


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
    """Police-recorded crime and ASB for the report's period (its financial year, or its
    quarter), from the warehouse through the intelligence figures bridge
    (saferstat.analytics.measures.overview): by category with a bar chart, and by month with
    a line chart, each chart drawn from its table."""
    from saferstat.analytics.periods import month_name
    from saferstat.intelligence import figures

    period = ctx.own_period
    if not figures.warehouse_is_ready():
        return {"paragraphs": [f"No police.uk data loaded for {period.label}."]}
    try:
        data = figures.overview(ctx.partnership, period)
    except (NoDataError, PeriodError) as exc:
        return {"paragraphs": [str(exc)]}
    fy = ctx.financial_year
    url = reverse("overview:year", args=[ctx.partnership.slug, figures.fy_slug(fy)])
    months = f"{data.months_loaded[0]} to {data.months_loaded[-1]}" if data.months_loaded else ""
    source = (
        f"{url} (saferstat.analytics.measures.overview; police.uk street records, "
        f"{period.label}, months {months}, {len(data.months_loaded)} of {period.n_months} loaded)"
    )
    rows = []
    for row in sorted(data.crime_types, key=lambda r: (-r.count, r.crime_type)):
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
            f"Incomplete period: no data for {', '.join(data.missing_months)}; totals cover "
            f"{len(data.months_loaded)} of {period.n_months} months."
        )
    total = data.total
    monthly = [
        {
            "label": month_name(m.month),
            "cells": [cell(m.count, "count", source=source)],
        }
        for m in data.monthly
    ]
    return {
        "paragraphs": paragraphs,
        "tables": [
            {
                "key": "crime-types",
                "caption": f"Records by police.uk category, {period.label}, with the change on "
                f"{data.comparison_period.label}",
                "columns": ["Crime type", "Records", "Change on the period before"],
                "rows": rows,
                "totals": True,
                "total_label": "All records",
                "total": total.count if total else None,
                "source": {"label": "Crime overview", "url": url, "detail": source},
                "chart": {
                    "kind": "bar",
                    "title": f"Records by category, {period.label}",
                    "description": "Bar chart of police.uk records by category, largest "
                    "first; the table below gives every value.",
                },
            },
            {
                "key": "crime-months",
                "caption": f"All records per month, {period.label}",
                "columns": ["Month", "Records"],
                "rows": monthly,
                "source": {"label": "Crime overview", "url": url, "detail": source},
                "chart": {
                    "kind": "line",
                    "title": f"All records per month, {period.label}",
                    "description": "Line chart of police.uk records (crime and anti-social "
                    "behaviour) per month; a month with no data is a gap.",
                },
            },
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
    return _scrutiny_year(ctx, ctx.financial_year, key="recommendations")


def build_last_year_recommendations(ctx: Context) -> dict:
    """Last year's scrutiny recommendations with their responses and where each stands now
    (the scrutiny pack)."""
    return _scrutiny_year(ctx, ctx.financial_year.previous(), key="last-year", status=True)


def _scrutiny_year(ctx: Context, fy: Period, *, key: str, status: bool = False) -> dict:

    from saferstat.governance import selectors as gov
    from saferstat.governance.models import BodyKind, MeetingStatus

    today = timezone.localdate()
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
    rows = []
    for r in recs:
        cells = [
            cell(str(r.to_organisation), "text"),
            cell(r.made_on.isoformat(), "text"),
            cell(r.get_response_display() if r.response else "No response yet", "text"),
        ]
        if status:
            clock = r.clock(today)
            where = (
                f"Answered on {r.responded_on.isoformat()}"
                if clock.answered
                else f"Response {clock.days_late} days late"
                if clock.overdue
                else f"Response due {clock.due.isoformat()}"
            )
            if r.implementation:
                where += f". Implementation: {r.implementation}"
            cells.append(cell(where, "text"))
        rows.append(
            {
                "label": r.text,
                "cells": cells,
                "source": reverse("governance:recommendation_list", args=[slug]),
            }
        )
    tables = []
    if rows:
        tables.append(
            {
                "key": key,
                "caption": f"Scrutiny recommendations made in {fy.label} and their responses",
                "columns": ["Recommendation", "To", "Made on", "Response"]
                + (["Where it stands"] if status else []),
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


# --------------------------------------------------------------- summary (pack, quarter)

#: How many lines each part of a summary shows; the rest is one click away in the detail.
SUMMARY_LINES = 5


def _tables_of(data: dict) -> list[dict]:
    tables = list(data.get("tables", []))
    for theme in data.get("themes", []):
        for priority in theme["priorities"]:
            tables += priority["tables"]
    return tables


def _capped(lines: list[dict], more_anchor: str) -> list[dict]:
    if len(lines) <= SUMMARY_LINES:
        return lines
    rest = len(lines) - SUMMARY_LINES
    return [
        *lines[:SUMMARY_LINES],
        {"text": f"and {rest} more in the detail", "source": more_anchor},
    ]


def build_summary(ctx: Context) -> dict:
    """A short, honest summary first (seed 000: "too little versus too much data"): what
    changed (significant changes only, never raw rises and falls), what is real (special
    cause variation) and what is noise, and what was asked last time and what was done.
    Words and links, no figures of its own: every figure is one click away in its section.
    Built after the other sections, from them."""
    built = ctx.built
    changed: list[dict] = []
    for table in _tables_of(built.get("crime", {})):
        if table["key"] != "crime-types":
            continue
        for row in table["rows"]:
            words = str(row["cells"][1]["value"])
            if words.startswith("significant"):
                changed.append({"text": f"{row['label']}: {words}.", "source": "#section-crime"})
    real: list[dict] = []
    noise = 0
    for key in ("priorities", "quarter-dashboard"):
        for table in _tables_of(built.get(key, {})):
            for row in table["rows"]:
                words = str(row["cells"][3]["value"]) if len(row["cells"]) > 3 else ""
                if "special cause" in words.lower():
                    real.append({"text": f"{row['label']}: {words}.", "source": f"#section-{key}"})
                elif words:
                    noise += 1
    performance = built.get("performance", {})
    paragraphs = [
        "This summary lists only what the evidence supports. A change is named only when it "
        "is statistically significant; a rise or fall within the normal range is not news."
    ]
    if not changed:
        changed = [{"text": "No crime category changed significantly.", "source": "#section-crime"}]
    indicators = "#section-priorities" if ctx.kind == SCRUTINY else "#section-quarter-dashboard"
    if noise:
        paragraphs.append(
            f"{noise} indicator(s) show only common-cause variation: their ups and downs are "
            "within the usual range, so no verdict of better or worse is drawn."
        )
    parts = [
        {"heading": "What changed", "items": _capped(changed, "#section-crime")},
        {
            "heading": "What is real",
            "items": _capped(real, indicators)
            or [{"text": "No indicator shows special cause variation.", "source": indicators}],
        },
        {
            "heading": "Highlights and challenges accepted by the analysts",
            "items": [
                {
                    "text": f"{len(performance.get('highlights', []))} highlight(s) and "
                    f"{len(performance.get('challenges', []))} challenge(s), each with its "
                    "evidence.",
                    "source": "#section-performance",
                }
            ],
        },
        _asked_last_time(ctx),
    ]
    return {"narrative": ["summary"], "paragraphs": paragraphs, "parts": parts}


def _asked_last_time(ctx: Context) -> dict:
    """The scrutiny pack: the recommendations of the committee's last meeting before the
    period's end, and members' data requests. The quarterly report: the Board's actions
    from its last meeting in the quarter."""
    from saferstat.governance import selectors as gov
    from saferstat.governance.models import BodyKind, MeetingStatus

    slug = ctx.partnership.slug
    end = ctx.own_period.end
    body_kind = BodyKind.SCRUTINY if ctx.kind == SCRUTINY else BodyKind.BOARD
    meetings = [
        m
        for m in gov.meeting_list(ctx.partnership)
        .filter(body__kind=body_kind)
        .exclude(status=MeetingStatus.PLANNED)
        if m.date.strftime("%Y-%m") <= end
    ]
    last = max(meetings, key=lambda m: m.starts_at) if meetings else None
    items: list[dict] = []
    who = "the committee" if ctx.kind == SCRUTINY else "the Board"
    detail = "#section-scrutiny" if ctx.kind == SCRUTINY else "#section-board-actions"
    if last is None:
        items.append({"text": f"No earlier meeting of {who} is recorded.", "source": detail})
    elif ctx.kind == SCRUTINY:
        for r in last.recommendations.all():
            done = r.get_response_display() if r.response else "no response yet"
            items.append(
                {
                    "text": f"{r.text[:160]} To {r.to_organisation}: {done}.",
                    "source": "#section-scrutiny",
                }
            )
    else:
        for a in gov.actions_of_meeting(last):
            items.append(
                {
                    "text": f"{a.title[:160]}: {a.get_status_display().lower()}, due "
                    f"{a.due_date.isoformat()}.",
                    "source": reverse("governance:meeting_detail", args=[slug, last.pk]),
                }
            )
    if last is not None and len(items) == 0:
        items.append(
            {"text": f"{who.capitalize()} made no recommendation or action.", "source": ""}
        )
    if ctx.kind == SCRUTINY:
        answered = len(
            [r for r in ctx.built.get("data-requests", {}).get("items", []) if r.get("answered")]
        )
        asked = len(ctx.built.get("data-requests", {}).get("items", []))
        items.append(
            {
                "text": f"Members asked {asked} data question(s) this year; {answered} answered.",
                "source": "#section-data-requests",
            }
        )
    heading = (
        f"What {who} asked last time"
        + (f" ({last.date.strftime('%d %B %Y')})" if last else "")
        + " and what was done"
    )
    return {"heading": heading, "items": _capped(items, detail)}


# ------------------------------------------------------------- scrutiny pack: the rest


def build_neighbours(ctx: Context) -> dict:
    """The partnership against its most similar neighbours: all records per 1,000 residents
    with the 95% interval, from the explorer's comparison (analytics.compare)."""
    from saferstat.intelligence import figures

    period = ctx.financial_year
    if not figures.warehouse_is_ready():
        return {"paragraphs": [f"No police.uk data loaded for {period.label}."]}
    try:
        comparison = figures.compare(ctx.partnership, period)
    except (NoDataError, PeriodError) as exc:
        return {"paragraphs": [str(exc)]}
    except Exception as exc:  # QueryError: no neighbour group for this area
        return {"paragraphs": [f"No comparison: {exc}"]}
    url = (
        reverse("explorer:page", args=[ctx.partnership.slug])
        + f"?source=police&view=compare&period={period.label}"
    )
    source = f"{url} (saferstat.analytics.compare.compare_areas)"
    words = {"above": "above the group", "below": "below the group", "similar": "similar"}
    rows = [
        {
            "label": a.name + (" (this partnership)" if a.is_focus else ""),
            "cells": [
                cell(a.count, "count", source=source),
                cell(round(a.rate_per_1000, 1), "rate", source=source),
                cell(f"{a.lower:.1f} to {a.upper:.1f}", "text", source=source),
                cell(words.get(str(a.significance), str(a.significance)), "text", source=source),
            ],
        }
        for a in comparison.areas
    ]
    focus = comparison.focus
    return {
        "paragraphs": [
            f"{focus.name} had {focus.rate_per_1000:.1f} records per 1,000 residents; the group "
            f"rate was {comparison.group_rate_per_1000:.1f}. An area is above or below the "
            "group only when its 95% interval excludes the group rate.",
            *comparison.notes,
        ],
        "tables": [
            {
                "key": "neighbours",
                "caption": f"All records per 1,000 residents, {period.label}, with neighbours",
                "columns": ["Area", "Records", "Per 1,000", "95% interval", "Against the group"],
                "rows": rows,
                "source": {"label": "Comparison in the explorer", "url": url, "detail": source},
                "chart": {
                    "kind": "bar",
                    "column": 1,
                    "value_title": "Records per 1,000 residents",
                    "title": f"Records per 1,000 residents, {period.label}",
                    "description": "Bar chart of each area's rate; the table below gives "
                    "each rate with its interval.",
                },
            }
        ],
    }


def build_data_requests(ctx: Context) -> dict:
    """Members' data requests raised in the year, with their answers (requests app)."""
    from saferstat.analytics.disclosure import is_sensitive as sensitive_words
    from saferstat.intelligence.requests.selectors import request_list

    fy = ctx.financial_year
    slug = ctx.partnership.slug
    items = []
    for r in request_list(partnership=ctx.partnership):
        if not fy.start <= r.created_at.strftime("%Y-%m") <= fy.end:
            continue
        items.append(
            {
                "text": r.question,
                "answer": r.answer or "",
                "status": r.get_status_display(),
                "answered": bool(r.answer),
                "sensitive": sensitive_words(r.question, r.answer or ""),
                "source": reverse("requests:detail", args=[slug, r.pk]),
            }
        )
    return {
        "requests": items,
        "items": items,
        "paragraphs": [] if items else [f"No data request was raised in {fy.label}."],
    }


def build_board_actions(ctx: Context) -> dict:
    """The Board's actions due in the quarter or still open at its end, with their state."""
    import datetime as dt

    from saferstat.governance import selectors as gov

    period = ctx.own_period
    end = dt.date.fromisoformat(period.months[-1] + "-01")
    end = (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    start = dt.date.fromisoformat(period.start + "-01")
    slug = ctx.partnership.slug
    rows = []
    for a in gov.action_list(ctx.partnership, today=timezone.localdate()):
        due_here = start <= a.due_date <= end
        open_at_end = a.done_on is None or a.done_on > end
        if not (due_here or (open_at_end and a.due_date <= end)):
            continue
        state = a.state(min(end, timezone.localdate()))
        rows.append(
            {
                "label": a.title,
                "cells": [
                    cell(a.owner_label, "text"),
                    cell(a.due_date.isoformat(), "text"),
                    cell(state, "text"),
                ],
                "source": reverse("governance:action_detail", args=[slug, a.pk]),
            }
        )
    if not rows:
        return {"paragraphs": [f"No Board action was due or open in {period.label}."]}
    return {
        "tables": [
            {
                "key": "board-actions",
                "caption": f"Board actions due or open in {period.label}",
                "columns": ["Action", "Owner", "Due", "State at the quarter's end"],
                "rows": rows,
                "source": {
                    "label": "Action log",
                    "url": reverse("governance:action_log", args=[slug]),
                    "detail": "governance.selectors.action_list",
                },
            }
        ]
    }


# ------------------------------------------------------------------------ ward profiles


def _ward(ctx: Context):
    """The ward's profile for the report's year, or the paragraph saying why not."""
    from saferstat.analytics.errors import QueryError
    from saferstat.intelligence import figures

    period = ctx.financial_year
    if not figures.warehouse_is_ready():
        return None, {"paragraphs": [f"No police.uk data loaded for {period.label}."]}
    try:
        return figures.ward_profile(ctx.partnership, ctx.ward, period), None
    except (NoDataError, QueryError, PeriodError) as exc:
        return None, {"paragraphs": [str(exc)]}


def _ward_source(ctx: Context, what: str) -> tuple[str, str]:
    url = (
        reverse("explorer:page", args=[ctx.partnership.slug])
        + f"?source=police&view=wards&period={ctx.financial_year.label}"
    )
    return url, (
        f"{url} (saferstat.analytics.wards.ward_profile, {what}, ward {ctx.ward}, "
        f"{ctx.financial_year.label})"
    )


def build_ward_summary(ctx: Context) -> dict:
    """The ward against the partnership: records, residents, the rate per 1,000 with its 95%
    interval, and whether the interval excludes the partnership's rate."""
    profile, why = _ward(ctx)
    if profile is None:
        return why
    url, source = _ward_source(ctx, "rate")
    rate = profile.rate
    words = {
        "above": "higher than the partnership as a whole",
        "below": "lower than the partnership as a whole",
        "similar": "not significantly different from the partnership as a whole",
    }
    rows = [
        {
            "label": f"{profile.ward_name} ward",
            "cells": [
                cell(profile.count, "count", source=source),
                cell(profile.population, "people", source=source),
                cell(round(rate.rate, 1) if rate else None, "rate", source=source),
                cell(
                    f"{rate.lower:.1f} to {rate.upper:.1f}" if rate else "", "text", source=source
                ),
            ],
        },
        {
            "label": profile.area_name,
            "cells": [
                cell(profile.area_count, "count", source=source),
                cell(profile.area_population, "people", source=source),
                cell(
                    round(profile.area_rate_per_1000, 1)
                    if profile.area_rate_per_1000 is not None
                    else None,
                    "rate",
                    source=source,
                ),
                cell("", "text", source=source),
            ],
        },
    ]
    return {
        "paragraphs": [
            f"{profile.ward_name}'s rate of police-recorded crime and anti-social behaviour is "
            f"{words[profile.compared]} (95% interval). Anti-social behaviour was "
            f"{profile.asb_count:,} of the ward's {profile.count:,} records.",
            *profile.notes,
        ],
        "tables": [
            {
                "key": "ward-rate",
                "caption": f"{profile.ward_name}: records per 1,000 residents, "
                f"{profile.period.label}",
                "columns": [
                    "Area",
                    "Records",
                    "Residents (Census 2021)",
                    "Per 1,000",
                    "95% interval",
                ],
                "rows": rows,
                "source": {"label": "Wards in the explorer", "url": url, "detail": source},
            }
        ],
        "ward": profile.ward_name,
    }


def build_ward_trend(ctx: Context) -> dict:
    from saferstat.analytics.periods import month_name

    profile, why = _ward(ctx)
    if profile is None:
        return why
    url, source = _ward_source(ctx, "monthly")
    return {
        "tables": [
            {
                "key": "ward-months",
                "caption": f"{profile.ward_name}: records per month, {profile.period.label}",
                "columns": ["Month", "Records"],
                "rows": [
                    {"label": month_name(m.month), "cells": [cell(m.count, "count", source=source)]}
                    for m in profile.monthly
                ],
                "source": {"label": "Wards in the explorer", "url": url, "detail": source},
                "chart": {
                    "kind": "line",
                    "title": f"{profile.ward_name}: records per month",
                    "description": "Line chart of the ward's police.uk records per month; a "
                    "month with no data is a gap.",
                },
            }
        ]
    }


def build_ward_types(ctx: Context) -> dict:
    """The ward's crime types, largest first, with the harm of each (CCHI days)."""
    profile, why = _ward(ctx)
    if profile is None:
        return why
    url, source = _ward_source(ctx, "by category")
    harm = {row.crime_type: row.harm_days for row in profile.harm.rows}
    rows = [
        {
            "label": name,
            "cells": [
                cell(n, "count", sensitive=is_sensitive(name), source=source),
                cell(round(harm[name]) if name in harm else None, "days", source=source),
            ],
        }
        for name, n in profile.crime_types
    ]
    return {
        "paragraphs": [
            f"Harm is the Cambridge Crime Harm Index estimate ({profile.harm.version}): the "
            f"ward's total is {profile.harm.range_text}. Anti-social behaviour carries no "
            "harm weight."
        ],
        "tables": [
            {
                "key": "ward-types",
                "caption": f"{profile.ward_name}: records by police.uk category, "
                f"{profile.period.label}",
                "columns": ["Crime type", "Records", "Harm (days)"],
                "rows": rows,
                "totals": True,
                "total_label": "All records",
                "total": profile.count,
                "source": {"label": "Wards in the explorer", "url": url, "detail": source},
                "chart": {
                    "kind": "bar",
                    "title": f"{profile.ward_name}: records by category",
                    "description": "Bar chart of the ward's records by category, largest "
                    "first; the table below gives every value.",
                },
            }
        ],
    }


def build_ward_activity(ctx: Context) -> dict:
    """The partnership's training and engagement that names the ward (delivery records)."""
    from saferstat.delivery.selectors import activities

    fy = ctx.financial_year
    name = ctx.ward.casefold()
    items = [
        {
            "text": f"{a.date.isoformat()}: {a.title} ({a.get_kind_display().lower()})",
        }
        for a in activities(partnership=ctx.partnership)
        if fy.start <= a.date.strftime("%Y-%m") <= fy.end
        and name
        and name in f"{a.title} {a.audience} {a.organisations}".casefold()
    ]
    return {
        "items": items,
        "paragraphs": [
            "Training and engagement recorded by the partnership that names the ward."
            if items
            else f"No training or engagement recorded in {fy.label} names this ward."
        ],
    }


for _section in (
    Section(
        "summary",
        "Summary: what changed and what is real",
        (SCRUTINY, QUARTERLY),
        build_summary,
        template="reports/sections/_summary.html",
        narrative=("summary",),
        after_others=True,
    ),
    Section(
        "introduction",
        "Introduction",
        ANNUAL_AND_PACK,
        build_introduction,
        narrative=("introduction",),
    ),
    Section(
        "foreword",
        "Foreword from the Chair",
        ANNUAL_AND_PACK,
        build_foreword,
        narrative=("foreword",),
    ),
    Section(
        "priorities",
        "Our priorities",
        ANNUAL_AND_PACK,
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
        "communications",
        "Communications",
        ANNUAL_AND_PACK,
        None,
        provided_by="Delivery (e-bulletins)",
    ),
    Section(
        "projects",
        "Project highlights",
        ANNUAL_AND_PACK,
        None,
        provided_by="Delivery (project outputs)",
    ),
    Section(
        "performance",
        "Performance highlights and challenges",
        (ANNUAL, QUARTERLY, SCRUTINY),
        build_highlights,
        template="reports/sections/_highlights.html",
    ),
    Section("crime", "Crime overview", (ANNUAL, QUARTERLY, SCRUTINY), build_crime_overview),
    Section("board-actions", "Board actions", (QUARTERLY,), build_board_actions),
    Section("neighbours", "Comparison with neighbours", (SCRUTINY,), build_neighbours),
    Section("attendance", "Board attendance", ANNUAL_AND_PACK, build_attendance),
    Section("scrutiny", "Scrutiny", ANNUAL_AND_PACK, build_scrutiny),
    Section(
        "data-requests",
        "Members' data requests and their answers",
        (SCRUTINY,),
        build_data_requests,
        template="reports/sections/_requests.html",
    ),
    Section(
        "last-year",
        "Last year's recommendations: responses and status",
        (SCRUTINY,),
        build_last_year_recommendations,
    ),
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
        ANNUAL_AND_PACK,
        None,
        provided_by="Case reviews (the four statutory figures)",
    ),
    Section(
        "contacts",
        "Contacts and support services",
        ANNUAL_AND_PACK,
        None,
        provided_by="Reports (a contacts directory, not built yet)",
    ),
    Section("ward-summary", "The ward against the partnership", (WARD,), build_ward_summary),
    Section("ward-trend", "Trend", (WARD,), build_ward_trend),
    Section("ward-types", "Crime types and harm", (WARD,), build_ward_types),
    Section("ward-activity", "Partnership activity in the ward", (WARD,), build_ward_activity),
):
    register(_section)
