"""Every governance write. Each checks permission, validates, and is audited inside its
transaction (saferstat.core.audit.record)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone

from saferstat.core import audit, documents
from saferstat.core.models import Membership, Organisation, Partnership, User
from saferstat.core.permissions import can_update_action, require
from saferstat.core.sanitise import clean_plain, clean_rich_text
from saferstat.intelligence.files import upload_discard, upload_kept

from . import clock
from .models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Body,
    BodyKind,
    DhrDecision,
    DhrStatus,
    DomesticHomicideReview,
    GovernanceSettings,
    Meeting,
    MeetingStatus,
    Paper,
    Recommendation,
    Resolution,
    ResolutionKind,
    ResponseKind,
    Seat,
    StatutoryDuty,
    WorkProgrammeItem,
)

ERR_REQUIRED = "Enter {what}."
ERR_ORG = "Choose an organisation of this partnership."
ERR_USER = "Choose a member of this partnership."
ERR_STATUS_ORDER = "A meeting goes from planned to held to minutes approved, in that order."
ERR_SUBSTITUTE = "Name the substitute who attended for {seat}."
ERR_LINK = "Link to a page of this partnership: the address starts {prefix}"


def _text(value: str | None, what: str, field: str, limit: int) -> str:
    text = clean_plain(value or "").strip()
    if not text:
        raise ValidationError({field: ERR_REQUIRED.format(what=what)})
    return text[:limit]


def _org(partnership: Partnership, org: Organisation | None, field: str) -> Organisation | None:
    if org is not None and org.partnership_id != partnership.pk:
        raise ValidationError({field: ERR_ORG})
    return org


def _member(partnership: Partnership, user: User | None, field: str) -> User | None:
    if user is not None and not Membership.objects.filter(user=user, partnership=partnership):
        raise ValidationError({field: ERR_USER})
    return user


def _record(by, verb, obj, partnership, before=None, fields=None):
    audit.record(
        actor=by,
        verb=verb,
        obj=obj,
        partnership=partnership,
        before=before,
        after=audit.snapshot(obj, fields),
    )


def _remove(by, verb, obj, partnership, before=None) -> None:
    """Audit the removal of `obj` (before: all its fields, unless `before` is given), then
    delete it."""
    audit.record(
        actor=by,
        verb=verb,
        obj=obj,
        partnership=partnership,
        before=audit.snapshot(obj) if before is None else before,
    )
    obj.delete()


# ------------------------------------------------------------------------- settings


@transaction.atomic
def settings_update(
    *,
    partnership: Partnership,
    by: User,
    response_days: int,
    response_basis: str = "",
    agenda_notice_days: int | None = None,
    dhr_decision_months: int | None = None,
    dhr_report_months: int | None = None,
) -> GovernanceSettings:
    """Set the partnership's response clock for scrutiny recommendations (days), the
    clear working days' notice of a public body's agenda and the domestic homicide review
    periods (months; None keeps them)."""
    require(by, "governance.configure", partnership)
    current, _ = GovernanceSettings.objects.get_or_create(partnership=partnership)
    before = audit.snapshot(current)
    current.response_days = response_days
    current.response_basis = clean_plain(response_basis or "").strip()[:300]
    if agenda_notice_days is not None:
        current.agenda_notice_days = agenda_notice_days
    if dhr_decision_months is not None:
        current.dhr_decision_months = dhr_decision_months
    if dhr_report_months is not None:
        current.dhr_report_months = dhr_report_months
    current.full_clean()
    current.save()
    _record(by, "governance.settings", current, partnership, before)
    return current


# --------------------------------------------------------------------- bodies, seats


@transaction.atomic
def body_create(
    *,
    partnership: Partnership,
    by: User,
    name: str,
    kind: str,
    terms_of_reference: str = "",
    meets_in_public: bool = False,
) -> Body:
    require(by, "governance.manage", partnership)
    name = _text(name, "the body's name", "name", 200)
    if kind not in BodyKind.values:
        raise ValidationError({"kind": "Choose the kind of body."})
    if Body.objects.filter(partnership=partnership, name=name).exists():
        raise ValidationError({"name": "The partnership already has a body with this name."})
    body = Body.objects.create(
        partnership=partnership,
        name=name,
        kind=kind,
        terms_of_reference=clean_rich_text(terms_of_reference),
        meets_in_public=meets_in_public,
    )
    _record(by, "body.create", body, partnership)
    return body


@transaction.atomic
def body_update(
    *,
    body: Body,
    by: User,
    name: str,
    kind: str,
    terms_of_reference: str = "",
    meets_in_public: bool = False,
) -> Body:
    """Change a body's name, kind, terms of reference or whether it meets in public."""
    partnership = body.partnership
    require(by, "governance.manage", partnership)
    name = _text(name, "the body's name", "name", 200)
    if kind not in BodyKind.values:
        raise ValidationError({"kind": "Choose the kind of body."})
    if Body.objects.filter(partnership=partnership, name=name).exclude(pk=body.pk).exists():
        raise ValidationError({"name": "The partnership already has a body with this name."})
    before = audit.snapshot(body)
    body.name, body.kind = name, kind
    body.terms_of_reference = clean_rich_text(terms_of_reference)
    body.meets_in_public = meets_in_public
    body.save()
    _record(by, "body.update", body, partnership, before)
    return body


