"""Reads for the performance pages and API: indicators, their series and verdicts, returns,
what a lead owes, late returns. Every selector takes the partnership it reads for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone

from saferstat.analytics import performance as verdicts
from saferstat.analytics.disclosure import DEFAULT_POLICY, Policy, is_sensitive, publish_count
from saferstat.analytics.performance import RagRule, SeriesPoint, Verdict
from saferstat.analytics.periods import month_name
from saferstat.core.models import AuditEvent, Partnership, User
from saferstat.core.permissions import can_view_indicator
from saferstat.intelligence import figures
from saferstat.plan.selectors import lead_text, priority_list

from .computed import computed_values
from .models import (
    SIGNED_OFF,
    Indicator,
    PerformanceSettings,
    ReportingPeriod,
    Return,
    ReturnEvent,
    ReturnLine,
    ReturnStatus,
    Source,
)
from .workflow import EDITABLE

OWED = EDITABLE  # the statuses in which a return is still owed


def rag_rule_for(partnership: Partnership) -> RagRule:
    row = PerformanceSettings.objects.filter(partnership=partnership).first()
    return RagRule.from_dict(row.rag_rule if row else None)


def period_list(*, partnership: Partnership) -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.filter(partnership=partnership))


def period_get(
    *, partnership: Partnership, label: str | None, periods: list[ReportingPeriod] | None = None
) -> ReportingPeriod | None:
    """The calendar period with this label; without a label, the latest one that has opened
    (else the first). ``periods``: the calendar already read (:func:`period_list`)."""
    if periods is None:
        periods = period_list(partnership=partnership)
    if label:
        return next((p for p in periods if p.label == label), None)
    today = timezone.localdate()
    opened = [p for p in periods if p.opens_on <= today]
    if opened:
        return max(opened, key=lambda p: p.start_month)
    return min(periods, key=lambda p: p.start_month, default=None)


def visible(user, indicators: list) -> list:
    """The indicators (or rows with an ``indicator``) the user may see: one computed from a
    sensitive partner dataset only for those who may see the dataset
    (`permissions.can_view_indicator`)."""
    return [x for x in indicators if can_view_indicator(user, getattr(x, "indicator", x))]


def indicator_list(*, partnership: Partnership, user=None) -> list[Indicator]:
    """The partnership's indicators; given a ``user``, only those they may see."""
    every = list(
        Indicator.objects.filter(partnership=partnership)
        .select_related("priority", "priority__theme", "priority__lead_organisation", "dataset")
        .prefetch_related("targets")
    )
    for indicator in every:  # not joined: the same row each time (the dashboard reads this
        indicator.partnership = partnership  # list on every request)
    return every if user is None else visible(user, every)


def indicator_get(*, partnership: Partnership, code: str, user=None) -> Indicator:
    """The indicator with this code (404 when there is none, or the ``user`` given may not
    see it)."""
    for indicator in indicator_list(partnership=partnership, user=user):
        if indicator.code == code:
            return indicator
    raise Http404("No such indicator")


def return_get(*, partnership: Partnership, return_id: int) -> Return:
    try:
        return Return.objects.select_related(
            "period", "priority", "priority__theme", "priority__lead", "partnership"
        ).get(partnership=partnership, pk=return_id)
    except Return.DoesNotExist:
        raise Http404("No such return") from None


def indicator_series(
    indicator: Indicator, periods: list[ReportingPeriod], *, lines=None
) -> list[SeriesPoint]:
    """The indicator's value in each period of the calendar (each month of its quarters for
    a monthly indicator, labelled ``2024-05``): approved (or corrected) return values, or
    computed values; anything else is a gap with its status."""
    labels = indicator.series_labels([p.label for p in periods])
    if indicator.source != Source.ENTERED:
        values = computed_values(indicator, labels)
        return [SeriesPoint(label, *values[label]) for label in labels]
    if lines is None:
        lines = ReturnLine.objects.filter(indicator=indicator).select_related("ret", "ret__period")
    mine = [line for line in lines if line.indicator_id == indicator.pk]
    if indicator.is_monthly:  # a line per month; the month must lie in the return's quarter
        by_label = {line.month: line for line in mine if line.month}
    else:
        by_label = {line.ret.period.label: line for line in mine if not line.month}
    points = []
    for label in labels:
        line = by_label.get(label)
        if line is None:
            points.append(SeriesPoint(label, None, "not_submitted"))
        elif line.ret.status in SIGNED_OFF and line.value is not None:
            points.append(SeriesPoint(label, line.value, line.ret.status))
        else:
            status = line.ret.status
            points.append(
                SeriesPoint(label, None, "not_submitted" if status == "not_started" else status)
            )
    return points


