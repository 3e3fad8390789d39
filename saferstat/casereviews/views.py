"""Case review and call-for-action pages: thin. Forms parse, services write, selectors read.

Case pages answer only the partnership's admins and named case reviewers
(`permissions.can_read_cases`); the figures page answers every member, and everyone once a
year is published; calls for action answer every member."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone

from saferstat.analytics import casereview as rules
from saferstat.analytics import casereview_import
from saferstat.analytics.errors import NoDataError
from saferstat.core.exports import export_response
from saferstat.core.permissions import can, can_read_cases, require_cases
from saferstat.core.selectors import partnership_get
from saferstat.core.uploads import accepts_upload
from saferstat.core.views_helpers import (
    audit_history_url,
    form_save,
    form_status,
    parse_id,
    partnership_view,
    posted_form,
)

from . import forms, selectors, services
from .models import Appeal

# ------------------------------------------------------------------------ case list


@partnership_view("casereviews.cases", post=True)
def cases(request, partnership):
    require_cases(request.user, partnership)
    form = forms.ApplicationForm(request.POST if request.method == "POST" else None, prefix="app")
    if form.is_bound:
        created = []
        if form_save(
            request,
            form,
            lambda d: created.append(
                services.application_create(partnership=partnership, by=request.user, **d)
            ),
            "The application was recorded. Add the complaints the applicant made.",
        ):
            return redirect(
                "casereviews:case_detail", slug=partnership.slug, application_id=created[0].pk
            )
    today = timezone.localdate()
    rows = selectors.case_rows(partnership, today)
    return render(
        request,
        "casereviews/cases.html",
        {
            "partnership": partnership,
            "rows": rows,
            "late": sum(r.late for r in rows),
            "form": form,
            "can_manage": can(request.user, "casereviews.manage", partnership),
            "LATE": rules.LATE,
        },
        status=form_status(form),
    )


# ---------------------------------------------------------------------- one case


@partnership_view("casereviews.cases", post=True)
def case_detail(request, partnership, application_id: int):
    require_cases(request.user, partnership)
    application = selectors.application_get(partnership, application_id)
    appeal = Appeal.objects.filter(application=application).first()
    me = request.user
    bound = {
        name: posted_form(request, name)
        for name in (
            "complaint",
            "acknowledge",
            "decide",
            "meeting",
            "review",
            "recommendation",
            "informed",
            "appeal",
            "appeal_decide",
        )
    }
    f = {
        "complaint": forms.ComplaintForm(bound["complaint"], prefix="complaint"),
        "acknowledge": forms.AcknowledgeForm(bound["acknowledge"], prefix="ack"),
        "decide": forms.DecisionForm(bound["decide"], prefix="decide"),
        "meeting": forms.ReviewMeetingForm(
            bound["meeting"],
            prefix="meeting",
            bodies=selectors.review_bodies(partnership),
            meetings=selectors.review_meetings_planned(partnership),
            review_body=services.settings_for(partnership).review_body,
        ),
        "review": forms.ReviewForm(
            bound["review"],
            prefix="review",
            initial={"review_on": application.review_meeting.date.isoformat()}
            if application.review_item_id
            else None,
        ),
        "recommendation": forms.RecommendationForm(
            bound["recommendation"], partnership=partnership, prefix="rec"
        ),
        "informed": forms.InformedForm(bound["informed"], prefix="informed"),
        "appeal": forms.AppealForm(bound["appeal"], prefix="appeal"),
        "appeal_decide": forms.AppealDecisionForm(bound["appeal_decide"], prefix="appeal_decide"),
    }
    writes = {
        "complaint": lambda d: services.complaint_add(application=application, by=me, **d),
        "acknowledge": lambda d: services.application_acknowledge(
            application=application, by=me, on=d["on"]
        ),
        "decide": lambda d: services.threshold_decide(
            application=application, by=me, **f["decide"].values()
        ),
        "meeting": lambda d: services.review_meeting_schedule(
            application=application, by=me, **f["meeting"].values()
        ),
        "review": lambda d: services.review_record(application=application, by=me, **d),
        "recommendation": lambda d: services.recommendation_add(
            application=application, by=me, **d
        ),
        "informed": lambda d: services.applicant_informed(
            application=application, by=me, on=d["on"]
        ),
        "appeal": lambda d: services.appeal_lodge(application=application, by=me, **d),
        "appeal_decide": lambda d: services.appeal_decide(appeal=_appeal(appeal), by=me, **d),
    }
    if request.method == "POST":
        name = next((n for n, data in bound.items() if data is not None), None)
        if name is not None and form_save(request, f[name], writes[name], "Saved."):
            return redirect(
                "casereviews:case_detail", slug=partnership.slug, application_id=application.pk
            )
        if name is None:
            f["complaint"] = forms.ComplaintForm(request.POST, prefix="complaint")
            f["complaint"].is_valid()
    else:
        services.application_read(application=application, by=me)
    today = timezone.localdate()
    milestones = selectors.timetable_for(application, today)
    return render(
        request,
        "casereviews/case_detail.html",
        {
            "partnership": partnership,
            "a": application,
            "complaints": application.complaints.all(),
            "result": services.threshold_result(application),
            "milestones": milestones,
            "review_meeting": selectors.review_meeting_for(application, milestones),
            "recommendations": application.recommendations.select_related("action"),
            "appeal": appeal,
            "f": f,
            "history_url": audit_history_url(me, partnership, application),
            "LATE": rules.LATE,
            "DONE_LATE": rules.DONE_LATE,
            "today": today,
        },
        status=form_status(*f.values()),
    )


def _appeal(appeal):
    if appeal is None:
        raise ValidationError({"result": "No appeal is recorded."})
    return appeal


# --------------------------------------------------------------------- settings


@partnership_view("casereviews.manage", post=True)
def settings_page(request, partnership):
    current = services.settings_for(partnership)
    initial = {
        "complaints": current.complaints,
        "window_months": current.window_months,
        "hate_complaints": current.hate_complaints,
        "acknowledge_days": current.acknowledge_days,
        "decide_days": current.decide_days,
        "review_days": current.review_days,
    }
    me = request.user
    initial["review_body"] = current.review_body_id
    bodies = selectors.review_bodies(partnership)
    settings_form = forms.SettingsForm(
        posted_form(request, "settings"), initial=initial, bodies=bodies
    )
    reviewer_form = forms.ReviewerForm(
        posted_form(request, "reviewer"), partnership=partnership, prefix="rv"
    )
    if request.method == "POST" and request.POST.get("form") == "remove":
        user_id = parse_id(request.POST.get("user"))
        reviewer = selectors.reviewers(partnership).filter(user_id=user_id).first()
        if reviewer is not None:
            services.reviewer_remove(partnership=partnership, by=me, user=reviewer.user)
            messages.success(request, "The case reviewer was removed.")
            return redirect("casereviews:settings", slug=partnership.slug)
    done = False
    if settings_form.is_bound:
        done = form_save(
            request,
            settings_form,
            lambda d: services.settings_update(partnership=partnership, by=me, **d),
            "The threshold and timescales were saved.",
        )
    elif reviewer_form.is_bound:
        done = form_save(
            request,
            reviewer_form,
            lambda d: services.reviewer_name(partnership=partnership, by=me, user=d["user"]),
            "The analyst was named as a case reviewer.",
        )
    elif request.method == "POST":
        settings_form = forms.SettingsForm(request.POST, initial=initial, bodies=bodies)
        settings_form.is_valid()
    if done:
        return redirect("casereviews:settings", slug=partnership.slug)
    return render(
        request,
        "casereviews/settings.html",
        {
            "partnership": partnership,
            "settings_form": settings_form,
            "reviewer_form": reviewer_form,
            "reviewers": selectors.reviewers(partnership),
        },
        status=form_status(settings_form, reviewer_form),
    )


# ---------------------------------------------------------------------- figures


def figures(request, slug: str):
    """The four statutory figures per financial year, computed from the records and
    disclosure-controlled. Members see every year; everyone sees the published years."""
    partnership = partnership_get(slug=slug)
    published = selectors.published_years(partnership)
    member = can(request.user, "casereviews.figures", partnership)
    if not member and not published:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("Not allowed: casereviews.figures")
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(("GET", "HEAD", "POST"))
    may_publish = can(request.user, "casereviews.manage", partnership)
    form = None
    if request.method == "POST":
        if not may_publish:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied("Only the partnership's admins publish figures")
        form = forms.YearForm(request.POST)
        unpublish = request.POST.get("action") == "unpublish"
        if form_save(
            request,
            form,
            lambda d: (services.year_unpublish if unpublish else services.year_publish)(
                partnership=partnership, by=request.user, year=d["year"]
            ),
            "The year was unpublished." if unpublish else "The year's figures are published.",
        ):
            return redirect("casereviews:figures", slug=partnership.slug)
    exact = can_read_cases(request.user, partnership)
    rows = []
    for year in reversed(selectors.year_figures(partnership)):
        if not member and year.year not in published:
            continue
        rows.append(
            {
                "year": year.year,
                "published": year.year in published,
                "shown": rules.disclose_year(year),
                "exact": year if exact else None,
            }
        )
    return render(
        request,
        "casereviews/figures.html",
        {
            "partnership": partnership,
            "rows": rows,
            "member": member,
            "exact": exact,
            "may_publish": may_publish,
            "form": form,
            "small": rules.SMALL,
        },
        status=form_status(form),
    )


figures.saferstat_methods = ("GET", "HEAD", "POST")


# ---------------------------------------------------------------------- ward map

MAP_DOWNLOADS = ("csv", "xlsx", "ods")


@partnership_view("casereviews.map")
def ward_map(request, partnership):
    """Applications by ward for the analysts: a choropleth with its data table. Exact
    counts, small ones included: the page is internal and never published."""
    years = selectors.map_years(partnership)
    year = request.GET.get("year") or (years[0] if years else "all")
    if year != "all" and year not in years:
        raise Http404("No applications in that year")
    fmt = request.GET.get("format", "html")
    period = "all years" if year == "all" else year
    counts = figure = None
    no_data = ""
    if years:
        try:
            counts = selectors.ward_counts(partnership, None if year == "all" else year)
            figure = rules.ward_map(
                counts, selectors.ward_boundaries(), area_name=partnership.name, period=period
            )
        except NoDataError as exc:
            no_data = str(exc)
    if fmt == "svg":
        if figure is None:
            raise Http404("No map")
        response = HttpResponse(figure.svg(), content_type="image/svg+xml")
        response["Cache-Control"] = "private, no-store"
        return response
    if fmt in MAP_DOWNLOADS:
        if figure is None:
            raise Http404("Nothing to download")
        return export_response(
            fmt,
            figure.columns,
            [[row[c] for c in figure.columns] for row in figure.rows],
            filename=f"{partnership.slug}-case-reviews-by-ward-{period.replace('/', '-')}".replace(
                " ", "-"
            ),
        )
    if fmt != "html":
        raise Http404("Unknown format")
    return render(
        request,
        "casereviews/map.html",
        {
            "partnership": partnership,
            "years": years,
            "year": year,
            "period": period,
            "counts": counts,
            "figure": figure,
            "no_data": no_data,
            "downloads": MAP_DOWNLOADS,
            "elsewhere": sum(n for _, n in counts.elsewhere) if counts else 0,
        },
    )


# ------------------------------------------------------------------- calls for action


@partnership_view("calls.view", post=True)
def calls(request, partnership):
    may_manage = can(request.user, "calls.manage", partnership)
    if request.method == "POST" and not may_manage:
        raise PermissionDenied("Only the partnership's officers record calls for action")
    form = forms.CallForm(request.POST if request.method == "POST" else None, prefix="call")
    if form.is_bound:
        created = []
        if form_save(
            request,
            form,
            lambda d: created.append(
                services.call_create(partnership=partnership, by=request.user, **d)
            ),
            "The call for action was recorded.",
        ):
            return redirect("casereviews:call_detail", slug=partnership.slug, call_id=created[0].pk)
    return render(
        request,
        "casereviews/calls.html",
        {
            "partnership": partnership,
            "calls": selectors.call_list(partnership),
            "form": form,
            "may_manage": may_manage,
        },
        status=form_status(form),
    )


@partnership_view("calls.view", post=True)
def call_detail(request, partnership, call_id: int):
    may_manage = can(request.user, "calls.manage", partnership)
    if request.method == "POST" and not may_manage:
        raise PermissionDenied("Only the partnership's officers record calls for action")
    call = selectors.call_get(partnership, call_id)
    me = request.user
    f = {
        "respond": forms.CallResponseForm(posted_form(request, "respond"), prefix="respond"),
        "refer": forms.CallReferForm(
            posted_form(request, "refer"), partnership=partnership, prefix="refer"
        ),
        "close": forms.CallCloseForm(posted_form(request, "close"), prefix="close"),
    }
    writes = {
        "respond": lambda d: services.call_respond(call=call, by=me, **d),
        "refer": lambda d: services.call_refer(call=call, by=me, **d),
        "close": lambda d: services.call_close(call=call, by=me, **d),
    }
    if request.method == "POST":
        name = request.POST.get("form")
        if name not in f:
            name = "respond"
            f[name] = forms.CallResponseForm(request.POST, prefix="respond")
        if form_save(request, f[name], writes[name], "Saved."):
            return redirect("casereviews:call_detail", slug=partnership.slug, call_id=call.pk)
    return render(
        request,
        "casereviews/call_detail.html",
        {
            "partnership": partnership,
            "call": call,
            "f": f,
            "may_manage": may_manage,
            "history_url": audit_history_url(me, partnership, call),
        },
        status=form_status(*f.values()),
    )


# ------------------------------------------------------------------ importing cases


@accepts_upload
@partnership_view("casereviews.cases", post=True)
def import_cases(request, partnership):
    """Import the cases a partnership already holds (CSV or XLSX): every row is checked and
    nothing is stored unless the whole file is right. ``?template=csv`` gives the columns."""
    require_cases(request.user, partnership)
    if request.GET.get("template") == "csv":
        return export_response(
            "csv", casereview_import.template_header(), [], filename="case-reviews-template"
        )
    posted = request.method == "POST"
    form = forms.CaseImportForm(request.POST if posted else None, request.FILES if posted else None)
    problems: list[str] = []
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()[:8]
        with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
            for chunk in upload.chunks():
                copy.write(chunk)
            copy.flush()
            try:
                created = services.cases_import(
                    partnership=partnership, by=request.user, path=copy.name, name=upload.name
                )
            except casereview_import.CaseImportError as exc:
                problems = exc.messages
                form.add_error(
                    "file", f"The file was refused: nothing was stored. {exc.total} problem(s)."
                )
            except ValidationError as exc:
                form.add_error("file", exc.messages)
            else:
                messages.success(request, f"{len(created)} case(s) were imported.")
                return redirect("casereviews:cases", slug=partnership.slug)
    return render(
        request,
        "casereviews/import.html",
        {
            "partnership": partnership,
            "form": form,
            "problems": problems,
            "columns": casereview_import.CASE_COLUMNS,
            "max_complaints": casereview_import.MAX_COMPLAINTS,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
