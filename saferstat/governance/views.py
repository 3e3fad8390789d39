"""Governance pages: thin. Forms parse, services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from saferstat.core import documents
from saferstat.core.exports import FORMATS, export_response
from saferstat.core.permissions import can, can_update_action, can_view_meeting
from saferstat.core.selectors import partnership_get
from saferstat.core.uploads import accepts_upload
from saferstat.core.views_helpers import (
    audit_history_url,
    form_save,
    form_status,
    parse_id,
    partnership_view,
    posted_form,
    run_confirmed,
)

from . import clock, forms, ical, selectors, services
from .models import AttendanceStatus, BodyKind, MeetingStatus


def _require_manage(request, partnership) -> None:
    if request.method == "POST" and not can(request.user, "governance.manage", partnership):
        raise PermissionDenied("Only the partnership's officers change governance records")


# ---------------------------------------------------------------------------- index


@partnership_view("governance.view", post=True)
def index(request, partnership):
    _require_manage(request, partnership)
    today = timezone.localdate()
    body_form = forms.BodyForm(posted_form(request, "body"), prefix="body")
    if body_form.is_bound and form_save(
        request,
        body_form,
        lambda d: services.body_create(partnership=partnership, by=request.user, **d),
        "The body was set up.",
    ):
        return redirect("governance:index", slug=partnership.slug)
    meetings = selectors.meeting_list(partnership)
    return render(
        request,
        "governance/index.html",
        {
            "partnership": partnership,
            "bodies": selectors.body_list(partnership),
            "upcoming": meetings.filter(starts_at__gte=timezone.now()).order_by("starts_at")[:5],
            "recent": meetings.filter(starts_at__lt=timezone.now())[:5],
            "my_open": selectors.action_list(
                partnership, today=today, owner=request.user, state=clock.OPEN
            ).count(),
            "overdue": selectors.action_list(partnership, today=today, state=clock.OVERDUE).count(),
            "late_recs": len(selectors.recommendation_list(partnership, state="late", today=today)),
            "duties": selectors.duties_needing_attention(
                partnership, today, dhr=can(request.user, "governance.dhr", partnership)
            ),
            "can_manage": can(request.user, "governance.manage", partnership),
            "can_configure": can(request.user, "governance.configure", partnership),
            "body_form": body_form,
        },
        status=form_status(body_form),
    )


# --------------------------------------------------------------------------- bodies


@partnership_view("governance.view", post=True)
def body_detail(request, partnership, body_id: int):
    _require_manage(request, partnership)
    body = selectors.body_get(partnership, body_id)
    seat_form = forms.SeatForm(posted_form(request, "seat"), partnership=partnership, prefix="seat")
    meeting_form = forms.MeetingForm(posted_form(request, "meeting"), prefix="meeting")
    wp_form = forms.WorkProgrammeForm(posted_form(request, "wp"), body=body, prefix="wp")
    done = False
    if seat_form.is_bound:
        done = form_save(
            request,
            seat_form,
            lambda d: services.seat_add(body=body, by=request.user, **d),
            "The seat was added.",
        )
    elif meeting_form.is_bound:
        done = form_save(
            request,
            meeting_form,
            lambda d: services.meeting_create(
                body=body,
                by=request.user,
                starts_at=meeting_form.starts_at(),
                location=d["location"],
            ),
            "The meeting was added.",
        )
    elif wp_form.is_bound:
        done = form_save(
            request,
            wp_form,
            lambda d: services.work_programme_add(body=body, by=request.user, **d),
            "The topic was added to the work programme.",
        )
    if done:
        return redirect("governance:body_detail", slug=partnership.slug, body_id=body.pk)
    today = timezone.localdate()
    recommendations = []
    if body.kind == BodyKind.SCRUTINY:
        recommendations = [
            (r, r.clock(today))
            for r in selectors.recommendation_list(partnership)
            if r.meeting.body_id == body.pk
        ]
    return render(
        request,
        "governance/body_detail.html",
        {
            "partnership": partnership,
            "body": body,
            "seats": body.seats.select_related("organisation", "user"),
            "meetings": selectors.meeting_list(partnership, body),
            "work_programme": body.work_programme.select_related("meeting"),
            "recommendations": recommendations,
            "years": [_fy_label(y) for y in selectors.financial_years_of(body)],
            "can_manage": can(request.user, "governance.manage", partnership),
            "seat_form": seat_form,
            "meeting_form": meeting_form,
            "wp_form": wp_form,
        },
        status=form_status(seat_form, meeting_form, wp_form),
    )


def _fy_label(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


@partnership_view("governance.view")
def attendance_table(request, partnership, body_id: int):
    """The body's attendance table for a financial year, as seed 004; CSV/XLSX/ODS too."""
    body = selectors.body_get(partnership, body_id)
    years = selectors.financial_years_of(body)
    try:
        year = (
            clock.parse_financial_year(request.GET["year"])
            if request.GET.get("year")
            else (years[0] if years else clock.financial_year_of(timezone.localdate()))
        )
    except ValueError:
        raise Http404("Not a financial year") from None
    table = selectors.attendance_table(body, year)
    fmt = request.GET.get("format", "html")
    if fmt in FORMATS:
        header, rows = selectors.attendance_rows(table)
        return export_response(
            fmt,
            header,
            rows,
            filename=slugify(f"{partnership.slug} {body.name} attendance {_fy_label(year)}"),
            sheet_name="Attendance",
        )
    if fmt != "html":
        raise Http404("Unknown format")
    rates = [
        (seat, rate, present, recorded)
        for seat, rate, present, recorded in zip(
            table.seats, table.rates, table.present, table.recorded, strict=True
        )
    ]
    return render(
        request,
        "governance/attendance_table.html",
        {
            "partnership": partnership,
            "body": body,
            "table": table,
            "rates": rates,
            "year": _fy_label(year),
            "years": [_fy_label(y) for y in years],
        },
    )


