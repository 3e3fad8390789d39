"""Every case review and call-for-action write. Each checks permission, validates, and is
audited inside its transaction. Personal fields (`models.PERSONAL_FIELDS`) never go into
the audit log: an event names which of them changed, not their values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from saferstat.analytics import casereview as rules
from saferstat.analytics.casereview_import import CaseImportError, ImportedCase, read_cases
from saferstat.analytics.errors import QueryError
from saferstat.analytics.importing import IssueCollector
from saferstat.core import audit
from saferstat.core.choices import Role
from saferstat.core.models import Membership, Partnership, User
from saferstat.core.permissions import require, require_cases
from saferstat.core.sanitise import clean_plain
from saferstat.governance import clock as governance_clock
from saferstat.governance import services as governance
from saferstat.governance.models import Body, BodyKind, Meeting, MeetingStatus

from .models import (
    PERSONAL_FIELDS,
    Appeal,
    AppealResult,
    ApplicantType,
    Application,
    CallForAction,
    CallStatus,
    CaseRecommendation,
    CaseReviewer,
    CaseReviewSettings,
    Complaint,
    Decision,
    PublishedYear,
)

ERR_REQUIRED = "Enter {what}."


def _text(value: str | None, what: str, field: str, limit: int) -> str:
    text = clean_plain(value or "").strip()
    if not text:
        raise ValidationError({field: ERR_REQUIRED.format(what=what)})
    return text[:limit]


def _plain(value: str | None, limit: int) -> str:
    return clean_plain(value or "").strip()[:limit]


def _safe(obj) -> dict:
    """A snapshot without personal fields."""
    data = audit.snapshot(obj)
    for name in PERSONAL_FIELDS:
        if name in data:
            data[name] = "(personal: not logged)"
    return data


def _record(by, verb, obj, partnership, before=None, after=None):
    audit.record(
        actor=by,
        verb=verb,
        obj=obj,
        partnership=partnership,
        before=before,
        after=after if after is not None else _safe(obj),
    )


def _not_future(day: dt.date | None, field: str, today: dt.date | None = None) -> None:
    if day is not None and day > (today or timezone.localdate()):
        raise ValidationError({field: "The date cannot be in the future."})


# ------------------------------------------------------------------ settings, reviewers


def settings_for(partnership: Partnership) -> CaseReviewSettings:
    return CaseReviewSettings.objects.filter(partnership=partnership).first() or (
        CaseReviewSettings(partnership=partnership)
    )


@transaction.atomic
def settings_update(*, partnership: Partnership, by: User, **values) -> CaseReviewSettings:
    """Set the threshold rule and timescales; checked against the law by `ThresholdRule`."""
    require(by, "casereviews.manage", partnership)
    current = settings_for(partnership)
    before = audit.snapshot(current) if current.pk else None
    for name in (
        "complaints",
        "window_months",
        "hate_complaints",
        "acknowledge_days",
        "decide_days",
        "review_days",
    ):
        if name in values:
            setattr(current, name, values[name])
    try:
        current.rule()
    except QueryError as exc:
        raise ValidationError({"complaints": str(exc)}) from None
    for name in ("acknowledge_days", "decide_days", "review_days"):
        if not 1 <= getattr(current, name) <= 60:
            raise ValidationError({name: "A timescale is 1 to 60 working days."})
    if "review_body" in values:
        current.review_body = _review_body(partnership, values["review_body"], "review_body")
    current.save()
    _record(by, "casereviews.settings", current, partnership, before, audit.snapshot(current))
    return current


@transaction.atomic
def reviewer_name(*, partnership: Partnership, by: User, user: User) -> CaseReviewer:
    """Name an analyst of the partnership as a case reviewer."""
    require(by, "casereviews.manage", partnership)
    if not Membership.objects.filter(
        user=user, partnership=partnership, role=Role.ANALYST
    ).exists():
        raise ValidationError({"user": "Choose an analyst of this partnership."})
    reviewer, _ = CaseReviewer.objects.get_or_create(partnership=partnership, user=user)
    _record(by, "casereviews.reviewer_named", reviewer, partnership)
    return reviewer


@transaction.atomic
def reviewer_remove(*, partnership: Partnership, by: User, user: User) -> None:
    require(by, "casereviews.manage", partnership)
    reviewer = CaseReviewer.objects.filter(partnership=partnership, user=user).first()
    if reviewer is None:
        raise ValidationError({"user": "That person is not a case reviewer."})
    before = audit.snapshot(reviewer)
    _record(by, "casereviews.reviewer_removed", reviewer, partnership, before, {})
    reviewer.delete()


def _review_body(partnership: Partnership, body: Body | None, field: str) -> Body | None:
    """A body of this partnership that may hold case review meetings: not the scrutiny
    committee, which scrutinises the partnership and does not review cases."""
    if body is None:
        return None
    if body.partnership_id != partnership.pk or body.kind == BodyKind.SCRUTINY:
        raise ValidationError(
            {field: "Choose a body of this partnership other than the scrutiny committee."}
        )
    return body


# --------------------------------------------------------------------- applications


@transaction.atomic
def application_create(
    *,
    partnership: Partnership,
    by: User,
    received_on: dt.date,
    applicant_type: str,
    applicant_name: str,
    applicant_contact: str = "",
    location: str = "",
    behaviour: str = "",
    ward_code: str = "",
) -> Application:
    require_cases(by, partnership)
    if applicant_type not in ApplicantType.values:
        raise ValidationError({"applicant_type": "Choose who applied."})
    _not_future(received_on, "received_on")
    application = Application.objects.create(
        partnership=partnership,
        received_on=received_on,
        applicant_type=applicant_type,
        applicant_name=_text(applicant_name, "the applicant's name", "applicant_name", 200),
        applicant_contact=_plain(applicant_contact, 300),
        location=_plain(location, 300),
        behaviour=_plain(behaviour, 6000),
        ward_code=_plain(ward_code, 12).upper(),
    )
    _record(by, "application.create", application, partnership)
    return application


def application_read(*, application: Application, by: User) -> None:
    """Record that someone opened an application (every read of personal data is logged)."""
    require_cases(by, application.partnership)
    audit.record(
        actor=by, verb="application.read", obj=application, partnership=application.partnership
    )


@transaction.atomic
def complaint_add(
    *,
    application: Application,
    by: User,
    made_on: dt.date,
    behaviour_on: dt.date,
    body: str,
    hate: bool = False,
) -> Complaint:
    require_cases(by, application.partnership)
    if application.decision:
        raise ValidationError({"made_on": "The threshold is decided: complaints are closed."})
    if behaviour_on > made_on:
        raise ValidationError({"behaviour_on": "The behaviour comes before the complaint."})
    complaint = Complaint.objects.create(
        application=application,
        made_on=made_on,
        behaviour_on=behaviour_on,
        body=_text(body, "who the complaint was made to", "body", 200),
        hate=bool(hate),
    )
    _record(by, "complaint.add", complaint, application.partnership)
    return complaint


@transaction.atomic
def application_acknowledge(*, application: Application, by: User, on: dt.date) -> Application:
    require_cases(by, application.partnership)
    if on < application.received_on:
        raise ValidationError({"on": "The acknowledgement comes after the application."})
    _not_future(on, "on")
    before = _safe(application)
    application.acknowledged_on = on
    application.save(update_fields=["acknowledged_on"])
    _record(by, "application.acknowledge", application, application.partnership, before)
    return application


def threshold_result(application: Application) -> rules.ThresholdResult:
    """The computed threshold test for an application, under its partnership's rule."""
    return rules.threshold_test(
        application.received_on,
        [c.as_rule() for c in application.complaints.all()],
        settings_for(application.partnership).rule(),
    )