ERR_BODY_HAS_MEETINGS = (
    "{name} has {count} meeting(s) on record: a body with meetings cannot be removed, so that "
    "its minutes, attendance and actions stay on record."
)


@transaction.atomic
def body_remove(*, body: Body, by: User) -> None:
    """Remove a body that never met (with its seats and work programme). A body with
    meetings is kept: its record is the partnership's record."""
    partnership = body.partnership
    require(by, "governance.manage", partnership)
    count = body.meetings.count()
    if count:
        raise ValidationError({"body": ERR_BODY_HAS_MEETINGS.format(name=body.name, count=count)})
    _remove(by, "body.remove", body, partnership)


@transaction.atomic
def seat_add(
    *,
    body: Body,
    by: User,
    label: str,
    organisation: Organisation | None = None,
    holder: str = "",
    user: User | None = None,
    is_chair: bool = False,
) -> Seat:
    """A seat at the body's table (a column of the attendance table). One chair per body."""
    partnership = body.partnership
    require(by, "governance.manage", partnership)
    label = _text(label, "the seat's name", "label", 100)
    if body.seats.filter(label=label).exists():
        raise ValidationError({"label": "The body already has a seat with this name."})
    if is_chair:
        _one_chair(body, by)
    seat = Seat.objects.create(
        body=body,
        label=label,
        organisation=_org(partnership, organisation, "organisation"),
        holder=clean_plain(holder or "").strip()[:200],
        user=_member(partnership, user, "user"),
        is_chair=is_chair,
        order=(body.seats.aggregate(m=Max("order"))["m"] or 0) + 1,
    )
    _record(by, "seat.add", seat, partnership)
    return seat


def _kept_by_other_apps(obj: Model) -> list[str]:
    """What in other apps refers to `obj` (e.g. a case review recommendation delivered by an
    action, a call for action referred to a work programme topic): such an object is part of
    their record and is not removed. Looked up through the model's relations, so governance
    imports no other app."""
    found = []
    for rel in obj._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        model = rel.related_model
        if model._meta.app_label == obj._meta.app_label:
            continue
        count = model._default_manager.filter(**{rel.field.name: obj}).count()
        if count:
            found.append(
                f"{count} {model._meta.verbose_name_plural if count > 1 else model._meta.verbose_name}"
            )
    return found


def _one_chair(body: Body, by: User, keep: Seat | None = None) -> None:
    for seat in body.seats.filter(is_chair=True).exclude(pk=keep.pk if keep else None):
        before = audit.snapshot(seat, ["is_chair"])
        seat.is_chair = False
        seat.save(update_fields=["is_chair"])
        _record(by, "seat.update", seat, body.partnership, before, ["is_chair"])


@transaction.atomic
def seat_update(
    *,
    seat: Seat,
    by: User,
    label: str,
    organisation: Organisation | None = None,
    holder: str = "",
    user: User | None = None,
    is_chair: bool = False,
    active: bool = True,
) -> Seat:
    """Change a seat: its name (the attendance table's column, past meetings included), the
    organisation, the holder, the chair; or mark it no longer at the table (it stays in the
    tables of the meetings it attended)."""
    body = seat.body
    partnership = body.partnership
    require(by, "governance.manage", partnership)
    label = _text(label, "the seat's name", "label", 100)
    if body.seats.filter(label=label).exclude(pk=seat.pk).exists():
        raise ValidationError({"label": "The body already has a seat with this name."})
    if is_chair and not active:
        raise ValidationError({"active": "The chair's seat is at the table: untick Chair first."})
    before = audit.snapshot(seat)
    if is_chair:
        _one_chair(body, by, keep=seat)
    seat.label = label
    seat.organisation = _org(partnership, organisation, "organisation")
    seat.holder = clean_plain(holder or "").strip()[:200]
    seat.user = _member(partnership, user, "user")
    seat.is_chair, seat.active = is_chair, active
    seat.save()
    _record(by, "seat.update", seat, partnership, before)
    return seat


ERR_SEAT_ATTENDED = (
    "{label} has attendance recorded at {count} meeting(s): it stays in the attendance table. "
    "Mark it as no longer at the table instead."
)


@transaction.atomic
def seat_remove(*, seat: Seat, by: User) -> None:
    """Remove a seat entered in error. A seat with attendance on record is kept (the
    attendance table is the record); it can be marked no longer at the table."""
    partnership = seat.body.partnership
    require(by, "governance.manage", partnership)
    count = seat.attendance.count()
    if count:
        raise ValidationError({"seat": ERR_SEAT_ATTENDED.format(label=seat.label, count=count)})
    _remove(by, "seat.remove", seat, partnership)


# ------------------------------------------------------------------------- meetings