# -------------------------------------------------------------------------- meetings


def meeting_detail(request, slug: str, meeting_id: int):
    """A meeting's page. Members see it all (confidential items only with the right); anyone
    sees a meeting of a body that meets in public once its minutes are approved."""
    partnership = partnership_get(slug=slug)
    member = can(request.user, "governance.view", partnership)
    if member:
        meeting = selectors.meeting_get(partnership, meeting_id)
    else:
        meeting = selectors.meeting_list(partnership).filter(pk=meeting_id).first()
        if meeting is None or not can_view_meeting(request.user, meeting):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied("Not allowed: governance.view")
    _require_manage(request, partnership)
    manage = can(request.user, "governance.manage", partnership)
    posted = {
        name: posted_form(request, name) if manage else None
        for name in ("item", "notes", "resolution", "action", "recommendation")
    }
    item_form = forms.AgendaItemForm(posted["item"], partnership=partnership, prefix="item")
    notes_form = forms.NotesForm(posted["notes"], meeting=meeting, prefix="notes")
    resolution_form = forms.ResolutionForm(
        posted["resolution"], meeting=meeting, prefix="resolution"
    )
    action_form = forms.ActionForm(
        posted["action"], partnership=partnership, meeting=meeting, prefix="action"
    )
    rec_form = forms.RecommendationForm(
        posted["recommendation"], partnership=partnership, meeting=meeting, prefix="rec"
    )
    errors: dict[str, str] = {}
    done = False
    by = request.user
    form_name = request.POST.get("form") if request.method == "POST" else None
    if form_name == "item":
        done = form_save(
            request,
            item_form,
            lambda d: services.agenda_item_add(meeting=meeting, by=by, **d),
            "The item was added to the agenda.",
        )
    elif form_name == "notes":
        done = form_save(
            request,
            notes_form,
            lambda d: services.agenda_item_notes(item=d["item"], by=by, notes=d["notes"]),
            "The notes were saved.",
        )
    elif form_name == "resolution":
        done = form_save(
            request,
            resolution_form,
            lambda d: services.resolution_add(meeting=meeting, by=by, **d),
            "The resolution was recorded.",
        )
    elif form_name == "action":
        done = form_save(
            request,
            action_form,
            lambda d: services.action_create(partnership=partnership, by=by, meeting=meeting, **d),
            "The action was recorded.",
        )
    elif form_name == "recommendation":
        done = form_save(
            request,
            rec_form,
            lambda d: services.recommendation_create(meeting=meeting, by=by, **d),
            "The recommendation was recorded; its response clock has started.",
        )
    elif form_name in ("status", "attendance", "publish"):
        try:
            if form_name == "publish":
                services.meeting_publish_agenda(meeting=meeting, by=by)
                messages.success(
                    request, "The agenda was published: it is on the public meetings page."
                )
            elif form_name == "status":
                services.meeting_set_status(
                    meeting=meeting, by=by, status=request.POST.get("status", "")
                )
                messages.success(request, "The meeting's status was changed.")
            else:
                services.attendance_record(
                    meeting=meeting, by=by, records=_attendance_posted(request, meeting)
                )
                messages.success(request, "Attendance was recorded.")
            done = True
        except ValidationError as exc:
            errors = {k: v[0] for k, v in exc.message_dict.items()}
    elif form_name is not None:
        errors = {"form": "Unknown form."}
    if done:
        return redirect("governance:meeting_detail", slug=partnership.slug, meeting_id=meeting.pk)
    today = timezone.localdate()
    items = selectors.agenda_for(meeting, request.user)
    data_requests = [i.data_request for i in items if i.data_request is not None]
    show_minutes = member or meeting.minutes_public
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "partnership": partnership,
            "meeting": meeting,
            "member": member,
            "items": items,
            "data_requests": data_requests,
            "show_minutes": show_minutes,
            "notice": selectors.agenda_notice(meeting) if meeting.body.meets_in_public else None,
            "can_publish": manage
            and meeting.body.meets_in_public
            and meeting.agenda_published_at is None
            and meeting.status != MeetingStatus.APPROVED,
            "attendance": selectors.attendance_for(meeting) if show_minutes else [],
            "attendance_choices": AttendanceStatus.choices,
            "resolutions": selectors.resolutions_for(meeting, request.user) if show_minutes else [],
            "actions": [(a, a.state(today)) for a in selectors.actions_of_meeting(meeting)]
            if member
            else [],
            "carried": selectors.carried_forward(meeting) if member else [],
            "recommendations": [(r, r.clock(today)) for r in meeting.recommendations.all()]
            if member
            else [],
            "next_status": {
                MeetingStatus.PLANNED: (MeetingStatus.HELD, "Mark as held"),
                MeetingStatus.HELD: (MeetingStatus.APPROVED, "Approve the minutes"),
            }.get(meeting.status),
            "is_scrutiny": meeting.body.kind == BodyKind.SCRUTINY,
            "can_manage": manage,
            "started": meeting.starts_at <= timezone.now(),
            "errors": errors,
            "item_form": item_form,
            "notes_form": notes_form,
            "resolution_form": resolution_form,
            "action_form": action_form,
            "rec_form": rec_form,
            "history_url": audit_history_url(request.user, partnership, meeting),
        },
        status=400
        if errors
        else form_status(item_form, notes_form, resolution_form, action_form, rec_form),
    )