@transaction.atomic
def threshold_decide(
    *, application: Application, by: User, decided_on: dt.date, met: bool, reason: str = ""
) -> Application:
    """A named officer confirms the computed result or overrides it, with a reason."""
    require_cases(by, application.partnership)
    if application.decision:
        raise ValidationError({"met": "The threshold is already decided."})
    if decided_on < application.received_on:
        raise ValidationError({"decided_on": "The decision comes after the application."})
    _not_future(decided_on, "decided_on")
    computed = threshold_result(application)
    reason = _plain(reason, 4000)
    if met != computed.met and not reason:
        raise ValidationError(
            {"reason": "Give the reason for deciding differently from the threshold test."}
        )
    before = _safe(application)
    application.computed_met = computed.met
    application.decision = Decision.MET if met else Decision.NOT_MET
    application.decided_on = decided_on
    application.decided_by = by
    application.decision_reason = reason or computed.summary
    application.save()
    _record(by, "application.decide", application, application.partnership, before)
    return application


#: The agenda item of a review meeting names the case by reference only: members who see
#: confidential items but have no casework access (Board members, leads) learn nothing
#: the action log does not already say, and the public and scrutiny members see nothing.
REVIEW_ITEM_TITLE = "ASB case review {reference} (exempt: details with the case reviewers)"


