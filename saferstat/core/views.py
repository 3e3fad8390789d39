from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from . import audit
from .cookies import cookie_list
from .forms import AccessibilityStatementForm, PrivacyNoticeForm
from .glossary import TERMS
from .health import health_check
from .models import ApiToken
from .permissions import can, can_site, forces_for, partnerships_for, require_site
from .privacy import SECTIONS as PRIVACY_SECTIONS
from .selectors import (
    accessibility_statement_get,
    audit_event_list,
    partnership_public_list,
    privacy_notice_get,
    privacy_notice_list,
)
from .services import (
    accessibility_statement_save,
    neighbour_group_set,
    partnership_logo_set,
    partnership_publish_overview,
    privacy_notice_save,
)
from .tokens import api_token_create, api_token_revoke
from .uploads import accepts_upload
from .views_helpers import (
    audit_history_url,
    form_save,
    form_status,
    parse_id,
    partnership_view,
    run_confirmed,
)


@require_safe
def home(request):
    mine = partnerships_for(request.user)
    public = [p for p in partnership_public_list() if p not in mine]
    return render(
        request,
        "core/home.html",
        {"mine": mine, "public": public, "forces": forces_for(request.user)},
    )


@partnership_view("partnership.view")
def partnership_home(request, partnership):
    return render(
        request,
        "core/partnership_home.html",
        {
            "partnership": partnership,
            "can_upload": can(request.user, "data.upload", partnership),
            "can_audit": can(request.user, "audit.view", partnership),
            "can_edit_neighbours": can(request.user, "neighbours.edit", partnership),
            "can_edit_logo": can(request.user, "partnership.logo", partnership),
            "can_publish": can(request.user, "partnership.publish", partnership),
        },
    )


ERR_OBJECT_FILTER = "Filter by object as type:id, for example intelligence.ImportRun:12."
ERR_ACTOR_FILTER = "Filter by a person's user number, or by system."