@transaction.atomic
def meeting_create(*, body: Body, by: User, starts_at: dt.datetime, location: str = "") -> Meeting:
    require(by, "governance.manage", body.partnership)
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at, clock.LONDON)
    meeting = Meeting.objects.create(
        body=body,
        partnership=body.partnership,
        starts_at=starts_at,
        location=clean_plain(location or "").strip()[:200],
    )
    _record(by, "meeting.create", meeting, body.partnership)
    return meeting


_NEXT_STATUS = {
    MeetingStatus.PLANNED: MeetingStatus.HELD,
    MeetingStatus.HELD: MeetingStatus.APPROVED,
}


@transaction.atomic
def meeting_set_status(*, meeting: Meeting, by: User, status: str) -> Meeting:
    """Planned -> held -> minutes approved. A meeting is held only once it has started."""
    require(by, "governance.manage", meeting.partnership)
    if _NEXT_STATUS.get(meeting.status) != status:
        raise ValidationError({"status": ERR_STATUS_ORDER})
    if status == MeetingStatus.HELD and meeting.starts_at > timezone.now():
        raise ValidationError({"status": "A meeting can be marked held once it has started."})
    before = audit.snapshot(meeting, ["status"])
    meeting.status = status
    meeting.save(update_fields=["status"])
    _record(by, "meeting.status", meeting, meeting.partnership, before, ["status"])
    return meeting


ERR_NOT_PUBLIC = (
    "{name} does not meet in public: its agendas are for members only. Change the body to "
    "publish them."
)


@transaction.atomic
def meeting_publish_agenda(*, meeting: Meeting, by: User) -> Meeting:
    """Publish the agenda of a meeting of a body that meets in public: from now on anyone
    sees its agenda and the papers of its open items (never the confidential ones) on the
    public meetings page; the minutes follow once approved. Items added later are public
    at once (a supplementary agenda). The audit event says whether the notice was given
    (`clock.agenda_publish_by`, the partnership's clear working days)."""
    from .selectors import settings_for

    partnership = meeting.partnership
    require(by, "governance.manage", partnership)
    if not meeting.body.meets_in_public:
        raise ValidationError({"publish": ERR_NOT_PUBLIC.format(name=meeting.body.name)})
    if meeting.agenda_published_at is not None:
        raise ValidationError({"publish": "The agenda is already published."})
    if meeting.status == MeetingStatus.APPROVED:
        raise ValidationError({"publish": "The minutes are approved: the meeting is public."})
    if not meeting.items.filter(confidential=False).exists():
        raise ValidationError({"publish": "Add the agenda's items before publishing it."})
    before = audit.snapshot(meeting, ["agenda_published_at"])
    meeting.agenda_published_at = timezone.now()
    meeting.save(update_fields=["agenda_published_at"])
    notice = settings_for(partnership).agenda_notice_days
    publish_by = clock.agenda_publish_by(meeting.date, notice)
    audit.record(
        actor=by,
        verb="meeting.publish_agenda",
        obj=meeting,
        partnership=partnership,
        before=before,
        after={
            **audit.snapshot(meeting, ["agenda_published_at"]),
            "publish_by": publish_by.isoformat(),
            "clear_days": notice,
            "on_time": clock.london_date(meeting.agenda_published_at) <= publish_by,
        },
    )
    return meeting


def check_link(partnership: Partnership, link: str) -> str:
    """A link to one of the partnership's own SaferStat pages (path and query only)."""
    link = (link or "").strip()
    if not link:
        return ""
    parts = urlsplit(link)
    prefix = f"/p/{partnership.slug}/"
    if parts.scheme or parts.netloc or not parts.path.startswith(prefix) or ".." in parts.path:
        raise ValidationError({"link": ERR_LINK.format(prefix=prefix)})
    return (parts.path + (f"?{parts.query}" if parts.query else ""))[:500]


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    by: User,
    title: str,
    confidential: bool = False,
    link: str = "",
    data_request=None,
) -> AgendaItem:
    partnership = meeting.partnership
    require(by, "governance.manage", partnership)
    if data_request is not None and data_request.partnership_id != partnership.pk:
        raise ValidationError({"data_request": "Choose a data request of this partnership."})
    item = AgendaItem.objects.create(
        meeting=meeting,
        number=(meeting.items.aggregate(m=Max("number"))["m"] or 0) + 1,
        title=_text(title, "the item's title", "title", 300),
        confidential=confidential,
        link=check_link(partnership, link),
        data_request=data_request,
    )
    _record(by, "agenda_item.add", item, partnership)
    return item


@transaction.atomic
def agenda_item_update(
    *,
    item: AgendaItem,
    by: User,
    title: str,
    confidential: bool = False,
    link: str = "",
    data_request=None,
) -> AgendaItem:
    """Change an item's title, whether it is confidential, its link or its data request."""
    partnership = item.meeting.partnership
    require(by, "governance.manage", partnership)
    if data_request is not None and data_request.partnership_id != partnership.pk:
        raise ValidationError({"data_request": "Choose a data request of this partnership."})
    fields = ["title", "confidential", "link", "data_request"]
    before = audit.snapshot(item, fields)
    item.title = _text(title, "the item's title", "title", 300)
    item.confidential = confidential
    item.link = check_link(partnership, link)
    item.data_request = data_request
    item.save(update_fields=fields)
    _record(by, "agenda_item.update", item, partnership, before, fields)
    return item


