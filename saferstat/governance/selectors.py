"""Every governance read. Each takes the partnership it reads for, so nothing of another
partnership can come back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from saferstat.core.models import Partnership
from saferstat.core.permissions import can, can_view_meeting
from saferstat.intelligence.models import DataRequest, RequestStatus

from . import clock
from .models import (
    Action,
    ActionStatus,
    AgendaItem,
    Attendance,
    Body,
    BodyKind,
    DhrStatus,
    DomesticHomicideReview,
    GovernanceSettings,
    JobRun,
    Meeting,
    MeetingStatus,
    Paper,
    Recommendation,
    Resolution,
    Seat,
    StatutoryDuty,
    WorkProgrammeItem,
)


def _get(qs: QuerySet, pk, what: str):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {what}") from None


def settings_for(partnership: Partnership) -> GovernanceSettings:
    """The partnership's governance settings, or the defaults (unsaved) when it has none."""
    found = GovernanceSettings.objects.filter(partnership=partnership).first()
    return found or GovernanceSettings(partnership=partnership)


def body_list(partnership: Partnership) -> QuerySet[Body]:
    return Body.objects.filter(partnership=partnership)


def body_get(partnership: Partnership, body_id) -> Body:
    return _get(body_list(partnership), body_id, "body")


def meeting_list(partnership: Partnership, body: Body | None = None) -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(partnership=partnership).select_related("body")
    return qs.filter(body=body) if body is not None else qs


def meeting_get(partnership: Partnership, meeting_id) -> Meeting:
    return _get(meeting_list(partnership), meeting_id, "meeting")


def seat_get(partnership: Partnership, seat_id) -> Seat:
    return _get(
        Seat.objects.filter(body__partnership=partnership).select_related("body"), seat_id, "seat"
    )


def resolution_get(partnership: Partnership, resolution_id) -> Resolution:
    return _get(
        Resolution.objects.filter(meeting__partnership=partnership).select_related(
            "meeting__body", "item"
        ),
        resolution_id,
        "resolution",
    )


def work_programme_get(partnership: Partnership, wp_id) -> WorkProgrammeItem:
    return _get(
        WorkProgrammeItem.objects.filter(body__partnership=partnership).select_related(
            "body", "meeting"
        ),
        wp_id,
        "work programme topic",
    )


def agenda_notice(meeting: Meeting) -> dict:
    """The agenda's notice for a meeting of a public body: the last day to publish it with
    the partnership's clear working days, when it was published, and whether in time."""
    days = settings_for(meeting.partnership).agenda_notice_days
    publish_by = clock.agenda_publish_by(meeting.date, days)
    published = meeting.agenda_published_on
    return {
        "days": days,
        "publish_by": publish_by,
        "published_on": published,
        "late": (published or clock.london_date(timezone.now())) > publish_by
        if meeting.status == MeetingStatus.PLANNED or published
        else False,
    }


def item_get(partnership: Partnership, item_id) -> AgendaItem:
    return _get(
        AgendaItem.objects.filter(meeting__partnership=partnership).select_related(
            "meeting__body", "data_request"
        ),
        item_id,
        "agenda item",
    )


def paper_get(partnership: Partnership, paper_id) -> Paper:
    return _get(
        Paper.objects.filter(item__meeting__partnership=partnership).select_related(
            "item__meeting__body", "item__meeting__partnership"
        ),
        paper_id,
        "paper",
    )


def paper_visible(user, paper: Paper) -> bool:
    """A paper is seen by whoever sees its item: a confidential item's papers only by those
    allowed to see confidential items (never the public); the others by whoever may see
    the meeting (members; everyone once a public body's minutes are approved)."""
    meeting = paper.item.meeting
    if paper.item.confidential:
        return sees_confidential(user, meeting.partnership)
    return can_view_meeting(user, meeting)


def public_bodies(partnership: Partnership) -> QuerySet[Body]:
    return Body.objects.filter(partnership=partnership, meets_in_public=True)