@partnership_view("audit.view")
def audit_log(request, partnership):
    """The partnership's audit log, newest first, optionally for one object or one person.

    Read-only: GET and HEAD only. The filter labels come from this partnership's own events,
    never from the objects or users themselves, so a filter naming another partnership's
    object or user shows nothing about it.
    """
    errors: dict[str, str] = {}
    object_ref = actor = None
    if request.GET.get("object"):
        try:
            object_ref = audit.parse_object_ref(request.GET["object"])
        except ValueError:
            errors["filters"] = ERR_OBJECT_FILTER
    if request.GET.get("actor"):
        actor = request.GET["actor"]
        if actor != "system":
            actor = parse_id(actor)
            if actor is None:
                errors.setdefault("filters", ERR_ACTOR_FILTER)
    events = audit_event_list(partnership=partnership, object_ref=object_ref, actor=actor)
    if errors:
        events = events.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = [(event, audit.changes(event.before, event.after)) for event in page.object_list]
    latest = rows[0][0] if rows else None
    object_label = actor_label = None
    if object_ref is not None:
        object_label = latest.object_repr if latest else f"{object_ref[0]} {object_ref[1]}"
    if actor is not None:
        if actor == "system":
            actor_label = "system"
        else:
            actor_label = str(latest.actor) if latest else f"user {actor}"
    return render(
        request,
        "core/audit_log.html",
        {
            "partnership": partnership,
            "page": page,
            "rows": rows,
            "object_label": object_label,
            "actor_label": actor_label,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@partnership_view("partnership.publish", post=True)
def partnership_publish(request, partnership):
    """Publish or unpublish the crime overview (POST only; the page asks first)."""
    if request.method != "POST":
        return redirect("partnership_home", slug=partnership.slug)
    published = request.POST.get("published") == "1"
    partnership_publish_overview(partnership=partnership, by=request.user, published=published)
    messages.success(
        request,
        "The crime overview is now public."
        if published
        else "The crime overview is no longer public.",
    )
    return redirect("partnership_home", slug=partnership.slug)


@partnership_view("neighbours.edit", post=True)
def neighbour_group(request, partnership):
    """The partnership's neighbour group: the areas comparisons use by default (admins)."""
    current = partnership.neighbour_codes()
    errors: dict[str, str] = {}
    typed = ", ".join(current)
    if request.method == "POST":
        typed = request.POST.get("codes", "")[:1000]
        try:
            neighbour_group_set(
                partnership=partnership, by=request.user, codes=typed.replace(" ", ",").split(",")
            )
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        else:
            messages.success(request, "The neighbour group was saved.")
            return redirect("neighbour_group", slug=partnership.slug)
    return render(
        request,
        "core/neighbours.html",
        {"partnership": partnership, "current": current, "errors": errors, "typed": typed},
        status=400 if errors else 200,
    )


@accepts_upload
@partnership_view("partnership.logo", post=True)
def partnership_logo(request, partnership):
    """The partnership's logo for report covers: upload or remove it (admins)."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.POST.get("form") == "remove":
            error = run_confirmed(
                request,
                lambda: partnership_logo_set(partnership=partnership, by=request.user),
                "Tick the box to confirm that the logo should be removed.",
            )
            if error:
                errors = {"confirm": error}
            else:
                messages.success(request, "The logo was removed.")
                return redirect("partnership_logo", slug=partnership.slug)
        else:
            upload = request.FILES.get("logo")
            if upload is None:
                errors = {"logo": "Choose a PNG or JPEG image to upload."}
            else:
                try:
                    partnership_logo_set(partnership=partnership, by=request.user, upload=upload)
                except ValidationError as exc:
                    errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
                else:
                    messages.success(request, "The logo was saved: report covers now show it.")
                    return redirect("partnership_logo", slug=partnership.slug)
    return render(
        request,
        "core/logo.html",
        {"partnership": partnership, "errors": errors},
        status=400 if errors else 200,
    )


ERR_REVOKE = "Choose a token from the list to revoke."


@never_cache  # it shows a new token's secret
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def api_tokens(request):
    """The signed-in user's API tokens: create (secret shown once) and revoke."""
    new_key = None
    error = None
    if request.method == "POST":
        if "revoke" in request.POST:
            token_id = parse_id(request.POST["revoke"])
            if token_id is not None:
                token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
                api_token_revoke(token=token, by=request.user)
                messages.success(request, f"The token “{token.name}” was revoked.")
                return redirect("api_tokens")
            error = ERR_REVOKE
        else:
            try:
                _, new_key = api_token_create(user=request.user, name=request.POST.get("name", ""))
            except ValueError as exc:
                error = str(exc)
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "core/api_tokens.html",
        {"tokens": tokens, "new_key": new_key, "error": error},
        status=400 if error else 200,
    )


@require_safe
def glossary(request):
    """Plain-English meanings of the terms the pages use (public)."""
    return render(request, "core/glossary.html", {"terms": TERMS})


@require_safe
def accessibility(request):
    """The accessibility statement (public), in the GOV.UK model's sections."""
    return render(
        request,
        "core/accessibility.html",
        {
            "statement": accessibility_statement_get(),
            "can_edit": can_site(request.user, "site.accessibility_statement"),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def accessibility_edit(request):
    """Edit the accessibility statement (site administrators only)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    require_site(request.user, "site.accessibility_statement")
    statement = accessibility_statement_get()
    form = AccessibilityStatementForm(
        request.POST if request.method == "POST" else None, instance=statement
    )
    if request.method == "POST" and form_save(
        request,
        form,
        lambda data: accessibility_statement_save(by=request.user, **data),
        "The accessibility statement was saved.",
    ):
        return redirect("accessibility")
    return render(request, "core/accessibility_edit.html", {"form": form}, status=form_status(form))


@require_safe
def privacy(request):
    """Where to find each partnership's privacy notice (public): those the public may read,
    and the signed-in user's own."""
    notices = privacy_notice_list(partnerships=partnerships_for(request.user))
    return render(request, "core/privacy.html", {"partnerships": notices})


@partnership_view("privacy.view")
def privacy_notice(request, partnership):
    """The partnership's privacy notice: public once saved; members see the default text
    until then."""
    notice = privacy_notice_get(partnership=partnership)
    return render(
        request,
        "core/privacy_notice.html",
        {
            "partnership": partnership,
            "notice": notice,
            "sections": [(title, getattr(notice, field)) for field, title in PRIVACY_SECTIONS],
            "can_edit": can(request.user, "privacy.edit", partnership),
            "history_url": audit_history_url(request.user, partnership, notice)
            if notice.pk
            else None,
        },
    )


@partnership_view("privacy.edit", post=True)
def privacy_notice_edit(request, partnership):
    """The partnership admin writes the privacy notice; saving publishes it."""
    notice = privacy_notice_get(partnership=partnership)
    form = PrivacyNoticeForm(request.POST if request.method == "POST" else None, instance=notice)
    if request.method == "POST" and form_save(
        request,
        form,
        lambda data: privacy_notice_save(partnership=partnership, by=request.user, **data),
        "The privacy notice was saved. Anyone can now read it.",
    ):
        return redirect("privacy_notice", slug=partnership.slug)
    return render(
        request,
        "core/privacy_notice_edit.html",
        {"partnership": partnership, "form": form, "notice": notice},
        status=form_status(form),
    )


@require_safe
def cookies(request):
    """Every cookie the service sets, with purpose and lifetime (public)."""
    return render(request, "core/cookies.html", {"cookies": cookie_list()})


@require_safe
@never_cache
def health(request):
    """For the proxy and monitoring (public): 200 when the database, the warehouse and the
    task worker are all working, else 503; JSON naming the failing check, nothing private."""
    result = health_check()
    return JsonResponse(result.as_json(), status=200 if result.healthy else 503)


# --- error pages (config/urls.py handler400/403/404/500) ---------------------------------


def _error(request, status: int, title: str):
    return render(request, "error.html", {"status": status, "title": title}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "Sorry, there is a problem with the request")


def permission_denied(request, exception=None):
    return _error(request, 403, "You cannot see this page")


def page_not_found(request, exception=None):
    return _error(request, 404, "Page not found")


def server_error(request):
    """500: rendered without context processors (the database may be what failed)."""
    from django.http import HttpResponseServerError
    from django.template import loader

    html = loader.get_template("500.html").render({"status": 500})
    return HttpResponseServerError(html)