@transaction.atomic
def review_meeting_schedule(
    *,
    application: Application,
    by: User,
    body: Body | None = None,
    starts_at: dt.datetime | None = None,
    location: str = "",
    meeting: Meeting | None = None,
) -> Meeting:
    """Hold the case review at a governance meeting: a new meeting of `body` (the
    partnership's review body by default) at `starts_at`, or an existing planned `meeting`.
    The case goes on its agenda as a confidential (exempt) item linked to the case page,
    through the governance services; the case's details stay on the case."""
    partnership = application.partnership
    require_cases(by, partnership)
    if application.decision != Decision.MET:
        raise ValidationError(
            {"starts_at": "A review meeting follows a decision that the threshold is met."}
        )
    if application.review_item_id or application.review_on:
        raise ValidationError({"starts_at": "The review meeting is already arranged."})
    if meeting is not None:
        if meeting.partnership_id != partnership.pk:
            raise ValidationError({"meeting": "Choose a meeting of this partnership."})
        _review_body(partnership, meeting.body, "meeting")
        if meeting.status != MeetingStatus.PLANNED:
            raise ValidationError({"meeting": "Choose a meeting that is still planned."})
        if meeting.date < application.decided_on:
            raise ValidationError({"meeting": "The review comes after the threshold decision."})
    else:
        body = _review_body(partnership, body or settings_for(partnership).review_body, "body")
        if body is None:
            raise ValidationError({"body": "Choose the body that holds the review meeting."})
        if starts_at is None:
            raise ValidationError({"starts_at": "Enter the date and time of the meeting."})
        if timezone.is_naive(starts_at):
            starts_at = timezone.make_aware(starts_at, governance_clock.LONDON)
        if governance_clock.london_date(starts_at) < application.decided_on:
            raise ValidationError({"starts_at": "The review comes after the threshold decision."})
        meeting = governance.meeting_create(
            body=body, by=by, starts_at=starts_at, location=location
        )
    item = governance.agenda_item_add(
        meeting=meeting,
        by=by,
        title=REVIEW_ITEM_TITLE.format(reference=application.reference),
        confidential=True,
        link=reverse(
            "casereviews:case_detail",
            kwargs={"slug": partnership.slug, "application_id": application.pk},
        ),
    )
    before = _safe(application)
    application.review_item = item
    application.save(update_fields=["review_item"])
    _record(by, "application.review_meeting", application, partnership, before)
    return meeting