@dataclass
class IndicatorRow:
    """One indicator on the dashboard, with its verdict at the chosen period."""

    indicator: Indicator
    points: list[SeriesPoint]
    verdict: Verdict
    note: str = ""
    commentary: str = ""

    @property
    def latest_label(self) -> str:
        """The period of the latest value as a page writes it: the quarter, or for a
        monthly indicator the quarter's last month (``March 2025``)."""
        period = self.verdict.period
        return month_name(period) if self.indicator.is_monthly else period

    @property
    def value_text(self) -> str:
        latest = self.verdict.latest
        return verdicts.format_value(latest.value if latest else None, self.indicator.unit)

    @property
    def target_text(self) -> str:
        if self.verdict.target is None:
            return "No target"
        return verdicts.format_value(self.verdict.target, self.indicator.unit)

    @property
    def status_text(self) -> str:
        latest = self.verdict.latest
        return status_word(latest.status, self.indicator) if latest else "Not in the calendar"


STATUS_WORDS = {
    "approved": "Approved",
    "corrected": "Approved, then corrected",
    "computed": "Computed from police.uk",
    "submitted": "Submitted, awaiting approval",
    "draft": "Draft: not yet submitted",
    "returned": "Returned to the lead",
    "not_submitted": "Not submitted",
    "incomplete": "Incomplete: some months not loaded",
    "no_data": "No data loaded",
}


def status_word(status: str, indicator: Indicator | None = None) -> str:
    """A series point's status in words; a computed point names where it was computed from
    (police.uk or a partner dataset). Anything else (an SPC point type, ``special_cause``)
    with spaces."""
    if status == "computed" and indicator is not None and indicator.source == Source.PARTNER:
        return "Computed from a partner dataset"
    return STATUS_WORDS.get(status, str(status).replace("_", " ").capitalize())


def indicator_rows(
    *,
    partnership: Partnership,
    period: ReportingPeriod,
    indicators: list[Indicator] | None = None,
    user=None,
) -> list[IndicatorRow]:
    """Every indicator (or those given) with its series and verdict at ``period``; given a
    ``user``, only the indicators they may see (:func:`visible`).

    The figures (series, verdicts, the lead's note and commentary) are computed once for
    all the partnership's indicators and kept (`figures.cached`: until the warehouse
    changes, bounded, per process) under :func:`figures_key`, which holds everything else
    they are computed from; the indicators themselves are read fresh each time."""
    return _rows_and_key(partnership, period, indicators, user)[0]


def indicator_rows_keyed(
    *, partnership: Partnership, period: ReportingPeriod, user=None
) -> tuple[list[IndicatorRow], tuple]:
    """:func:`indicator_rows` and a key naming everything they hold for this reader (the
    figures' key and the indicators they may see): for keeping what is made from them, such
    as the API's answer."""
    rows, key = _rows_and_key(partnership, period, None, user)
    return rows, ("rows", key, tuple(row.indicator.pk for row in rows))


def _rows_and_key(
    partnership: Partnership,
    period: ReportingPeriod,
    indicators: list[Indicator] | None,
    user,
    written: tuple | None = None,
) -> tuple[list[IndicatorRow], tuple]:
    """:func:`indicator_rows` and the :func:`figures_key` they were computed under
    (``written``: :func:`latest_writes`, when the caller has read it already)."""
    written = latest_writes(partnership) if written is None else written
    calendar, every, rule, _ = definitions(partnership, written)
    periods = [p for p in calendar if p.start_month <= period.start_month]
    key = figures_key(partnership, period, written)
    kept = figures.cached(key, lambda: _figures(partnership, period, periods, every, rule))
    wanted = indicators if indicators is not None else every
    if user is not None:
        wanted = visible(user, wanted)
    missing = [i for i in wanted if i.pk not in kept]
    if missing:  # not one of the partnership's indicators as read above: computed, not kept
        kept = {**kept, **_figures(partnership, period, periods, missing, rule)}
    rows = []
    for indicator in wanted:
        points, verdict, note, commentary = kept[indicator.pk]
        rows.append(IndicatorRow(indicator, list(points), verdict, note, commentary))
    return rows, key


def latest_writes(partnership: Partnership) -> tuple:
    """The partnership's latest return step (every step of a return, saved, submitted,
    approved, returned, corrected or imported, writes a `ReturnEvent`: their count, latest id
    and time) and its latest audited write (id and time). Two reads; every write to the
    partnership's plan, calendar, indicators, targets, RAG rule or returns changes them."""
    steps = ReturnEvent.objects.filter(ret__partnership=partnership).aggregate(
        n=Count("pk"), last=Max("pk"), at=Max("at")
    )
    audited = AuditEvent.objects.filter(partnership=partnership).aggregate(
        last=Max("pk"), at=Max("at")
    )
    return (steps["n"], steps["last"], steps["at"]), (audited["last"], audited["at"])