def _discard_on_commit(paths: list[str]) -> None:
    for path in paths:
        transaction.on_commit(lambda path=path: upload_discard(path))


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, by: User) -> None:
    """Remove an agenda item with its papers (their files are deleted once the removal is
    saved). Its resolutions stay, no longer tied to an item; the other items keep their
    numbers."""
    partnership = item.meeting.partnership
    require(by, "governance.manage", partnership)
    paths = list(item.papers.values_list("stored_path", flat=True))
    before = {
        **audit.snapshot(item, ["meeting", "number", "title", "confidential"]),
        "papers": [p.original_name for p in item.papers.all()],
    }
    _remove(by, "agenda_item.remove", item, partnership, before)
    _discard_on_commit(paths)


#: Where papers are kept, under MEDIA_ROOT (never swept by `purge_uploads`).
PAPERS_FOLDER = "papers"


def paper_add(*, item: AgendaItem, by: User, upload, title: str = "") -> Paper:
    """Attach a paper to an agenda item: checked by its content and size
    (`core.documents.check_document`), kept under MEDIA_ROOT/papers/ with its row, or neither.

    Raises:
        ValidationError: on "file" (empty, too large, a kind not accepted, or not what its
            name says) or "title".
    """
    partnership = item.meeting.partnership
    require(by, "governance.manage", partnership)
    name, kind = documents.check_document(upload)
    title = clean_plain(title or "").strip()[:200] or name
    with upload_kept(upload=upload, name=name, folder=PAPERS_FOLDER) as kept:
        with transaction.atomic():
            paper = Paper.objects.create(
                item=item,
                title=title,
                original_name=name,
                kind=kind.key,
                stored_path=str(kept.path),
                size_bytes=kept.size,
                sha256=kept.sha256,
                uploaded_by=by,
            )
            _record(
                by,
                "paper.add",
                paper,
                partnership,
                fields=["item", "title", "original_name", "kind", "size_bytes", "sha256"],
            )
    return paper


@transaction.atomic
def paper_remove(*, paper: Paper, by: User) -> None:
    partnership = paper.item.meeting.partnership
    require(by, "governance.manage", partnership)
    path = paper.stored_path
    before = audit.snapshot(paper, ["item", "title", "original_name", "kind", "sha256"])
    _remove(by, "paper.remove", paper, partnership, before)
    _discard_on_commit([path])


@transaction.atomic
def agenda_item_notes(*, item: AgendaItem, by: User, notes: str) -> AgendaItem:
    """The minutes of an item: discussion notes as sanitised rich text."""
    partnership = item.meeting.partnership
    require(by, "governance.manage", partnership)
    before = audit.snapshot(item, ["notes"])
    item.notes = clean_rich_text(notes)[:20000]
    item.save(update_fields=["notes"])
    _record(by, "agenda_item.notes", item, partnership, before, ["notes"])
    return item


@transaction.atomic
def attendance_record(
    *, meeting: Meeting, by: User, records: dict[int, tuple[str, str]]
) -> list[Attendance]:
    """Record attendance: {seat id: (Y|A|N|S, substitute's name)}. Replaces earlier records
    for the same seats; the meeting must have started."""
    partnership = meeting.partnership
    require(by, "governance.manage", partnership)
    if meeting.starts_at > timezone.now():
        raise ValidationError({"attendance": "Attendance is recorded once the meeting started."})
    seats = {s.pk: s for s in meeting.body.seats.all()}
    saved = []
    for seat_id, (status, substitute) in records.items():
        seat = seats.get(seat_id)
        if seat is None:
            raise ValidationError({"attendance": "A seat is not at this body's table."})
        if status not in AttendanceStatus.values:
            raise ValidationError({f"seat-{seat_id}": f"Choose attendance for {seat.label}."})
        substitute = clean_plain(substitute or "").strip()[:200]
        if status == AttendanceStatus.SUBSTITUTE and not substitute:
            raise ValidationError({f"seat-{seat_id}": ERR_SUBSTITUTE.format(seat=seat.label)})
        if status != AttendanceStatus.SUBSTITUTE:
            substitute = ""
        row = Attendance.objects.filter(meeting=meeting, seat=seat).first()
        before = audit.snapshot(row, ["status", "substitute"]) if row else None
        if row is None:
            row = Attendance(meeting=meeting, seat=seat)
        row.status, row.substitute = status, substitute
        row.save()
        if before != audit.snapshot(row, ["status", "substitute"]):
            _record(by, "attendance.record", row, partnership, before)
        saved.append(row)
    return saved


@transaction.atomic
def resolution_add(
    *, meeting: Meeting, by: User, kind: str, text: str, item: AgendaItem | None = None
) -> Resolution:
    """A resolution, numbered in order within its meeting."""
    partnership = meeting.partnership
    require(by, "governance.manage", partnership)
    if kind not in ResolutionKind.values:
        raise ValidationError({"kind": "Choose the kind of resolution."})
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError({"item": "Choose an item of this meeting."})
    resolution = Resolution.objects.create(
        meeting=meeting,
        item=item,
        number=(meeting.resolutions.aggregate(m=Max("number"))["m"] or 0) + 1,
        kind=kind,
        text=_text(text, "the resolution", "text", 4000),
    )
    _record(by, "resolution.add", resolution, partnership)
    return resolution


