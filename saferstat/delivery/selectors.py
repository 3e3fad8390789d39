"""Reads for the delivery pages: streams with their totals, projects with spend and outputs
against plan, what a stream's money bought (with its gaps), monitoring returns (late,
waiting), and the communications and training and engagement logs. Every selector takes the
partnership it reads for; an object of another partnership is "not found"."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Sum
from django.http import Http404
from django.utils import timezone

from saferstat.analytics.errors import NoDataError, QueryError
from saferstat.core.models import Partnership, User
from saferstat.performance import workflow
from saferstat.performance.models import SIGNED_OFF, ReturnStatus
from saferstat.performance.selectors import indicator_rows, period_get

from .models import (
    Activity,
    Communication,
    FundingStream,
    Grant,
    Measure,
    MeasureKind,
    MonitoringLine,
    MonitoringReturn,
    Project,
)
from .money import split_pence


def _get(queryset, partnership: Partnership, pk, what: str):
    try:
        return queryset.get(partnership=partnership, pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {what}") from None


def stream_get(*, partnership: Partnership, stream_id: int) -> FundingStream:
    return _get(FundingStream.objects.all(), partnership, stream_id, "funding stream")


def project_get(*, partnership: Partnership, project_id: int) -> Project:
    return _get(
        Project.objects.select_related("organisation", "lead").prefetch_related(
            "priorities__theme", "objectives"
        ),
        partnership,
        project_id,
        "project",
    )


def communication_get(*, partnership: Partnership, communication_id: int) -> Communication:
    return _get(Communication.objects.all(), partnership, communication_id, "communication")


def grant_get(*, partnership: Partnership, grant_id: int) -> Grant:
    try:
        return Grant.objects.select_related("stream", "project").get(
            stream__partnership=partnership, pk=grant_id
        )
    except (Grant.DoesNotExist, ValueError, TypeError):
        raise Http404("No such award") from None


def return_get(*, partnership: Partnership, return_id: int) -> MonitoringReturn:
    return _get(
        MonitoringReturn.objects.select_related(
            "project", "project__organisation", "project__lead", "period", "partnership"
        ),
        partnership,
        return_id,
        "monitoring return",
    )


# --- streams ---------------------------------------------------------------------------------


@dataclass
class StreamRow:
    stream: FundingStream
    awarded: int
    projects: int

    @property
    def left(self) -> int:
        return self.stream.amount_pence - self.awarded

    @property
    def over(self) -> bool:
        return self.left < 0


def stream_rows(*, partnership: Partnership) -> list[StreamRow]:
    streams = FundingStream.objects.filter(partnership=partnership).prefetch_related("grants")
    return [
        StreamRow(s, sum(g.amount_pence for g in s.grants.all()), len(s.grants.all()))
        for s in streams
    ]


#: How the funding-by-priority table counts a project serving several priorities (shown on
#: the page).
SPLIT_RULE = (
    "A project serving several priorities has its award split equally between them, in "
    "whole pence (any odd pence go to the first priorities by name), so the column adds up "
    "to the total awarded; the project is counted under each of its priorities."
)


def funding_by(*, partnership: Partnership, by: str) -> list[tuple[str, int, int]]:
    """Awards summed by ``priority`` or ``organisation``: (name, pence, projects), largest
    first. By priority, a project serving several priorities has its award split equally
    between them (`money.split_pence`, see :data:`SPLIT_RULE`): the rows add up to the total
    awarded."""
    if by not in ("priority", "organisation"):
        raise QueryError(f"Unknown grouping {by!r}")
    totals: dict[str, int] = defaultdict(int)
    projects: dict[str, set[int]] = defaultdict(set)
    grants = Grant.objects.filter(stream__partnership=partnership).select_related(
        "project__organisation"
    )
    if by == "priority":
        grants = grants.prefetch_related("project__priorities")
    for grant in grants:
        project = grant.project
        if by == "organisation":
            shares = [(project.organisation.name, grant.amount_pence)]
        else:
            names = [p.name for p in project.priority_list]
            shares = list(zip(names, split_pence(grant.amount_pence, len(names)), strict=True))
        for name, amount in shares:
            totals[name] += amount
            projects[name].add(project.pk)
    return sorted(
        ((n, t, len(projects[n])) for n, t in totals.items()), key=lambda r: (-r[1], r[0])
    )


def multi_priority_projects(*, partnership: Partnership) -> list[Project]:
    """Projects serving more than one priority (their money is split: :data:`SPLIT_RULE`)."""
    return [
        p
        for p in Project.objects.filter(partnership=partnership).prefetch_related("priorities")
        if len(p.priorities.all()) > 1
    ]


# --- projects and what they delivered ---------------------------------------------------------


@dataclass
class MeasureRow:
    measure: Measure
    actual: int | None  # sum of approved quarters; None: no approved figure (a gap)
    quarters: int  # approved quarters with a figure
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (quarter, text)
    verdict: str = ""  # the linked indicator's SPC verdict, in words

    @property
    def percent(self) -> int | None:
        if self.actual is None or not self.measure.planned:
            return None
        return round(100 * self.actual / self.measure.planned)

    @property
    def state(self) -> str:
        if self.actual is None:
            return "gap"
        if self.measure.planned is None:
            return "no_plan"
        return "met" if self.actual >= self.measure.planned else "below"

    @property
    def state_text(self) -> str:
        return {
            "gap": "Gap: no approved figure",
            "no_plan": "No planned value",
            "met": "Met the plan",
            "below": "Below plan",
        }[self.state]


@dataclass
class ProjectRow:
    project: Project
    award: int  # pence: from the stream asked about, or from every stream
    spend: int | None  # pence, from approved returns; None: none approved
    outputs: list[MeasureRow]
    outcomes: list[MeasureRow]
    returns: list[MonitoringReturn]
    gaps: list[str]

    @property
    def signed_off(self) -> int:
        return sum(1 for r in self.returns if r.status in SIGNED_OFF)


def _verdicts(partnership: Partnership, measures: list[Measure], year: str | None) -> dict:
    """Words for the SPC verdict of each linked indicator, at the last quarter of ``year``
    (or the latest quarter of the calendar)."""
    indicators = {m.indicator.pk: m.indicator for m in measures if m.indicator_id}
    if not indicators:
        return {}
    period = (period_get(partnership=partnership, label=f"{year}-Q4") if year else None) or (
        period_get(partnership=partnership, label=None)
    )
    if period is None:
        return {}
    out = {}
    try:
        rows = indicator_rows(
            partnership=partnership, period=period, indicators=list(indicators.values())
        )
    except (NoDataError, QueryError) as exc:
        return {pk: f"No verdict: {exc}" for pk in indicators}
    for row in rows:
        v = row.verdict
        out[row.indicator.pk] = (
            f"{row.indicator.name} at {period.label}: {v.variation_words}. {v.assurance_words}. "
            f"{v.rag_label}."
        )
    return out


def project_rows(
    *,
    partnership: Partnership,
    stream: FundingStream | None = None,
    projects: list[Project] | None = None,
    today: dt.date | None = None,
) -> list[ProjectRow]:
    """Each project (of the stream, or the ones given, or all) with its award, spend and
    outputs and outcomes against plan from approved returns, and its gaps in words."""
    today = today or timezone.localdate()
    qs = Project.objects.filter(partnership=partnership).select_related("organisation", "lead")
    if stream is not None:
        qs = qs.filter(grants__stream=stream)
    if projects is not None:
        qs = qs.filter(pk__in=[p.pk for p in projects])
    qs = qs.prefetch_related(
        "priorities",
        "grants",
        Prefetch("measures", queryset=Measure.objects.select_related("indicator")),
        Prefetch(
            "returns",
            queryset=MonitoringReturn.objects.select_related("period").order_by(
                "period__start_month"
            ),
        ),
    ).distinct()
    project_list = list(qs)
    lines = defaultdict(list)
    for line in MonitoringLine.objects.filter(
        ret__project__in=project_list, ret__status__in=SIGNED_OFF
    ).select_related("ret__period"):
        lines[line.measure_id].append(line)
    all_measures = [m for p in project_list for m in p.measures.all()]
    verdicts = _verdicts(partnership, all_measures, stream.financial_year if stream else None)
    rows = []
    for project in project_list:
        grants = project.grants.all()
        award = sum(g.amount_pence for g in grants if stream is None or g.stream_id == stream.pk)
        returns = list(project.returns.all())
        approved = [r for r in returns if r.status in SIGNED_OFF]
        spend = sum(r.spend_pence or 0 for r in approved) if approved else None
        measure_rows = []
        for measure in project.measures.all():
            got = [ln for ln in lines[measure.pk] if ln.value is not None]
            measure_rows.append(
                MeasureRow(
                    measure,
                    sum(ln.value for ln in got) if got else None,
                    len(got),
                    [(ln.ret.period.label, ln.evidence) for ln in lines[measure.pk] if ln.evidence],
                    verdicts.get(measure.indicator_id, "") if measure.indicator_id else "",
                )
            )
        gaps = [
            f"{r.period.label}: return {r.get_status_display().lower()}"
            + (" and late" if workflow.is_late(r, today) else "")
            for r in returns
            if r.status not in SIGNED_OFF and r.period.deadline < today
        ]
        gaps += [
            f"No approved figure for {m.measure.name}" for m in measure_rows if m.state == "gap"
        ]
        outcomes = [m for m in measure_rows if m.measure.kind == MeasureKind.OUTCOME]
        if not outcomes:
            gaps.append("No outcome declared: only activity is measured")
        gaps += [
            f"Outcome without evidence: {m.measure.name}"
            for m in outcomes
            if m.actual is not None and not m.evidence
        ]
        rows.append(
            ProjectRow(
                project,
                award,
                spend,
                [m for m in measure_rows if m.measure.kind == MeasureKind.OUTPUT],
                outcomes,
                returns,
                gaps,
            )
        )
    return rows


@dataclass
class Achieved:
    stream: FundingStream
    rows: list[ProjectRow]

    @property
    def awarded(self) -> int:
        return sum(r.award for r in self.rows)

    @property
    def spent(self) -> int:
        return sum(r.spend or 0 for r in self.rows)

    @property
    def unallocated(self) -> int:
        return self.stream.amount_pence - self.awarded

    @property
    def gaps(self) -> int:
        return sum(len(r.gaps) for r in self.rows)

    @property
    def priorities(self) -> list[str]:
        return sorted({p.name for r in self.rows for p in r.project.priorities.all()})


def achieved(*, partnership: Partnership, stream: FundingStream) -> Achieved:
    """What the stream's money bought: each project, its award and spend, outputs against
    plan, outcomes with evidence and linked indicator verdicts, and the gaps."""
    return Achieved(stream, project_rows(partnership=partnership, stream=stream))


# --- monitoring returns ----------------------------------------------------------------------


def _returns(partnership: Partnership):
    return MonitoringReturn.objects.filter(partnership=partnership).select_related(
        "project", "project__lead", "project__organisation", "period"
    )


def returns_late(*, partnership: Partnership, today: dt.date | None = None):
    """Monitoring returns still owed after the deadline, oldest first."""
    return list(
        _returns(partnership)
        .filter(**workflow.late_filter(today))
        .order_by("period__start_month", "project__name")
    )


def returns_awaiting(*, partnership: Partnership):
    return list(
        _returns(partnership)
        .filter(status=ReturnStatus.SUBMITTED)
        .order_by("period__start_month", "project__name")
    )


def returns_submitted_late(*, partnership: Partnership):
    return [r for r in _returns(partnership).filter(submitted_at__isnull=False) if r.was_late]


def returns_owed(*, partnership: Partnership, user: User):
    """The monitoring returns of the user's projects still to be submitted."""
    return list(
        _returns(partnership)
        .filter(project__lead=user, status__in=workflow.EDITABLE)
        .order_by("period__start_month", "project__name")
    )


# --- logs ------------------------------------------------------------------------------------


def communications(*, partnership: Partnership) -> list[Communication]:
    return list(Communication.objects.filter(partnership=partnership).select_related("priority"))


def activities(*, partnership: Partnership, kind: str | None = None) -> list[Activity]:
    qs = Activity.objects.filter(partnership=partnership).select_related("priority")
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs)


def reach_total(rows) -> int:
    return sum(r.reach or 0 for r in rows)


def awarded_total(*, partnership: Partnership) -> int:
    return (
        Grant.objects.filter(stream__partnership=partnership).aggregate(t=Sum("amount_pence"))["t"]
        or 0
    )