@transaction.atomic
def review_record(
    *,
    application: Application,
    by: User,
    review_on: dt.date,
    agencies: str,
    outcome: str = "",
) -> Application:
    """The multi-agency review: when, which agencies, the outcome. When the review meeting
    is a governance meeting it was held on that meeting's date, and the meeting is marked
    held (governance services). The outcome stays on the case, never in the minutes."""
    require_cases(by, application.partnership)
    if application.decision != Decision.MET:
        raise ValidationError(
            {"review_on": "A review follows a decision that the threshold is met."}
        )
    if review_on < application.decided_on:
        raise ValidationError({"review_on": "The review comes after the threshold decision."})
    _not_future(review_on, "review_on")
    meeting = application.review_meeting
    if meeting is not None and review_on != meeting.date:
        raise ValidationError(
            {
                "review_on": f"The review meeting was arranged for {meeting.date:%d %B %Y}: "
                "record the review on that date."
            }
        )
    before = _safe(application)
    application.review_on = review_on
    application.review_agencies = _text(agencies, "the agencies at the review", "agencies", 500)
    application.review_outcome = _plain(outcome, 6000)
    application.save()
    _record(by, "application.review", application, application.partnership, before)
    if (
        meeting is not None
        and meeting.status == MeetingStatus.PLANNED
        and meeting.starts_at <= timezone.now()
    ):
        governance.meeting_set_status(meeting=meeting, by=by, status=MeetingStatus.HELD)
    return application


@transaction.atomic
def recommendation_add(
    *,
    application: Application,
    by: User,
    text: str,
    due_date: dt.date,
    owner: User | None = None,
    owner_role: str = "",
) -> CaseRecommendation:
    """A review's recommendation, delivered as a governance action. The action's title
    names the case by reference only: the action log is read by every member."""
    partnership = application.partnership
    require_cases(by, partnership)
    if application.review_on is None:
        raise ValidationError({"text": "Record the review meeting first."})
    text = _text(text, "the recommendation", "text", 4000)
    number = (application.recommendations.aggregate(n=Max("number"))["n"] or 0) + 1
    action = governance.action_create(
        partnership=partnership,
        by=by,
        title=f"ASB case review {application.reference}: recommendation {number} "
        "(details with the case reviewers)",
        due_date=due_date,
        owner=owner,
        owner_role=owner_role,
        priority="ASB case review",
        meeting=application.review_meeting,
    )
    rec = CaseRecommendation.objects.create(
        application=application, number=number, text=text, action=action
    )
    _record(by, "case_recommendation.add", rec, partnership)
    return rec


@transaction.atomic
def applicant_informed(*, application: Application, by: User, on: dt.date) -> Application:
    """The outcome letter was sent to the applicant."""
    require_cases(by, application.partnership)
    if not application.decision:
        raise ValidationError({"on": "Decide the threshold first."})
    if on < application.decided_on:
        raise ValidationError({"on": "The letter comes after the decision."})
    _not_future(on, "on")
    before = _safe(application)
    application.informed_on = on
    application.save(update_fields=["informed_on"])
    _record(by, "application.informed", application, application.partnership, before)
    return application


@transaction.atomic
def appeal_lodge(*, application: Application, by: User, lodged_on: dt.date, grounds: str) -> Appeal:
    require_cases(by, application.partnership)
    if not application.decision:
        raise ValidationError({"lodged_on": "An appeal follows a decision."})
    if Appeal.objects.filter(application=application).exists():
        raise ValidationError({"lodged_on": "An appeal is already recorded."})
    if lodged_on < application.decided_on:
        raise ValidationError({"lodged_on": "The appeal comes after the decision."})
    _not_future(lodged_on, "lodged_on")
    appeal = Appeal.objects.create(
        application=application,
        lodged_on=lodged_on,
        grounds=_text(grounds, "the grounds of the appeal", "grounds", 4000),
    )
    _record(
        by,
        "appeal.lodge",
        appeal,
        application.partnership,
        after=audit.snapshot(appeal, ["lodged_on"]),
    )
    return appeal


@transaction.atomic
def appeal_decide(
    *, appeal: Appeal, by: User, decided_on: dt.date, result: str, outcome: str = ""
) -> Appeal:
    partnership = appeal.application.partnership
    require_cases(by, partnership)
    if appeal.result:
        raise ValidationError({"result": "The appeal is already decided."})
    if result not in AppealResult.values:
        raise ValidationError({"result": "Choose the appeal's result."})
    if decided_on < appeal.lodged_on:
        raise ValidationError({"decided_on": "The decision comes after the appeal."})
    _not_future(decided_on, "decided_on")
    appeal.result = result
    appeal.decided_on = decided_on
    appeal.outcome = _plain(outcome, 4000)
    appeal.save()
    _record(
        by,
        "appeal.decide",
        appeal,
        partnership,
        after=audit.snapshot(appeal, ["result", "decided_on"]),
    )
    return appeal