ERR_MINUTES_APPROVED = (
    "The minutes of this meeting are approved: its resolutions are the record and cannot change."
)


def _resolution_open(resolution: Resolution) -> None:
    if resolution.meeting.status == MeetingStatus.APPROVED:
        raise ValidationError({"resolution": ERR_MINUTES_APPROVED})


@transaction.atomic
def resolution_update(
    *, resolution: Resolution, by: User, kind: str, text: str, item: AgendaItem | None = None
) -> Resolution:
    """Correct a resolution before the minutes are approved; it keeps its number."""
    meeting = resolution.meeting
    partnership = meeting.partnership
    require(by, "governance.manage", partnership)
    _resolution_open(resolution)
    if kind not in ResolutionKind.values:
        raise ValidationError({"kind": "Choose the kind of resolution."})
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError({"item": "Choose an item of this meeting."})
    fields = ["kind", "text", "item"]
    before = audit.snapshot(resolution, fields)
    resolution.kind = kind
    resolution.text = _text(text, "the resolution", "text", 4000)
    resolution.item = item
    resolution.save(update_fields=fields)
    _record(by, "resolution.update", resolution, partnership, before, fields)
    return resolution


@transaction.atomic
def resolution_remove(*, resolution: Resolution, by: User) -> None:
    """Remove a resolution entered in error, before the minutes are approved and while no
    action or recommendation comes from it. The others keep their numbers."""
    meeting = resolution.meeting
    partnership = meeting.partnership
    require(by, "governance.manage", partnership)
    _resolution_open(resolution)
    actions = resolution.actions.count()
    recs = Recommendation.objects.filter(resolution=resolution).count()
    if actions or recs:
        raise ValidationError(
            {
                "resolution": f"{actions} action(s) and {recs} recommendation(s) come from "
                "this resolution: change or remove them first."
            }
        )
    _remove(by, "resolution.remove", resolution, partnership)


# -------------------------------------------------------------------------- actions


@transaction.atomic
def action_create(
    *,
    partnership: Partnership,
    by: User,
    title: str,
    due_date: dt.date,
    owner: User | None = None,
    owner_role: str = "",
    owner_organisation: Organisation | None = None,
    meeting: Meeting | None = None,
    resolution: Resolution | None = None,
    priority: str = "",
) -> Action:
    require(by, "governance.manage", partnership)
    if meeting is not None and meeting.partnership_id != partnership.pk:
        raise ValidationError({"meeting": "Choose a meeting of this partnership."})
    if resolution is not None:
        if resolution.meeting.partnership_id != partnership.pk:
            raise ValidationError({"resolution": "Choose a resolution of this partnership."})
        meeting = meeting or resolution.meeting
    owner_role = clean_plain(owner_role or "").strip()[:200]
    if owner is None and not owner_role:
        raise ValidationError({"owner_role": "Say who owns the action: a member or a role."})
    action = Action.objects.create(
        partnership=partnership,
        meeting=meeting,
        resolution=resolution,
        title=_text(title, "what must be done", "title", 500),
        owner=_member(partnership, owner, "owner"),
        owner_role=owner_role,
        owner_organisation=_org(partnership, owner_organisation, "owner_organisation"),
        priority=clean_plain(priority or "").strip()[:200],
        due_date=due_date,
    )
    _record(by, "action.create", action, partnership)
    return action


@transaction.atomic
def action_update(*, action: Action, by: User, text: str = "", status: str | None = None) -> Action:
    """An update on an action (by its owner, or whoever manages governance): a note, and
    optionally done or open again."""
    if not can_update_action(by, action):
        raise PermissionDenied("Only the action's owner or the partnership's officers update it")
    text = clean_plain(text or "").strip()[:4000]
    if status is not None and status not in ActionStatus.values:
        raise ValidationError({"status": "Choose a status."})
    if not text and (status is None or status == action.status):
        raise ValidationError({"text": "Write the update, or mark the action done."})
    before = audit.snapshot(action, ["status", "done_on"])
    if status is not None and status != action.status:
        action.status = status
        action.done_on = timezone.localdate() if status == ActionStatus.DONE else None
        action.save(update_fields=["status", "done_on"])
    if text:
        ActionUpdate.objects.create(action=action, by=by, text=text)
    audit.record(
        actor=by,
        verb="action.update",
        obj=action,
        partnership=action.partnership,
        before=before,
        after={**audit.snapshot(action, ["status", "done_on"]), "update": text},
    )
    return action


