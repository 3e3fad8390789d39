"""The one place a view turns a URL's partnership slug into a partnership it may act on."""

from __future__ import annotations

import re
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseNotAllowed
from django.urls import reverse

from .audit import object_ref
from .models import Partnership
from .permissions import can, require, require_force
from .selectors import partnership_get

#: Methods a page answers: reading it. Pages with a form add POST (`post=True`).
SAFE_METHODS = ("GET", "HEAD")


def partnership_view(action: str, *, post: bool = False):
    """Decorate a view taking `slug`: loads the partnership and checks `action`.

    Anonymous users who are refused are sent to sign in; signed-in users get 403. Then a
    method the page does not answer gets 405: GET and HEAD, and POST only with
    `post=True` (a page with a form). So a POST never reaches a read-only view, and the
    check comes after the permission check, so it tells an outsider nothing.
    The view receives `partnership` instead of `slug`.
    """
    methods = (*SAFE_METHODS, "POST") if post else SAFE_METHODS

    def decorator(view):
        @wraps(view)
        def wrapper(request, slug: str, *args, **kwargs):
            partnership = partnership_get(slug=slug)
            try:
                require(request.user, action, partnership)
            except PermissionDenied:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, partnership, *args, **kwargs)

        wrapper.saferstat_action = action
        wrapper.saferstat_methods = methods
        return wrapper

    return decorator


def force_view(action: str, *, post: bool = False):
    """Decorate a view taking `force` (a police.uk force slug): checks the force-level
    `action` (``FORCE_RULES``). Anonymous users are sent to sign in; others get 403; a force
    no partnership is served by is 404. Then, as for `partnership_view`, a method the page
    does not answer gets 405 (POST only with `post=True`)."""
    methods = (*SAFE_METHODS, "POST") if post else SAFE_METHODS

    def decorator(view):
        @wraps(view)
        def wrapper(request, force: str, *args, **kwargs):
            try:
                require_force(request.user, action, force)
            except PermissionDenied:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise
            if not Partnership.objects.filter(force_slug=force).exists():
                raise Http404("No partnership is served by this force")
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, force, *args, **kwargs)

        wrapper.saferstat_force_action = action
        wrapper.saferstat_methods = methods
        return wrapper

    return decorator


_ID = re.compile(r"[1-9][0-9]{0,18}")
#: The largest id a database integer column holds (PostgreSQL bigint, SQLite integer).
MAX_ID = 2**63 - 1


def parse_id(text: str | None) -> int | None:
    """A database id from a query or form value, or None if it is not one.

    Only ASCII digits count (``str.isdigit`` also says yes to ``²`` and ``١``, which
    ``int`` then refuses or the database cannot hold), from 1 to :data:`MAX_ID`.
    """
    if not isinstance(text, str) or not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def audit_history_url(user, partnership, obj: models.Model) -> str | None:
    """The partnership's audit log filtered to `obj`, or None if the user may not read it."""
    if not can(user, "audit.view", partnership):
        return None
    query = urlencode({"object": object_ref(obj)})
    return f"{reverse('audit_log', kwargs={'slug': partnership.slug})}?{query}"


def form_save(request, form, write, success: str) -> bool:
    """Run `write(cleaned_data)` if the form is valid; put service errors on the form.

    A service's error on a field the form has goes on that field, any other on the form as a
    whole. On success the `success` message is flashed and True returned.
    """
    if not form.is_valid():
        return False
    try:
        write(form.cleaned_data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    messages.success(request, success)
    return True


def posted_form(request, name: str):
    """The POST data when this request posted the form named `name` (its hidden ``form``
    field), else None: for pages with more than one form."""
    return request.POST if request.method == "POST" and request.POST.get("form") == name else None


def form_status(*forms_) -> int:
    """400 when any bound form has errors, else 200 (None stands for a form not shown)."""
    return 400 if any(f is not None and f.is_bound and f.errors for f in forms_) else 200


def run_confirmed(request, write, unconfirmed: str) -> str:
    """Run `write()` only when the POST confirms it (its box ``confirm=yes`` ticked): for
    removals and deletions. Returns the error to show, or "" once done: `unconfirmed` when
    the box was not ticked, else the service's refusal (its messages, joined)."""
    if request.POST.get("confirm") != "yes":
        return unconfirmed
    try:
        write()
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def error_texts(exc: ValidationError, *, field: str = "form", sep: str = " ") -> dict[str, str]:
    """A service's refusal as one text a field, for a page to show beside each field: a
    field's messages joined with `sep`; an error on no field goes under `field`."""
    if hasattr(exc, "error_dict"):
        return {k: sep.join(v) for k, v in exc.message_dict.items()}
    return {field: sep.join(exc.messages)}