# ----------------------------------------------------------------- published figures


@transaction.atomic
def year_publish(*, partnership: Partnership, by: User, year: str) -> PublishedYear:
    """Publish a financial year's four figures (disclosure-controlled, computed, never
    typed). Only a year that has ended may be published."""
    require(by, "casereviews.manage", partnership)
    try:
        start = int(year[:4])
        if year != rules.fy_text(start):
            raise ValueError
    except ValueError:
        raise ValidationError({"year": "Enter a financial year such as 2024/25."}) from None
    if dt.date(start + 1, 4, 1) > timezone.localdate():
        raise ValidationError({"year": "A year can be published once it has ended."})
    published, _ = PublishedYear.objects.get_or_create(partnership=partnership, year=year)
    _record(by, "casereviews.publish", published, partnership, after=audit.snapshot(published))
    return published


@transaction.atomic
def year_unpublish(*, partnership: Partnership, by: User, year: str) -> None:
    require(by, "casereviews.manage", partnership)
    published = PublishedYear.objects.filter(partnership=partnership, year=year).first()
    if published is None:
        raise ValidationError({"year": "That year is not published."})
    _record(by, "casereviews.unpublish", published, partnership, audit.snapshot(published), {})
    published.delete()


# ------------------------------------------------------------------ calls for action


@transaction.atomic
def call_create(
    *,
    partnership: Partnership,
    by: User,
    ward: str,
    councillor: str,
    topic: str,
    matter: str,
    raised_on: dt.date,
) -> CallForAction:
    require(by, "calls.manage", partnership)
    _not_future(raised_on, "raised_on")
    call = CallForAction.objects.create(
        partnership=partnership,
        ward=_text(ward, "the ward", "ward", 100),
        councillor=_text(councillor, "the councillor", "councillor", 200),
        topic=_text(topic, "the topic", "topic", 300),
        matter=_text(matter, "the matter", "matter", 4000),
        raised_on=raised_on,
    )
    _record(by, "call.create", call, partnership, after=audit.snapshot(call))
    return call


@transaction.atomic
def call_respond(
    *, call: CallForAction, by: User, response: str, responded_on: dt.date
) -> CallForAction:
    """The councillor's response: what action, if any, they propose (s.19(3))."""
    require(by, "calls.manage", call.partnership)
    if call.status != CallStatus.OPEN:
        raise ValidationError({"response": "The response is already recorded."})
    if responded_on < call.raised_on:
        raise ValidationError({"responded_on": "The response comes after the call."})
    _not_future(responded_on, "responded_on")
    before = audit.snapshot(call)
    call.response = _text(response, "the councillor's response", "response", 4000)
    call.responded_on = responded_on
    call.status = CallStatus.RESPONDED
    call.save()
    _record(by, "call.respond", call, call.partnership, before, audit.snapshot(call))
    return call


@transaction.atomic
def call_refer(
    *, call: CallForAction, by: User, committee: Body, meeting: Meeting | None = None
) -> CallForAction:
    """Refer the call to the crime and disorder committee: a topic on its work programme
    (the governance work programme), optionally planned for one of its meetings."""
    partnership = call.partnership
    require(by, "calls.manage", partnership)
    if committee.partnership_id != partnership.pk or committee.kind != BodyKind.SCRUTINY:
        raise ValidationError({"committee": "Choose this partnership's scrutiny committee."})
    if call.status not in (CallStatus.OPEN, CallStatus.RESPONDED):
        raise ValidationError({"committee": "The call is already referred or closed."})
    before = audit.snapshot(call)
    item = governance.work_programme_add(
        body=committee,
        by=by,
        topic=f"Councillor call for action: {call.topic}"[:300],
        source=f"{call.councillor}, {call.ward} ward, raised {call.raised_on:%d %B %Y}",
        meeting=meeting,
    )
    call.committee_item = item
    call.status = CallStatus.REFERRED
    call.save()
    _record(by, "call.refer", call, partnership, before, audit.snapshot(call))
    return call