def _attendance_posted(request, meeting) -> dict[int, tuple[str, str]]:
    records = {}
    for seat in meeting.body.seats.filter(active=True):
        status = request.POST.get(f"seat-{seat.pk}", "")
        if status:
            records[seat.pk] = (status, request.POST.get(f"sub-{seat.pk}", ""))
    return records


# --------------------------------------------------------------------------- actions


@partnership_view("governance.view")
def action_log(request, partnership):
    today = timezone.localdate()
    mine = request.GET.get("who") == "mine"
    state = request.GET.get("state")
    state = state if state in (clock.OPEN, clock.OVERDUE, clock.DONE) else None
    actions = selectors.action_list(
        partnership, today=today, owner=request.user if mine else None, state=state
    )
    fmt = request.GET.get("format", "html")
    if fmt in FORMATS:
        header, rows = selectors.action_log_rows(actions, today)
        return export_response(
            fmt, header, rows, filename=f"{partnership.slug}-action-log", sheet_name="Actions"
        )
    if fmt != "html":
        raise Http404("Unknown format")
    return render(
        request,
        "governance/action_log.html",
        {
            "partnership": partnership,
            "rows": [(a, a.state(today)) for a in actions],
            "mine": mine,
            "state": state,
            "query": request.GET.urlencode(),
        },
    )


@partnership_view("governance.view", post=True)
def action_detail(request, partnership, action_id: int):
    action = selectors.action_get(partnership, action_id)
    may_update = can_update_action(request.user, action)
    if request.method == "POST" and not may_update:
        raise PermissionDenied("Only the action's owner or the partnership's officers update it")
    form = forms.ActionUpdateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form_save(
        request,
        form,
        lambda d: services.action_update(
            action=action,
            by=request.user,
            text=d["text"],
            status="done" if d["done"] else ("open" if action.status == "done" else None),
        ),
        "The action was updated.",
    ):
        return redirect("governance:action_detail", slug=partnership.slug, action_id=action.pk)
    return render(
        request,
        "governance/action_detail.html",
        {
            "partnership": partnership,
            "action": action,
            "state": action.state(timezone.localdate()),
            "updates": action.updates.select_related("by"),
            "may_update": may_update,
            "can_manage": can(request.user, "governance.manage", partnership),
            "form": form,
            "history_url": audit_history_url(request.user, partnership, action),
        },
        status=form_status(form),
    )


# ------------------------------------------------------------------- recommendations


@partnership_view("governance.view")
def recommendation_list(request, partnership):
    today = timezone.localdate()
    state = (
        request.GET.get("state") if request.GET.get("state") in ("outstanding", "late") else None
    )
    recs = selectors.recommendation_list(partnership, state=state, today=today)
    return render(
        request,
        "governance/recommendation_list.html",
        {
            "partnership": partnership,
            "rows": [(r, r.clock(today)) for r in recs],
            "state": state,
            "settings": selectors.settings_for(partnership),
        },
    )