@transaction.atomic
def action_edit(
    *,
    action: Action,
    by: User,
    title: str,
    due_date: dt.date,
    owner: User | None = None,
    owner_role: str = "",
    owner_organisation: Organisation | None = None,
    priority: str = "",
) -> Action:
    """Change what an action is, who owns it, or when it is due (officers only; owners
    give updates). The change is in the audit log with the old values."""
    partnership = action.partnership
    require(by, "governance.manage", partnership)
    owner_role = clean_plain(owner_role or "").strip()[:200]
    if owner is None and not owner_role:
        raise ValidationError({"owner_role": "Say who owns the action: a member or a role."})
    fields = ["title", "owner", "owner_role", "owner_organisation", "priority", "due_date"]
    before = audit.snapshot(action, fields)
    action.title = _text(title, "what must be done", "title", 500)
    action.owner = _member(partnership, owner, "owner")
    action.owner_role = owner_role
    action.owner_organisation = _org(partnership, owner_organisation, "owner_organisation")
    action.priority = clean_plain(priority or "").strip()[:200]
    action.due_date = due_date
    action.save(update_fields=fields)
    _record(by, "action.edit", action, partnership, before, fields)
    return action


def action_removal_blockers(action: Action) -> list[str]:
    """Why an action cannot be removed: its progress updates are the record; another app's
    record (a case review recommendation) is delivered by it."""
    reasons = []
    updates = action.updates.count()
    if updates:
        reasons.append(
            f"It has {updates} progress update(s) on record: mark it done or change it instead."
        )
    kept = _kept_by_other_apps(action)
    if kept:
        reasons.append(f"It delivers {', '.join(kept)}: it is part of that record.")
    return reasons


@transaction.atomic
def action_remove(*, action: Action, by: User) -> None:
    """Remove an action entered in error (no updates, nothing delivered through it)."""
    partnership = action.partnership
    require(by, "governance.manage", partnership)
    reasons = action_removal_blockers(action)
    if reasons:
        raise ValidationError({"action": " ".join(reasons)})
    _remove(by, "action.remove", action, partnership)


# ------------------------------------------------------------------ recommendations


@transaction.atomic
def recommendation_create(
    *,
    meeting: Meeting,
    by: User,
    text: str,
    to_organisation: Organisation,
    made_on: dt.date | None = None,
    resolution: Resolution | None = None,
) -> Recommendation:
    """A scrutiny recommendation to a responsible authority; the response clock starts on
    the day it is made, for the partnership's configured number of days."""
    from .selectors import settings_for

    partnership = meeting.partnership
    require(by, "governance.manage", partnership)
    if meeting.body.kind != BodyKind.SCRUTINY:
        raise ValidationError({"meeting": "Recommendations come from the scrutiny committee."})
    if to_organisation is None or to_organisation.partnership_id != partnership.pk:
        raise ValidationError({"to_organisation": ERR_ORG})
    if resolution is not None and resolution.meeting_id != meeting.pk:
        raise ValidationError({"resolution": "Choose a resolution of this meeting."})
    rec = Recommendation.objects.create(
        partnership=partnership,
        meeting=meeting,
        resolution=resolution,
        text=_text(text, "the recommendation", "text", 4000),
        to_organisation=to_organisation,
        made_on=made_on or meeting.date,
        response_days=settings_for(partnership).response_days,
    )
    _record(by, "recommendation.create", rec, partnership)
    return rec


@transaction.atomic
def recommendation_respond(
    *,
    recommendation: Recommendation,
    by: User,
    response: str,
    text: str,
    responded_on: dt.date | None = None,
) -> Recommendation:
    partnership = recommendation.partnership
    require(by, "recommendations.respond", partnership)
    if response not in ResponseKind.values:
        raise ValidationError({"response": "Choose the response: accepted, partly or not."})
    text = clean_plain(text or "").strip()[:6000]
    if response != ResponseKind.ACCEPTED and not text:
        raise ValidationError({"response_text": "Give the reasons."})
    responded_on = responded_on or timezone.localdate()
    if responded_on < recommendation.made_on:
        raise ValidationError({"responded_on": "The response comes after the recommendation."})
    before = audit.snapshot(recommendation, ["response", "response_text", "responded_on"])
    recommendation.response = response
    recommendation.response_text = text
    recommendation.responded_on = responded_on
    recommendation.save(update_fields=["response", "response_text", "responded_on"])
    _record(
        by,
        "recommendation.respond",
        recommendation,
        partnership,
        before,
        ["response", "response_text", "responded_on"],
    )
    return recommendation


@transaction.atomic
def recommendation_implementation(
    *, recommendation: Recommendation, by: User, text: str
) -> Recommendation:
    partnership = recommendation.partnership
    require(by, "recommendations.respond", partnership)
    before = audit.snapshot(recommendation, ["implementation"])
    recommendation.implementation = _text(text, "the implementation update", "implementation", 4000)
    recommendation.save(update_fields=["implementation"])
    _record(by, "recommendation.implementation", recommendation, partnership, before)
    return recommendation


# -------------------------------------------------------------------- work programme


@transaction.atomic
def work_programme_add(
    *, body: Body, by: User, topic: str, source: str = "", meeting: Meeting | None = None
) -> WorkProgrammeItem:
    partnership = body.partnership
    require(by, "governance.manage", partnership)
    if meeting is not None and meeting.body_id != body.pk:
        raise ValidationError({"meeting": "Choose a meeting of this body."})
    item = WorkProgrammeItem.objects.create(
        body=body,
        topic=_text(topic, "the topic", "topic", 300),
        source=clean_plain(source or "").strip()[:300],
        meeting=meeting,
    )
    _record(by, "work_programme.add", item, partnership)
    return item