def public_meetings(partnership: Partnership, body: Body | None = None) -> QuerySet[Meeting]:
    """Meetings of the bodies that meet in public: their dates are public; their pages are
    public once the agenda is published or the minutes approved (`Meeting.is_public`)."""
    return meeting_list(partnership, body).filter(body__meets_in_public=True)


def feed_meetings(partnership: Partnership, user, body: Body | None = None) -> QuerySet[Meeting]:
    """The meetings an iCalendar feed lists for this person: members every body's, everyone
    else those of bodies that meet in public."""
    if can(user, "governance.view", partnership):
        qs = meeting_list(partnership, body)
    else:
        qs = public_meetings(partnership, body)
    return qs.prefetch_related("items").order_by("starts_at", "id")


def sees_confidential(user, partnership: Partnership) -> bool:
    return can(user, "governance.view_confidential", partnership)


def agenda_for(meeting: Meeting, user) -> list[AgendaItem]:
    """The meeting's agenda as this person may see it: confidential (exempt) items only for
    those allowed to see them, never for the public."""
    qs = meeting.items.select_related("data_request").prefetch_related("papers")
    if not sees_confidential(user, meeting.partnership):
        qs = qs.filter(confidential=False)
    return list(qs)


def resolutions_for(meeting: Meeting, user) -> list[Resolution]:
    qs = meeting.resolutions.select_related("item")
    if not sees_confidential(user, meeting.partnership):
        qs = qs.filter(Q(item__isnull=True) | Q(item__confidential=False))
    return list(qs)


def attendance_for(meeting: Meeting) -> list[tuple]:
    """(seat, attendance record or None) for every seat of the body, in table order."""
    records = {a.seat_id: a for a in meeting.attendance.all()}
    return [(seat, records.get(seat.pk)) for seat in meeting.body.seats.filter(active=True)]


def carried_forward(meeting: Meeting) -> list[Action]:
    """Open actions from the body's earlier meetings: the next agenda's action log review.
    Each carries `overdue_at_meeting` (due before the meeting's date)."""
    actions = list(
        Action.objects.filter(
            partnership=meeting.partnership,
            meeting__body=meeting.body,
            meeting__starts_at__lt=meeting.starts_at,
        )
        .filter(Q(status=ActionStatus.OPEN) | Q(done_on__gte=meeting.date))
        .select_related("owner", "owner_organisation", "meeting")
    )
    for action in actions:
        action.overdue_at_meeting = action.due_date < meeting.date
    return actions


def actions_of_meeting(meeting: Meeting) -> QuerySet[Action]:
    return meeting.actions.select_related("owner", "owner_organisation", "resolution")


def action_list(
    partnership: Partnership,
    *,
    today: dt.date,
    owner=None,
    state: str | None = None,
    body: Body | None = None,
) -> QuerySet[Action]:
    """The action log, filtered by owner, state (open, overdue, done) and body."""
    qs = Action.objects.filter(partnership=partnership).select_related(
        "owner", "owner_organisation", "meeting__body"
    )
    if owner is not None:
        qs = qs.filter(owner=owner)
    if body is not None:
        qs = qs.filter(meeting__body=body)
    if state == clock.OPEN:
        qs = qs.filter(status=ActionStatus.OPEN)
    elif state == clock.OVERDUE:
        qs = qs.filter(status=ActionStatus.OPEN, due_date__lt=today)
    elif state == clock.DONE:
        qs = qs.filter(status=ActionStatus.DONE)
    return qs


def action_get(partnership: Partnership, action_id) -> Action:
    return _get(
        Action.objects.filter(partnership=partnership).select_related(
            "owner", "owner_organisation", "meeting__body", "resolution"
        ),
        action_id,
        "action",
    )


def action_log_rows(actions, today: dt.date) -> tuple[list[str], list[list]]:
    """The action log as a table for downloads."""
    header = ["Action", "Owner", "Body", "Meeting", "Priority", "Due", "Status", "Done on"]
    rows = [
        [
            a.title,
            a.owner_label,
            a.meeting.body.name if a.meeting else "",
            a.meeting.date if a.meeting else None,
            a.priority,
            a.due_date,
            a.state(today),
            a.done_on,
        ]
        for a in actions
    ]
    return header, rows