def definitions(partnership: Partnership, written: tuple) -> tuple:
    """``(calendar, indicators, RAG rule, priorities)``: what the dashboard is computed and
    filtered by, read once and kept until the partnership's next audited write (every write
    to them goes through an audited service: :func:`latest_writes`). The Board dashboard and
    the indicators API read these on every request; kept, they cost no query. Read-only:
    the objects are shared by every request in the process."""

    def read() -> tuple:
        return (
            period_list(partnership=partnership),
            indicator_list(partnership=partnership),
            rag_rule_for(partnership),
            priority_list(partnership=partnership),
        )

    return figures.cached(("performance.definitions", partnership.pk, written[1]), read)


def figures_key(partnership: Partnership, period: ReportingPeriod, written: tuple) -> tuple:
    """Everything the dashboard's figures at ``period`` are computed from, besides the
    warehouse (the cache adds its version): the partnership's area, the period, and
    :func:`latest_writes`: every step of a return (saved, submitted, approved, returned,
    corrected, imported) writes a `ReturnEvent`, and every change to the calendar, the
    indicators, their targets or the RAG rule (kept by :func:`definitions` under the same
    audited write) is an audited write to the partnership."""
    steps, audited = written
    return (
        "performance.figures",
        partnership.pk,
        tuple(partnership.lad_codes),
        partnership.force_slug,
        period.pk,
        steps,
        audited,
    )


def _figures(
    partnership: Partnership,
    period: ReportingPeriod,
    periods: list[ReportingPeriod],
    indicators: list[Indicator],
    rule: RagRule,
) -> dict[int, tuple]:
    """``{indicator pk: (points, verdict, note, commentary)}`` at ``period``."""
    lines = list(
        ReturnLine.objects.filter(
            ret__partnership=partnership, ret__period__in=periods
        ).select_related("ret", "ret__period")
    )
    out = {}
    for indicator in indicators:
        points = indicator_series(indicator, periods, lines=lines)
        verdict = verdicts.indicator_verdict(
            points,
            period=indicator.judged_label(period.label),
            polarity=indicator.polarity,
            unit=indicator.unit,
            targets={t.from_period: t.value for t in indicator.targets.all()},
            rebases=indicator.rebases,
            rule=rule,
            label=indicator.name,
        )
        line = next(
            (
                ln
                for ln in lines
                if ln.indicator_id == indicator.pk and ln.ret.period_id == period.pk
            ),
            None,
        )
        signed_off = line is not None and line.ret.status in SIGNED_OFF
        out[indicator.pk] = (
            tuple(points),
            verdict,
            line.note if signed_off else "",
            line.ret.commentary if signed_off else "",
        )
    return out


@dataclass
class PriorityGroup:
    priority: object
    lead: str
    rows: list[IndicatorRow] = field(default_factory=list)


@dataclass
class ThemeGroup:
    theme: object
    priorities: list[PriorityGroup] = field(default_factory=list)


@dataclass
class Dashboard:
    """The Board dashboard's groups, and a key that names everything they show: the figures'
    key (:func:`figures_key`, which changes with any audited write to the partnership, and so
    with any change to the themes, priorities and leads), the filters, the indicators shown in
    their order and whether the reader leads one of them. The page keeps its rendered cards
    under it (with the warehouse version)."""

    groups: list[ThemeGroup]
    key: tuple
    reader: int | None = None  # the reader, when they lead one of the priorities shown


def dashboard(
    *,
    partnership: Partnership,
    period: ReportingPeriod,
    user: User | None = None,
    theme: str = "",
    lead: str = "",
    rag: str = "",
    written: tuple | None = None,
) -> Dashboard:
    """The Board dashboard: indicators by theme and priority, filtered by theme key, lead
    (priority key) and RAG status. A lead's own priorities come first. ``written``:
    :func:`latest_writes`, when the page has read it already."""
    rows, figures = _rows_and_key(partnership, period, None, user, written)
    if theme:
        rows = [r for r in rows if r.indicator.priority.theme.key == theme]
    if lead:
        rows = [r for r in rows if r.indicator.priority.key == lead]
    if rag:
        rows = [r for r in rows if r.verdict.rag == rag]
    themes: dict[int, ThemeGroup] = {}
    priorities: dict[int, PriorityGroup] = {}
    for row in rows:
        p = row.indicator.priority
        group = themes.setdefault(p.theme_id, ThemeGroup(p.theme))
        if p.pk not in priorities:
            priorities[p.pk] = PriorityGroup(p, lead_text(p))
            group.priorities.append(priorities[p.pk])
        priorities[p.pk].rows.append(row)
    groups = list(themes.values())
    leads_one = False
    if user is not None and user.is_authenticated:
        own = [g for g in groups if any(pg.priority.lead_id == user.pk for pg in g.priorities)]
        leads_one = bool(own)
        groups = own + [g for g in groups if g not in own]
        for g in groups:
            g.priorities.sort(key=lambda pg: pg.priority.lead_id != user.pk)
    shown = tuple(row.indicator.pk for g in groups for pg in g.priorities for row in pg.rows)
    reader = user.pk if leads_one else None
    return Dashboard(groups, ("dashboard", figures, theme, lead, rag, shown, reader), reader)