@partnership_view("governance.view", post=True)
def recommendation_detail(request, partnership, rec_id: int):
    rec = selectors.recommendation_get(partnership, rec_id)
    may_respond = can(request.user, "recommendations.respond", partnership)
    if request.method == "POST" and not may_respond:
        raise PermissionDenied("Only the partnership's officers record responses")
    response_form = forms.ResponseForm(posted_form(request, "response"), prefix="response")
    impl_form = forms.ImplementationForm(posted_form(request, "implementation"), prefix="impl")
    done = False
    if response_form.is_bound:
        done = form_save(
            request,
            response_form,
            lambda d: services.recommendation_respond(
                recommendation=rec,
                by=request.user,
                response=d["response"],
                text=d["response_text"],
                responded_on=d["responded_on"],
            ),
            "The response was recorded.",
        )
    elif impl_form.is_bound:
        done = form_save(
            request,
            impl_form,
            lambda d: services.recommendation_implementation(
                recommendation=rec, by=request.user, text=d["implementation"]
            ),
            "The implementation update was saved.",
        )
    if done:
        return redirect("governance:recommendation_detail", slug=partnership.slug, rec_id=rec.pk)
    return render(
        request,
        "governance/recommendation_detail.html",
        {
            "partnership": partnership,
            "rec": rec,
            "clock": rec.clock(timezone.localdate()),
            "may_respond": may_respond,
            "response_form": response_form,
            "impl_form": impl_form,
            "history_url": audit_history_url(request.user, partnership, rec),
        },
        status=form_status(response_form, impl_form),
    )


# ---------------------------------------------------------------- statutory calendar


@partnership_view("governance.view", post=True)
def calendar(request, partnership):
    _require_manage(request, partnership)
    if request.method == "POST":
        services.duties_ensure(partnership=partnership, by=request.user)
        messages.success(request, "The statutory calendar was set up.")
        return redirect("governance:calendar", slug=partnership.slug)
    can_dhr = can(request.user, "governance.dhr", partnership)
    return render(
        request,
        "governance/calendar.html",
        {
            "partnership": partnership,
            "rows": selectors.duty_rows(partnership, timezone.localdate(), dhr=can_dhr),
            "missing": selectors.duties_missing(partnership, [d[0] for d in services.DUTIES]),
            "can_manage": can(request.user, "governance.manage", partnership),
            "can_dhr": can_dhr,
            "soon_days": clock.DUE_SOON_DAYS,
        },
    )


# ------------------------------------------------------ domestic homicide reviews


@partnership_view("governance.dhr", post=True)
def dhr_list(request, partnership):
    form = forms.DhrCreateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form_save(
        request,
        form,
        lambda d: services.dhr_create(partnership=partnership, by=request.user, **d),
        "The review was added to the register.",
    ):
        return redirect("governance:dhr_list", slug=partnership.slug)
    current = selectors.settings_for(partnership)
    return render(
        request,
        "governance/dhr_list.html",
        {
            "partnership": partnership,
            "rows": selectors.dhr_rows(partnership, timezone.localdate()),
            "current": current,
            "can_configure": can(request.user, "governance.configure", partnership),
            "form": form,
        },
        status=form_status(form),
    )


@partnership_view("governance.dhr", post=True)
def dhr_edit(request, partnership, dhr_id: int):
    review = selectors.dhr_get(partnership, dhr_id)
    fields = [
        "reference",
        "notified_on",
        "status",
        "decision",
        "decision_on",
        "decision_reason",
        "chair_role",
        "report_sent_on",
    ]
    form = forms.DhrForm(
        request.POST if request.method == "POST" else None,
        initial={f: getattr(review, f) for f in fields},
    )
    if form.is_bound and form_save(
        request,
        form,
        lambda d: services.dhr_update(review=review, by=request.user, **d),
        "The review was updated.",
    ):
        return redirect("governance:dhr_list", slug=partnership.slug)
    row = next(r for r in selectors.dhr_rows(partnership, timezone.localdate())
               if r.review.pk == review.pk)  # fmt: skip
    return render(
        request,
        "governance/dhr_edit.html",
        {
            "partnership": partnership,
            "review": review,
            "row": row,
            "current": selectors.settings_for(partnership),
            "form": form,
            "history_url": audit_history_url(request.user, partnership, review),
        },
        status=form_status(form),
    )


@partnership_view("governance.manage", post=True)
def duty_edit(request, partnership, duty_id: int):
    duty = selectors.duty_get(partnership, duty_id)
    initial = {
        "last_met": duty.last_met,
        "cycle_months": duty.cycle_months,
        "first_due": duty.first_due,
        "owner": duty.owner,
        "applies": duty.applies,
        "evidence": duty.evidence,
    }
    form = forms.DutyForm(request.POST if request.method == "POST" else None, initial=initial)
    return _form_page(
        request,
        form=form,
        save=lambda d: services.duty_update(duty=duty, by=request.user, **d),
        success="The duty was updated.",
        done_url=reverse("governance:calendar", args=[partnership.slug]),
        template="governance/duty_edit.html",
        context={"partnership": partnership, "duty": duty},
    )