@transaction.atomic
def work_programme_update(
    *,
    item: WorkProgrammeItem,
    by: User,
    topic: str,
    source: str = "",
    meeting: Meeting | None = None,
    done: bool = False,
) -> WorkProgrammeItem:
    """Change a topic, its source, the meeting it is planned for, or mark it considered."""
    body = item.body
    partnership = body.partnership
    require(by, "governance.manage", partnership)
    if meeting is not None and meeting.body_id != body.pk:
        raise ValidationError({"meeting": "Choose a meeting of this body."})
    before = audit.snapshot(item)
    item.topic = _text(topic, "the topic", "topic", 300)
    item.source = clean_plain(source or "").strip()[:300]
    item.meeting = meeting
    item.done = done
    item.save()
    _record(by, "work_programme.update", item, partnership, before)
    return item


def work_programme_removal_blockers(item: WorkProgrammeItem) -> list[str]:
    reasons = []
    if item.done:
        reasons.append("The topic was considered: it stays in the work programme's record.")
    kept = _kept_by_other_apps(item)
    if kept:
        reasons.append(f"{', '.join(kept).capitalize()} refer(s) to it: it is part of that record.")
    return reasons


@transaction.atomic
def work_programme_remove(*, item: WorkProgrammeItem, by: User) -> None:
    """Remove a topic dropped from the plan (not one already considered, nor one another
    record refers to, such as a call for action referred to the committee)."""
    partnership = item.body.partnership
    require(by, "governance.manage", partnership)
    reasons = work_programme_removal_blockers(item)
    if reasons:
        raise ValidationError({"topic": " ".join(reasons)})
    _remove(by, "work_programme.remove", item, partnership)


# ------------------------------------------------------------- statutory calendar

#: The duties a partnership tracks (key, title, legal basis, cycle in months, period
#: confirmed in law?). The sources are in docs/governance.md; a period marked unconfirmed
#: is a local setting, and the calendar page says so.
DUTIES = [
    (
        "strategic-assessment",
        "Strategic assessment",
        "Crime and Disorder (Formulation and Implementation of Strategy) Regulations 2007 "
        "(SI 2007/1830) regs 5-7",
        12,
        True,
    ),
    (
        "plan-refresh",
        "Partnership plan: yearly refresh (three-year plan), sent to the PCC",
        "SI 2007/1830 regs 10-11; reg 13A (SI 2012/2660)",
        12,
        True,
    ),
    (
        "scrutiny",
        "Crime and Disorder Committee scrutiny (at least once in 12 months)",
        "Police and Justice Act 2006 s.19; Crime and Disorder (Overview and Scrutiny) "
        "Regulations 2009 (SI 2009/942)",
        12,
        True,
    ),
    (
        "public-meeting",
        "Public meeting with senior staff of each responsible authority",
        "SI 2007/1830 reg 12 (as made; later amendment not confirmed)",
        12,
        False,
    ),
    (
        "svd-sna",
        "Serious Violence Duty: strategic needs assessment and strategy review",
        "Police, Crime, Sentencing and Courts Act 2022 s.8 (review period not confirmed)",
        12,
        False,
    ),
    (
        "da-part4",
        "Domestic Abuse Act Part 4: annual return (where the partnership takes part)",
        "Domestic Abuse Act 2021 ss.57-61",
        12,
        True,
    ),
    (
        "dhr",
        "Domestic homicide reviews in progress",
        "Domestic Violence, Crime and Victims Act 2004 s.9 (Domestic Abuse Related Death "
        "Reviews); deadlines are local settings, not confirmed in law",
        12,
        False,
    ),
    (
        "prevent-channel",
        "Prevent and Channel returns",
        "Counter-Terrorism and Security Act 2015 s.26, s.36 (return period not confirmed)",
        12,
        False,
    ),
]


@transaction.atomic
def duties_ensure(*, partnership: Partnership, by: User | None) -> list[StatutoryDuty]:
    """Create the partnership's statutory calendar (the duties it lacks); keeps the rest."""
    if by is not None:
        require(by, "governance.manage", partnership)
    made = []
    for key, title, basis, months, confirmed in DUTIES:
        duty, created = StatutoryDuty.objects.get_or_create(
            partnership=partnership,
            key=key,
            defaults={
                "title": title,
                "legal_basis": basis,
                "cycle_months": months,
                "period_confirmed": confirmed,
            },
        )
        if created:
            _record(by, "duty.create", duty, partnership)
        made.append(duty)
    return made