@transaction.atomic
def call_close(*, call: CallForAction, by: User, outcome: str, closed_on: dt.date) -> CallForAction:
    require(by, "calls.manage", call.partnership)
    if call.status == CallStatus.CLOSED:
        raise ValidationError({"outcome": "The call is already closed."})
    if closed_on < call.raised_on:
        raise ValidationError({"closed_on": "The call closes after it was raised."})
    _not_future(closed_on, "closed_on")
    before = audit.snapshot(call)
    call.outcome = _text(outcome, "the outcome", "outcome", 4000)
    call.closed_on = closed_on
    call.status = CallStatus.CLOSED
    call.save()
    _record(by, "call.close", call, call.partnership, before, audit.snapshot(call))
    return call


# ----------------------------------------------------------------- importing cases

#: A service's field -> the import file's column, for row-level errors.
_IMPORT_FIELDS = {
    "applicant_name": "Applicant's name",
    "applicant_type": "Who applied",
    "received_on": "Date received",
    "on": "Acknowledged on",
    "decided_on": "Decided on",
    "met": "Decision",
    "reason": "Decision reason",
    "review_on": "Review on",
    "agencies": "Review agencies",
    "made_on": "Complaint made on",
    "behaviour_on": "Complaint behaviour on",
    "body": "Complaint made to",
}


def _import_case(partnership: Partnership, by: User, case: ImportedCase) -> Application:
    """Record one checked row through the same services as the pages (each audited)."""
    application = application_create(
        partnership=partnership,
        by=by,
        received_on=case.received_on,
        applicant_type=case.applicant_type,
        applicant_name=case.applicant_name,
        applicant_contact=case.applicant_contact,
        location=case.location,
        behaviour=case.behaviour,
        ward_code=case.ward_code,
    )
    for c in case.complaints:
        complaint_add(
            application=application,
            by=by,
            made_on=c.made_on,
            behaviour_on=c.behaviour_on,
            body=c.body,
            hate=c.hate,
        )
    if case.acknowledged_on:
        application_acknowledge(application=application, by=by, on=case.acknowledged_on)
    if case.decision is not None:
        threshold_decide(
            application=application,
            by=by,
            decided_on=case.decided_on,
            met=case.decision,
            reason=case.decision_reason,
        )
    if case.review_on:
        review_record(
            application=application,
            by=by,
            review_on=case.review_on,
            agencies=case.review_agencies,
            outcome=case.review_outcome,
        )
    if case.informed_on:
        applicant_informed(application=application, by=by, on=case.informed_on)
    return application


@transaction.atomic
def cases_import(
    *, partnership: Partnership, by: User, path, name: str, today: dt.date | None = None
) -> list[Application]:
    """Import the case reviews a partnership already holds from a CSV or XLSX file.

    Every row is checked first (`analytics.casereview_import.read_cases`), then recorded
    through the services the pages use; a service's refusal becomes a row-level error too.
    Any error refuses the whole file: nothing is stored (`CaseImportError`, every problem
    as ``file:line: column: reason``)."""
    require_cases(by, partnership)
    cases = read_cases(path, name=name, today=today or timezone.localdate())
    issues = IssueCollector(Path(name).name, 200, CaseImportError, by_line=True)
    created = []
    for case in cases:
        try:
            with transaction.atomic():
                created.append(_import_case(partnership, by, case))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    issues.add(case.line, _IMPORT_FIELDS.get(field, field), error)
    if issues.total:
        raise issues.error()  # leaves the outer transaction: nothing of the file is kept
    audit.record(
        actor=by,
        verb="casereviews.import",
        obj=partnership,
        partnership=partnership,
        after={"file": Path(name).name, "cases": [a.reference for a in created]},
    )
    return created