def recommendation_list(partnership: Partnership, *, state: str | None = None, today=None):
    qs = Recommendation.objects.filter(partnership=partnership).select_related(
        "to_organisation", "meeting__body"
    )
    recs = list(qs)
    if state == "outstanding":
        recs = [r for r in recs if r.responded_on is None]
    elif state == "late":
        recs = [r for r in recs if r.clock(today).overdue]
    return recs


def recommendation_get(partnership: Partnership, rec_id) -> Recommendation:
    return _get(
        Recommendation.objects.filter(partnership=partnership).select_related(
            "to_organisation", "meeting__body"
        ),
        rec_id,
        "recommendation",
    )


def financial_years_of(body: Body) -> list[int]:
    """Financial years (first calendar year) in which the body met, newest first."""
    years = {m.date for m in body.meetings.all()}
    return sorted({clock.financial_year_of(d) for d in years}, reverse=True)


def attendance_table(body: Body, start_year: int) -> clock.AttendanceTable:
    """The body's attendance table for a financial year (seed 004), from the records."""
    first, last = clock.financial_year_bounds(start_year)
    seats = list(body.seats.all())
    labels = [s.label for s in seats]
    meetings = [
        m for m in body.meetings.exclude(status=MeetingStatus.PLANNED) if first <= m.date <= last
    ]
    codes: dict[int, dict[str, str]] = {m.pk: {} for m in meetings}
    for record in Attendance.objects.filter(meeting__in=meetings).select_related("seat"):
        codes[record.meeting_id][record.seat.label] = record.status
    return clock.attendance_table(labels, [(m.date, codes[m.pk]) for m in meetings])


def attendance_rows(table: clock.AttendanceTable) -> tuple[list[str], list[list]]:
    """The attendance table for downloads: one row per meeting, then the rates."""
    header = ["Date", *table.seats]
    rows: list[list] = [[day, *codes] for day, codes in table.rows]
    rows.append(
        ["Attendance rate", *[round(r * 100) if r is not None else None for r in table.rates]]
    )
    return header, rows


@dataclass
class DhrRow:
    """A domestic homicide review with its next deadline ("decision" or "report") and its
    state on a day (overdue, due_soon, on_track; "" when nothing is due)."""

    review: DomesticHomicideReview
    deadline_kind: str
    due: dt.date | None
    state: str


def dhr_list(partnership: Partnership) -> QuerySet[DomesticHomicideReview]:
    """The partnership's domestic homicide reviews (confidential: callers check
    `governance.dhr`)."""
    return DomesticHomicideReview.objects.filter(partnership=partnership)


def dhr_get(partnership: Partnership, dhr_id) -> DomesticHomicideReview:
    return _get(dhr_list(partnership), dhr_id, "review")


def dhr_rows(partnership: Partnership, today: dt.date) -> list[DhrRow]:
    """Every review with its next deadline from the partnership's settings."""
    current = settings_for(partnership)
    rows = []
    for review in dhr_list(partnership):
        deadline = clock.dhr_deadline(
            review.status,
            review.notified_on,
            review.decision_on,
            current.dhr_decision_months,
            current.dhr_report_months,
        )
        if deadline is None:
            rows.append(DhrRow(review, "", None, ""))
        else:
            kind, due = deadline
            rows.append(DhrRow(review, kind, due, clock.duty_state(due, today)))
    return rows


@dataclass
class DhrSummary:
    """The statutory calendar's line for domestic homicide reviews."""

    in_progress: int  # reviews being held
    awaiting_decision: int  # notified, no decision yet
    late: list[DhrRow]
    next_row: DhrRow | None  # the open review with the earliest deadline