def returns_owed(*, partnership: Partnership, user: User) -> list[Return]:
    """The returns the user leads that are still to be submitted (opened periods first)."""
    return list(
        Return.objects.filter(partnership=partnership, priority__lead=user, status__in=OWED)
        .select_related("period", "priority")
        .order_by("period__start_month")
    )


def returns_of_lead(*, partnership: Partnership, user: User) -> list[Return]:
    return list(
        Return.objects.filter(partnership=partnership, priority__lead=user)
        .select_related("period", "priority")
        .order_by("-period__start_month", "priority__order")
    )


def returns_late(*, partnership: Partnership, today: dt.date | None = None) -> list[Return]:
    """Returns still owed after their deadline, oldest first."""
    today = today or timezone.localdate()
    return list(
        Return.objects.filter(partnership=partnership, status__in=OWED, period__deadline__lt=today)
        .select_related("period", "priority", "priority__lead")
        .order_by("period__start_month", "priority__order")
    )


def returns_awaiting(*, partnership: Partnership) -> list[Return]:
    return list(
        Return.objects.filter(partnership=partnership, status=ReturnStatus.SUBMITTED)
        .select_related("period", "priority", "priority__lead")
        .order_by("period__start_month")
    )


def returns_submitted_late(*, partnership: Partnership) -> list[Return]:
    return [
        r
        for r in Return.objects.filter(
            partnership=partnership, submitted_at__isnull=False
        ).select_related("period", "priority")
        if r.was_late
    ]


# --- the public dashboard -------------------------------------------------------------------


def dashboard_published(partnership: Partnership) -> bool:
    """True once the partnership has published its public dashboard."""
    return PerformanceSettings.objects.filter(partnership=partnership, published=True).exists()


@dataclass
class PublicPoint:
    period: str
    shown: str  # the value as published: a number, "*" (suppressed) or "no value"


@dataclass
class PublicRow:
    """One public indicator as everyone sees it: approved (or computed) values only, and
    for a count of a sensitive theme (or computed from a sensitive partner dataset), the published form of each count
    (`saferstat.analytics.disclosure.publish_count`: 1 to 7 hidden, others rounded to 5)
    with no change on last year (it would give the exact difference)."""

    row: IndicatorRow
    controlled: bool
    value_text: str
    points: list[PublicPoint]
    change_words: str

    @property
    def indicator(self) -> Indicator:
        return self.row.indicator

    @property
    def verdict(self) -> Verdict:
        return self.row.verdict


def _published_text(value: float | None, unit: str, controlled: bool, policy: Policy) -> str:
    if value is None:
        return verdicts.format_value(None, unit)
    if controlled:
        shown = publish_count(int(value), policy)
        return shown if isinstance(shown, str) else verdicts.format_value(shown, unit)
    return verdicts.format_value(value, unit)


def public_dashboard(
    *, partnership: Partnership, period: ReportingPeriod, policy: Policy = DEFAULT_POLICY
) -> list[ThemeGroup]:
    """The public dashboard: the indicators marked public, by theme and priority, each with
    its published values and its verdict in words (no commentary: it is written for the
    Board). No totals are published, so no cell needs secondary suppression."""
    themes: dict[int, ThemeGroup] = {}
    priorities: dict[int, PriorityGroup] = {}
    for row in indicator_rows(partnership=partnership, period=period):
        if not row.indicator.public:
            continue
        i = row.indicator
        p = i.priority
        controlled = i.unit == "count" and (
            i.is_sensitive_data or is_sensitive(p.theme.name, p.name, i.name)
        )
        latest = row.verdict.latest
        public = PublicRow(
            row=row,
            controlled=controlled,
            value_text=_published_text(
                latest.value if latest else None, i.unit, controlled, policy
            ),
            points=[
                PublicPoint(pt.period, _published_text(pt.value, i.unit, controlled, policy))
                for pt in row.points
            ],
            change_words=""
            if controlled or row.verdict.change is None
            else row.verdict.change.words,
        )
        group = themes.setdefault(p.theme_id, ThemeGroup(p.theme))
        if p.pk not in priorities:
            priorities[p.pk] = PriorityGroup(p, lead_text(p))
            group.priorities.append(priorities[p.pk])
        priorities[p.pk].rows.append(public)
    return list(themes.values())