# ------------------------------------------------------------- settings and jobs


@partnership_view("governance.configure", post=True)
def settings_page(request, partnership):
    current = selectors.settings_for(partnership)
    form = forms.SettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "response_days": current.response_days,
            "response_basis": current.response_basis,
            "agenda_notice_days": current.agenda_notice_days,
            "dhr_decision_months": current.dhr_decision_months,
            "dhr_report_months": current.dhr_report_months,
        },
    )
    return _form_page(
        request,
        form=form,
        save=lambda d: services.settings_update(partnership=partnership, by=request.user, **d),
        success="The settings were saved. The response clock applies to recommendations made "
        "from now on.",
        done_url=reverse("governance:settings", args=[partnership.slug]),
        template="governance/settings.html",
        context={"partnership": partnership, "current": current},
    )


@partnership_view("governance.manage")
def jobs(request, partnership):
    return render(
        request,
        "governance/jobs.html",
        {"partnership": partnership, "runs": selectors.job_runs(partnership)[:50]},
    )


def _form_page(request, *, form, save, success: str, done_url: str, template: str, context):
    """A page with one form: a valid POST is saved through `save` (the service's errors go
    on the form), flashed `success` and sent on to `done_url`; otherwise the page, 400 while
    the form has errors."""
    if form.is_bound and form_save(request, form, save, success):
        return redirect(done_url)
    return render(request, template, {"form": form, **context}, status=form_status(form))


# ------------------------------------------------------- editing bodies and items

ERR_CONFIRM = "Tick the box to confirm the removal."


def _confirm_remove(
    request,
    partnership,
    *,
    what: str,
    consequences: list[str],
    back_url: str,
    remove,
    done_message: str,
    done_url: str,
    refused: bool = False,
):
    """The confirmation page of a removal; the POST removes only with confirm=yes. When the
    record must stay (`refused`), the page says why and offers no button; a POST still goes
    to the service, which refuses it with its reason."""
    error = ""
    if request.method == "POST":
        error = run_confirmed(request, remove, ERR_CONFIRM)
        if not error:
            messages.success(request, done_message)
            return redirect(done_url)
    return render(
        request,
        "governance/confirm_remove.html",
        {
            "partnership": partnership,
            "what": what,
            "consequences": consequences,
            "back_url": back_url,
            "error": error,
            "refused": refused,
        },
        status=400 if error else 200,
    )


@partnership_view("governance.manage", post=True)
def body_edit(request, partnership, body_id: int):
    body = selectors.body_get(partnership, body_id)
    form = forms.BodyForm(
        request.POST if request.method == "POST" else None,
        initial={
            "name": body.name,
            "kind": body.kind,
            "terms_of_reference": body.terms_of_reference,
            "meets_in_public": body.meets_in_public,
        },
    )
    return _form_page(
        request,
        form=form,
        save=lambda d: services.body_update(body=body, by=request.user, **d),
        success="The body was changed.",
        done_url=reverse("governance:body_detail", args=[partnership.slug, body.pk]),
        template="governance/body_edit.html",
        context={"partnership": partnership, "body": body},
    )


@partnership_view("governance.manage", post=True)
def body_remove(request, partnership, body_id: int):
    body = selectors.body_get(partnership, body_id)
    meetings = body.meetings.count()
    return _confirm_remove(
        request,
        partnership,
        what=body.name,
        consequences=[
            f"Its {body.seats.count()} seat(s) and {body.work_programme.count()} work "
            "programme topic(s) are removed with it.",
            f"It has {meetings} meeting(s) on record: a body with meetings cannot be removed."
            if meetings
            else "It has no meetings on record.",
        ],
        back_url=reverse("governance:body_detail", args=[partnership.slug, body.pk]),
        remove=lambda: services.body_remove(body=body, by=request.user),
        done_message=f"{body.name} was removed.",
        done_url=reverse("governance:index", args=[partnership.slug]),
        refused=meetings > 0,
    )


