"""Reads for case reviews and calls for action. Every selector takes the partnership, so
another partnership's records are "not found"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count
from django.http import Http404

from saferstat.analytics import casereview as rules
from saferstat.analytics.errors import NoDataError
from saferstat.core.choices import Role
from saferstat.core.models import Partnership, User
from saferstat.governance import selectors as governance
from saferstat.governance.models import BodyKind, Meeting, MeetingStatus

from .models import Application, CallForAction, CaseReviewer, PublishedYear
from .services import settings_for


def application_list(partnership: Partnership):
    return Application.objects.filter(partnership=partnership).prefetch_related("complaints")


def application_get(partnership: Partnership, application_id: int) -> Application:
    application = (
        Application.objects.filter(partnership=partnership, pk=application_id)
        .select_related("decided_by", "review_item__meeting__body")
        .first()
    )
    if application is None:
        raise Http404("No such case review")
    return application


def timetable_for(application: Application, today: dt.date) -> list[rules.Milestone]:
    return rules.timetable(
        application.received_on,
        today,
        acknowledged_on=application.acknowledged_on,
        decided_on=application.decided_on,
        threshold_met=application.threshold_met,
        review_on=application.review_on,
        timescales=settings_for(application.partnership).timescales(),
    )


@dataclass(frozen=True)
class CaseRow:
    application: Application
    milestones: list[rules.Milestone]

    @property
    def next(self) -> rules.Milestone | None:
        return next((m for m in self.milestones if m.done_on is None), None)

    @property
    def late(self) -> bool:
        return any(m.state == rules.LATE for m in self.milestones)


@dataclass(frozen=True)
class ReviewMeeting:
    """The case's review meeting (a governance meeting) against the timeline's deadline."""

    meeting: Meeting
    due: dt.date | None  # the "review meeting" milestone's due date
    late_by: int  # working days after the deadline (0: on or before it)

    @property
    def on_time(self) -> bool:
        return self.late_by == 0


def review_meeting_for(
    application: Application, milestones: list[rules.Milestone]
) -> ReviewMeeting | None:
    meeting = application.review_meeting
    if meeting is None:
        return None
    due = next((m.due for m in milestones if m.key == "review"), None)
    late_by = max(0, rules.working_days_between(due, meeting.date)) if due else 0
    return ReviewMeeting(meeting, due, late_by)


def review_bodies(partnership: Partnership):
    """Bodies that may hold case review meetings (not the scrutiny committee)."""
    return governance.body_list(partnership).exclude(kind=BodyKind.SCRUTINY)


def review_meetings_planned(partnership: Partnership):
    """Planned meetings of those bodies, soonest first: a review may join one."""
    return (
        governance.meeting_list(partnership)
        .filter(status=MeetingStatus.PLANNED)
        .exclude(body__kind=BodyKind.SCRUTINY)
        .order_by("starts_at")
    )


def case_rows(partnership: Partnership, today: dt.date) -> list[CaseRow]:
    return [CaseRow(a, timetable_for(a, today)) for a in application_list(partnership)]


def year_figures(partnership: Partnership) -> list[rules.YearFigures]:
    """The four statutory figures per financial year, computed from the records."""
    rows = Application.objects.filter(partnership=partnership).annotate(
        n_recs=Count("recommendations")
    )
    facts = [rules.CaseFacts(a.received_on, a.threshold_met, a.review_on, a.n_recs) for a in rows]
    return rules.yearly_figures(facts)


def published_years(partnership: Partnership) -> set[str]:
    return set(PublishedYear.objects.filter(partnership=partnership).values_list("year", flat=True))


def call_list(partnership: Partnership):
    return CallForAction.objects.filter(partnership=partnership).select_related("committee_item")


def call_get(partnership: Partnership, call_id: int) -> CallForAction:
    call = call_list(partnership).filter(pk=call_id).first()
    if call is None:
        raise Http404("No such call for action")
    return call


def reviewers(partnership: Partnership):
    return CaseReviewer.objects.filter(partnership=partnership).select_related("user")


def reminder_recipients(partnership: Partnership) -> list[str]:
    """Emails of those who handle cases: the admins and the named case reviewers."""
    admins = User.objects.filter(
        memberships__partnership=partnership, memberships__role=Role.ADMIN, is_active=True
    )
    named = User.objects.filter(
        pk__in=reviewers(partnership).values("user_id"),
        memberships__partnership=partnership,
        memberships__role=Role.ANALYST,
        is_active=True,
    )
    return sorted({u.email for u in [*admins, *named] if u.email})


# ------------------------------------------------------------------ the ward map


def partnership_wards(partnership: Partnership) -> list[tuple[str, str]]:
    """(code, name) of every ward of the partnership's area, from the ONS lookup in the
    warehouse (`measures.ward_populations`, the analytics ward helper). Raises
    `NoDataError` when the lookup is not loaded: the map never guesses the wards."""
    from saferstat.analytics import measures
    from saferstat.intelligence import figures

    if not figures.warehouse_is_ready():
        raise NoDataError("No ONS ward lookup loaded: the ward map needs it.")
    with figures.connect_for(partnership) as con:
        rows = measures.ward_populations(con, partnership.lad_codes)
    if not rows:
        raise NoDataError("No ONS ward lookup loaded for this area: the ward map needs it.")
    return [(code, name) for code, name, _population in rows]


def map_years(partnership: Partnership) -> list[str]:
    """Financial years with applications, latest first (the map counts by date received)."""
    days = application_list(partnership).values_list("received_on", flat=True)
    return sorted({rules.fy_text(rules.fy_start(d)) for d in days}, reverse=True)


def ward_counts(partnership: Partnership, year: str | None) -> rules.WardCounts:
    """Applications received per ward (in financial year `year`, or all years)."""
    qs = Application.objects.filter(partnership=partnership)
    if year:
        start = int(year[:4])
        qs = qs.filter(
            received_on__gte=dt.date(start, 4, 1), received_on__lt=dt.date(start + 1, 4, 1)
        )
    codes = list(qs.values_list("ward_code", flat=True))
    return rules.ward_counts(codes, partnership_wards(partnership))


def ward_boundaries() -> Path:
    """The ward boundaries the explorer's ward map draws."""
    from saferstat.intelligence.explorer.query import _boundaries

    return _boundaries("ward")