@transaction.atomic
def duty_update(
    *,
    duty: StatutoryDuty,
    by: User,
    last_met: dt.date | None,
    cycle_months: int,
    owner: str = "",
    first_due: dt.date | None = None,
    applies: bool = True,
    evidence: str = "",
) -> StatutoryDuty:
    partnership = duty.partnership
    require(by, "governance.manage", partnership)
    if last_met is not None and last_met > timezone.localdate():
        raise ValidationError({"last_met": "The date it was last met cannot be in the future."})
    before = audit.snapshot(duty)
    duty.last_met = last_met
    duty.cycle_months = cycle_months
    duty.owner = clean_plain(owner or "").strip()[:200]
    duty.first_due = first_due
    duty.applies = applies
    try:
        duty.evidence = check_link(partnership, evidence)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.message_dict["link"]}) from None
    try:
        duty.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    duty.save()
    _record(by, "duty.update", duty, partnership, before)
    return duty


# ------------------------------------------------------ domestic homicide reviews

ERR_DHR_FUTURE = "The date cannot be in the future."
ERR_DHR_REF_TAKEN = "Another review already has this reference."


def _dhr_check(review: DomesticHomicideReview) -> None:
    """The rules a review's record keeps: dates in order and not in the future, a decision
    with its date and reason, a status that fits the decision."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    for field in ("notified_on", "decision_on", "report_sent_on"):
        day = getattr(review, field)
        if day is not None and day > today:
            errors[field] = ERR_DHR_FUTURE
    if review.decision:
        if review.decision_on is None:
            errors.setdefault("decision_on", "Enter the date of the decision.")
        if not review.decision_reason:
            errors["decision_reason"] = "Enter the reason for the decision."
    elif review.decision_on is not None or review.decision_reason:
        errors["decision"] = "Choose the decision the date and reason are for."
    if review.decision_on and review.notified_on and review.decision_on < review.notified_on:
        errors.setdefault("decision_on", "The decision cannot come before the notification.")
    if review.report_sent_on is not None:
        if review.decision != DhrDecision.REVIEW:
            errors["report_sent_on"] = "Only a review that was held sends a report."
        elif review.decision_on and review.report_sent_on < review.decision_on:
            errors["report_sent_on"] = "The report cannot be sent before the decision."
    status = review.status
    if status in (DhrStatus.NOTIFIED, DhrStatus.DECIDING) and review.decision:
        errors["status"] = (
            "A decision is recorded: the review is in progress, its report sent, or closed."
        )
    elif status in (DhrStatus.IN_PROGRESS, DhrStatus.REPORT_SENT) and (
        review.decision != DhrDecision.REVIEW
    ):
        errors["status"] = "Record the decision to hold a review first."
    elif status == DhrStatus.REPORT_SENT and review.report_sent_on is None:
        errors["report_sent_on"] = "Enter the date the report was sent."
    elif status == DhrStatus.CLOSED and not review.decision:
        errors["status"] = "Record the decision before closing the review."
    taken = DomesticHomicideReview.objects.filter(
        partnership=review.partnership, reference__iexact=review.reference
    ).exclude(pk=review.pk)
    if review.reference and taken.exists():
        errors["reference"] = ERR_DHR_REF_TAKEN
    if errors:
        raise ValidationError(errors)
    try:
        review.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


def _dhr_fill(review: DomesticHomicideReview, **fields) -> None:
    review.reference = _text(fields["reference"], "the case reference", "reference", 40)
    review.notified_on = fields["notified_on"]
    if review.notified_on is None:
        raise ValidationError({"notified_on": "Enter the date the partnership was notified."})
    review.status = fields.get("status") or DhrStatus.NOTIFIED
    review.decision = fields.get("decision") or ""
    review.decision_on = fields.get("decision_on")
    review.decision_reason = clean_plain(fields.get("decision_reason") or "").strip()[:4000]
    review.chair_role = clean_plain(fields.get("chair_role") or "").strip()[:200]
    review.report_sent_on = fields.get("report_sent_on")


@transaction.atomic
def dhr_create(
    *,
    partnership: Partnership,
    by: User | None,
    reference: str,
    notified_on: dt.date,
    status: str = DhrStatus.NOTIFIED,
    decision: str = "",
    decision_on: dt.date | None = None,
    decision_reason: str = "",
    chair_role: str = "",
    report_sent_on: dt.date | None = None,
) -> DomesticHomicideReview:
    """Add a domestic homicide review to the register, by its case reference (never a
    name). `by` None only for the demo command."""
    if by is not None:
        require(by, "governance.dhr", partnership)
    review = DomesticHomicideReview(partnership=partnership)
    _dhr_fill(
        review,
        reference=reference,
        notified_on=notified_on,
        status=status,
        decision=decision,
        decision_on=decision_on,
        decision_reason=decision_reason,
        chair_role=chair_role,
        report_sent_on=report_sent_on,
    )
    _dhr_check(review)
    review.save()
    _record(by, "dhr.create", review, partnership)
    return review


@transaction.atomic
def dhr_update(*, review: DomesticHomicideReview, by: User, **fields) -> DomesticHomicideReview:
    """Change a review's record: its decision, chair, report date and status."""
    partnership = review.partnership
    require(by, "governance.dhr", partnership)
    review = DomesticHomicideReview.objects.select_for_update().get(pk=review.pk)
    before = audit.snapshot(review)
    _dhr_fill(review, **fields)
    _dhr_check(review)
    review.save()
    _record(by, "dhr.update", review, partnership, before)
    return review