@accepts_upload
@partnership_view("governance.manage", post=True)
def item_detail(request, partnership, item_id: int):
    """An agenda item: change it, attach papers (checked by content), remove papers."""
    item = selectors.item_get(partnership, item_id)
    form_name = request.POST.get("form") if request.method == "POST" else None
    item_form = forms.AgendaItemForm(
        posted_form(request, "item"),
        partnership=partnership,
        prefix="item",
        initial={
            "title": item.title,
            "confidential": item.confidential,
            "link": item.link,
            "data_request": item.data_request_id,
        },
    )
    paper_form = forms.PaperForm(
        posted_form(request, "paper"),
        request.FILES if form_name == "paper" else None,
        prefix="paper",
    )
    errors: dict[str, str] = {}
    done = False
    if form_name == "item":
        done = form_save(
            request,
            item_form,
            lambda d: services.agenda_item_update(item=item, by=request.user, **d),
            "The item was changed.",
        )
    elif form_name == "paper":
        done = form_save(
            request,
            paper_form,
            lambda d: services.paper_add(
                item=item, by=request.user, upload=d["file"], title=d["title"]
            ),
            "The paper was attached.",
        )
    elif form_name is not None or request.method == "POST":
        errors = {"form": "Choose what to change."}
    if done:
        return redirect("governance:item_detail", slug=partnership.slug, item_id=item.pk)
    return render(
        request,
        "governance/item_detail.html",
        {
            "partnership": partnership,
            "item": item,
            "meeting": item.meeting,
            "papers": item.papers.all(),
            "item_form": item_form,
            "paper_form": paper_form,
            "max_paper": documents.size_text(documents.max_bytes()),
            "errors": errors,
            "history_url": audit_history_url(request.user, partnership, item),
        },
        status=400 if errors else form_status(item_form, paper_form),
    )


@partnership_view("governance.manage", post=True)
def item_remove(request, partnership, item_id: int):
    item = selectors.item_get(partnership, item_id)
    meeting = item.meeting
    return _confirm_remove(
        request,
        partnership,
        what=f"item {item.number}: {item.title}",
        consequences=[
            f"Its discussion notes and {item.papers.count()} paper(s) are removed with it.",
            f"Its {item.resolutions.count()} resolution(s) stay, no longer tied to an item.",
            "The other items keep their numbers.",
        ],
        back_url=reverse("governance:item_detail", args=[partnership.slug, item.pk]),
        remove=lambda: services.agenda_item_remove(item=item, by=request.user),
        done_message="The item was removed from the agenda.",
        done_url=reverse("governance:meeting_detail", args=[partnership.slug, meeting.pk]),
    )


# ------------------------------------------------------------------------- papers


def paper_download(request, slug: str, paper_id: int):
    """A paper, as a download (attachment, nosniff). Seen by whoever sees its item: a
    confidential item's papers are "not found" for members without access, and the public
    gets papers of public meetings only."""
    partnership = partnership_get(slug=slug)
    paper = selectors.paper_get(partnership, paper_id)
    if not selectors.paper_visible(request.user, paper):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if can(request.user, "governance.view", partnership):
            raise Http404("No such paper")
        raise PermissionDenied("Not allowed: governance.view")
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return documents.download_response(
        paper.stored_path, name=paper.original_name, kind_key=paper.kind
    )


@partnership_view("governance.manage", post=True)
def paper_remove(request, partnership, paper_id: int):
    paper = selectors.paper_get(partnership, paper_id)
    item = paper.item
    return _confirm_remove(
        request,
        partnership,
        what=f"the paper {paper.title}",
        consequences=[f"The file {paper.original_name} is deleted."],
        back_url=reverse("governance:item_detail", args=[partnership.slug, item.pk]),
        remove=lambda: services.paper_remove(paper=paper, by=request.user),
        done_message="The paper was removed.",
        done_url=reverse("governance:item_detail", args=[partnership.slug, item.pk]),
    )


# ------------------------------------------------------- public meetings and feeds


def _get_only(request):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return None


def _public_or_member(request, partnership) -> None:
    """A partnership none of whose bodies meets in public has no public meetings: "not
    found" for everyone but its members."""
    if not can(request.user, "governance.view", partnership) and not (
        selectors.public_bodies(partnership).exists()
    ):
        raise Http404("No body of this partnership meets in public")


def public_meetings(request, slug: str):
    """The meetings of the partnership's bodies that meet in public, open to everyone:
    dates, times and places; each meeting's page once its minutes are approved."""
    partnership = partnership_get(slug=slug)
    _public_or_member(request, partnership)
    refused = _get_only(request)
    if refused:
        return refused
    now = timezone.now()
    meetings = selectors.public_meetings(partnership)
    return render(
        request,
        "governance/public_meetings.html",
        {
            "partnership": partnership,
            "member": can(request.user, "governance.view", partnership),
            "upcoming": meetings.filter(starts_at__gte=now).order_by("starts_at"),
            "past": meetings.filter(starts_at__lt=now),
            "bodies": selectors.public_bodies(partnership),
        },
    )