def dhr_summary(partnership: Partnership, today: dt.date) -> DhrSummary:
    rows = [r for r in dhr_rows(partnership, today) if r.due is not None]
    rows.sort(key=lambda r: r.due)
    statuses = [r.review.status for r in rows]
    return DhrSummary(
        in_progress=statuses.count(DhrStatus.IN_PROGRESS),
        awaiting_decision=len(statuses) - statuses.count(DhrStatus.IN_PROGRESS),
        late=[r for r in rows if r.state == clock.OVERDUE],
        next_row=rows[0] if rows else None,
    )


@dataclass
class DutyRow:
    duty: StatutoryDuty
    last_met: dt.date | None
    last_met_source: str
    due: dt.date | None
    state: str
    #: The domestic homicide reviews line: its summary, None for other duties and for those
    #: who may not see reviews (`governance.dhr`); then the line shows no figures.
    dhr: DhrSummary | None = None


def _last_scrutiny(partnership: Partnership) -> dt.date | None:
    meeting = (
        Meeting.objects.filter(
            partnership=partnership,
            body__kind=BodyKind.SCRUTINY,
            status__in=[MeetingStatus.HELD, MeetingStatus.APPROVED],
        )
        .order_by("-starts_at")
        .first()
    )
    return meeting.date if meeting else None


def duty_rows(partnership: Partnership, today: dt.date, *, dhr: bool = False) -> list[DutyRow]:
    """The statutory calendar: each duty with when it was last met, when it is next due and
    its state. Scrutiny is met by the latest scrutiny meeting held (or a date entered).
    Domestic homicide reviews are computed from the register: the next deadline of an open
    review; only when `dhr` (the reader may see reviews), otherwise the line is
    "confidential" with no figures."""
    rows = []
    scrutiny = _last_scrutiny(partnership)
    for duty in StatutoryDuty.objects.filter(partnership=partnership):
        if duty.key == "dhr":
            rows.append(_dhr_duty_row(partnership, duty, today, dhr))
            continue
        last, source = duty.last_met, "entered"
        if duty.key == "scrutiny" and scrutiny and (last is None or scrutiny > last):
            last, source = scrutiny, "meeting"
        due = clock.next_due(last, duty.cycle_months, duty.first_due)
        state = clock.duty_state(due, today) if duty.applies else "not_applicable"
        rows.append(DutyRow(duty, last, source, due, state))
    return rows


def _dhr_duty_row(partnership, duty: StatutoryDuty, today: dt.date, visible: bool) -> DutyRow:
    if not visible:
        return DutyRow(duty, None, "", None, "confidential")
    summary = dhr_summary(partnership, today)
    if not duty.applies:
        return DutyRow(duty, None, "", None, "not_applicable", summary)
    due = summary.next_row.due if summary.next_row else None
    state = clock.duty_state(due, today) if due else "none_open"
    return DutyRow(duty, None, "register", due, state, summary)


def duties_needing_attention(
    partnership: Partnership, today: dt.date, *, dhr: bool = False
) -> list[DutyRow]:
    """Duties overdue or due within 30 days: they show on the partnership's home page (the
    domestic homicide reviews line only to those who may see reviews)."""
    return [
        r
        for r in duty_rows(partnership, today, dhr=dhr)
        if r.state in (clock.OVERDUE, clock.DUE_SOON)
    ]


def duties_missing(partnership: Partnership, keys) -> list[str]:
    """Keys of the statutory calendar's duties the partnership has not set up yet."""
    have = set(StatutoryDuty.objects.filter(partnership=partnership).values_list("key", flat=True))
    return [k for k in keys if k not in have]


def duty_get(partnership: Partnership, duty_id) -> StatutoryDuty:
    return _get(StatutoryDuty.objects.filter(partnership=partnership), duty_id, "duty")


def job_runs(partnership: Partnership) -> QuerySet[JobRun]:
    return JobRun.objects.filter(partnership=partnership)


def linkable_requests(partnership: Partnership) -> QuerySet[DataRequest]:
    """Members' data requests a meeting's agenda may take up: open ones first."""
    return (
        DataRequest.objects.filter(partnership=partnership)
        .order_by("-status", "due_date")
        .exclude(status=RequestStatus.CLOSED)
    )