def _ics(partnership, meetings, *, name: str, member: bool, filename: str) -> HttpResponse:
    response = HttpResponse(
        ical.meetings_calendar(partnership, meetings, name=name, member=member),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.ics"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def meetings_ics(request, slug: str):
    """The partnership's meetings as an iCalendar feed: every body's for members, the
    bodies that meet in public for everyone else. No confidential item is ever in it."""
    partnership = partnership_get(slug=slug)
    _public_or_member(request, partnership)
    refused = _get_only(request)
    if refused:
        return refused
    member = can(request.user, "governance.view", partnership)
    return _ics(
        partnership,
        selectors.feed_meetings(partnership, request.user),
        name=f"{partnership.name}: meetings",
        member=member,
        filename=f"{partnership.slug}-meetings",
    )


def body_ics(request, slug: str, body_id: int):
    """One body's meetings as an iCalendar feed: open to everyone when it meets in public."""
    partnership = partnership_get(slug=slug)
    member = can(request.user, "governance.view", partnership)
    if member:
        body = selectors.body_get(partnership, body_id)
    else:
        body = selectors.public_bodies(partnership).filter(pk=parse_id(str(body_id))).first()
        if body is None:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied("Not allowed: governance.view")
    refused = _get_only(request)
    if refused:
        return refused
    return _ics(
        partnership,
        selectors.feed_meetings(partnership, request.user, body),
        name=f"{partnership.name}: {body.name}",
        member=member,
        filename=slugify(f"{partnership.slug} {body.name}"),
    )


# ------------------------------------- editing and removing seats, resolutions, actions


def _change_page(
    request,
    partnership,
    obj,
    *,
    form,
    save,
    success: str,
    back_url: str,
    title: str,
    caption: str,
    remove_url: str,
    lede: str = "",
    refusal: str = "",
):
    """The change page of a seat, resolution, action or work programme topic: the form
    saves through `save` and goes back to `back_url`; it links to the removal page
    (`remove_url`, none when blank) and to the object's history in the audit log."""
    return _form_page(
        request,
        form=form,
        save=save,
        success=success,
        done_url=back_url,
        template="governance/edit.html",
        context={
            "partnership": partnership,
            "title": title,
            "caption": caption,
            "back_url": back_url,
            "refusal": refusal,
            "remove_url": remove_url,
            "history_url": audit_history_url(request.user, partnership, obj),
            "lede": lede,
        },
    )


@partnership_view("governance.manage", post=True)
def seat_edit(request, partnership, seat_id: int):
    seat = selectors.seat_get(partnership, seat_id)
    body_url = reverse("governance:body_detail", args=[partnership.slug, seat.body_id])
    form = forms.SeatEditForm(
        request.POST if request.method == "POST" else None,
        partnership=partnership,
        initial={
            "label": seat.label,
            "organisation": seat.organisation_id,
            "holder": seat.holder,
            "user": seat.user_id,
            "is_chair": seat.is_chair,
            "active": seat.active,
        },
    )
    return _change_page(
        request,
        partnership,
        seat,
        form=form,
        save=lambda d: services.seat_update(seat=seat, by=request.user, **d),
        success="The seat was changed.",
        back_url=body_url,
        title=f"Change the seat {seat.label}",
        caption=seat.body.name,
        remove_url=reverse("governance:seat_remove", args=[partnership.slug, seat.pk]),
        lede="Renaming a seat renames its column in the attendance tables of past meetings too.",
    )


@partnership_view("governance.manage", post=True)
def seat_remove(request, partnership, seat_id: int):
    seat = selectors.seat_get(partnership, seat_id)
    attended = seat.attendance.count()
    body_url = reverse("governance:body_detail", args=[partnership.slug, seat.body_id])
    return _confirm_remove(
        request,
        partnership,
        what=f"the seat {seat.label}",
        consequences=[
            services.ERR_SEAT_ATTENDED.format(label=seat.label, count=attended)
            if attended
            else "It has no attendance on record: it leaves the attendance table."
        ],
        back_url=reverse("governance:seat_edit", args=[partnership.slug, seat.pk]),
        remove=lambda: services.seat_remove(seat=seat, by=request.user),
        done_message=f"The seat {seat.label} was removed.",
        done_url=body_url,
        refused=bool(attended),
    )


@partnership_view("governance.manage", post=True)
def resolution_edit(request, partnership, resolution_id: int):
    resolution = selectors.resolution_get(partnership, resolution_id)
    meeting = resolution.meeting
    meeting_url = reverse("governance:meeting_detail", args=[partnership.slug, meeting.pk])
    form = forms.ResolutionForm(
        request.POST if request.method == "POST" else None,
        meeting=meeting,
        initial={"kind": resolution.kind, "text": resolution.text, "item": resolution.item_id},
    )
    approved = meeting.status == MeetingStatus.APPROVED
    return _change_page(
        request,
        partnership,
        resolution,
        form=form,
        save=lambda d: services.resolution_update(resolution=resolution, by=request.user, **d),
        success=f"Resolution {resolution.number} was changed.",
        back_url=meeting_url,
        title=f"Change resolution {resolution.number}",
        caption=str(meeting),
        refusal=services.ERR_MINUTES_APPROVED if approved else "",
        remove_url=""
        if approved
        else reverse("governance:resolution_remove", args=[partnership.slug, resolution.pk]),
        lede="A resolution can be corrected until the minutes are approved. It keeps its number.",
    )


@partnership_view("governance.manage", post=True)
def resolution_remove(request, partnership, resolution_id: int):
    resolution = selectors.resolution_get(partnership, resolution_id)
    meeting = resolution.meeting
    actions = resolution.actions.count()
    consequences = ["The other resolutions keep their numbers."]
    refused = meeting.status == MeetingStatus.APPROVED or actions > 0
    if meeting.status == MeetingStatus.APPROVED:
        consequences = [services.ERR_MINUTES_APPROVED]
    elif actions:
        consequences.insert(0, f"{actions} action(s) come from it: change or remove them first.")
    return _confirm_remove(
        request,
        partnership,
        what=f"resolution {resolution.number}",
        consequences=consequences,
        back_url=reverse("governance:resolution_edit", args=[partnership.slug, resolution.pk]),
        remove=lambda: services.resolution_remove(resolution=resolution, by=request.user),
        done_message=f"Resolution {resolution.number} was removed.",
        done_url=reverse("governance:meeting_detail", args=[partnership.slug, meeting.pk]),
        refused=refused,
    )


@partnership_view("governance.manage", post=True)
def action_edit(request, partnership, action_id: int):
    action = selectors.action_get(partnership, action_id)
    action_url = reverse("governance:action_detail", args=[partnership.slug, action.pk])
    form = forms.ActionEditForm(
        request.POST if request.method == "POST" else None,
        partnership=partnership,
        initial={
            "title": action.title,
            "owner": action.owner_id,
            "owner_role": action.owner_role,
            "owner_organisation": action.owner_organisation_id,
            "due_date": action.due_date,
            "priority": action.priority,
        },
    )
    return _change_page(
        request,
        partnership,
        action,
        form=form,
        save=lambda d: services.action_edit(action=action, by=request.user, **d),
        success="The action was changed.",
        back_url=action_url,
        title="Change the action",
        caption=action.title[:80],
        remove_url=reverse("governance:action_remove", args=[partnership.slug, action.pk]),
        lede="A new due date or owner is in the audit log with the old one.",
    )


@partnership_view("governance.manage", post=True)
def action_remove(request, partnership, action_id: int):
    action = selectors.action_get(partnership, action_id)
    reasons = services.action_removal_blockers(action)
    return _confirm_remove(
        request,
        partnership,
        what=f"the action {action.title[:80]}",
        consequences=reasons or ["It leaves the action log."],
        back_url=reverse("governance:action_detail", args=[partnership.slug, action.pk]),
        remove=lambda: services.action_remove(action=action, by=request.user),
        done_message="The action was removed.",
        done_url=reverse("governance:action_log", args=[partnership.slug]),
        refused=bool(reasons),
    )


@partnership_view("governance.manage", post=True)
def work_programme_edit(request, partnership, wp_id: int):
    item = selectors.work_programme_get(partnership, wp_id)
    body_url = reverse("governance:body_detail", args=[partnership.slug, item.body_id])
    form = forms.WorkProgrammeEditForm(
        request.POST if request.method == "POST" else None,
        body=item.body,
        initial={
            "topic": item.topic,
            "source": item.source,
            "meeting": item.meeting_id,
            "done": item.done,
        },
    )
    return _change_page(
        request,
        partnership,
        item,
        form=form,
        save=lambda d: services.work_programme_update(item=item, by=request.user, **d),
        success="The topic was changed.",
        back_url=body_url,
        title="Change a work programme topic",
        caption=item.body.name,
        remove_url=reverse("governance:work_programme_remove", args=[partnership.slug, item.pk]),
    )


@partnership_view("governance.manage", post=True)
def work_programme_remove(request, partnership, wp_id: int):
    item = selectors.work_programme_get(partnership, wp_id)
    reasons = services.work_programme_removal_blockers(item)
    return _confirm_remove(
        request,
        partnership,
        what=f"the topic {item.topic}",
        consequences=reasons or ["It leaves the work programme."],
        back_url=reverse("governance:work_programme_edit", args=[partnership.slug, item.pk]),
        remove=lambda: services.work_programme_remove(item=item, by=request.user),
        done_message="The topic was removed from the work programme.",
        done_url=reverse("governance:body_detail", args=[partnership.slug, item.body_id]),
        refused=bool(reasons),
    )
