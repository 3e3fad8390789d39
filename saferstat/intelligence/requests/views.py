"""Pages for members' data requests."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from saferstat.core.permissions import can
from saferstat.core.views_helpers import audit_history_url, partnership_view

from .models import RequestStatus
from .selectors import request_events, request_get, request_saved_views
from .selectors import request_list as request_list_q
from .services import (
    data_request_answer,
    data_request_raise,
    data_request_set_status,
    explorer_query_from_url,
    saved_view_create,
)


@partnership_view("requests.view")
def request_list(request, partnership):
    mine = request.GET.get("who") == "mine"
    status = (
        request.GET.get("status") if request.GET.get("status") in {"open", "answered"} else None
    )
    qs = request_list_q(partnership=partnership, user=request.user if mine else None, status=status)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "intelligence/requests/request_list.html",
        {
            "partnership": partnership,
            "page": page,
            "mine": mine,
            "status": status,
            "today": timezone.localdate(),
            "can_raise": can(request.user, "requests.raise", partnership),
        },
    )


@partnership_view("requests.raise", post=True)
def request_new(request, partnership):
    errors: dict[str, str] = {}
    values = {"question": "", "due_date": ""}
    if request.method == "POST":
        values = {
            "question": request.POST.get("question", ""),
            "due_date": request.POST.get("due_date", ""),
        }
        try:
            due = dt.date.fromisoformat(values["due_date"])
        except ValueError:
            errors["due_date"] = "Enter the date the answer is needed, for example 2026-12-31."
            due = None
        if due is not None:
            try:
                created = data_request_raise(
                    partnership=partnership,
                    by=request.user,
                    question=values["question"],
                    due_date=due,
                )
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
            else:
                messages.success(
                    request, "Your data request was sent to the partnership's analysts."
                )
                return redirect("requests:detail", slug=partnership.slug, request_id=created.pk)
        elif not values["question"].strip():
            errors["question"] = "Enter the question you want the data to answer."
    return render(
        request,
        "intelligence/requests/request_new.html",
        {"partnership": partnership, "errors": errors, "values": values},
        status=400 if errors else 200,
    )


@partnership_view("requests.view", post=True)
def request_detail(request, partnership, request_id: int):
    data_request = request_get(partnership=partnership, request_id=request_id)
    can_answer = can(request.user, "requests.answer", partnership)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_answer:
            raise PermissionDenied("Only analysts answer requests")
        action = request.POST.get("action")
        try:
            if action == "answer":
                data_request_answer(
                    request=data_request,
                    by=request.user,
                    answer=request.POST.get("answer", ""),
                    close=request.POST.get("close") == "1",
                )
                messages.success(request, "The answer was saved.")
            elif action == "status":
                data_request_set_status(
                    request=data_request, by=request.user, status=request.POST.get("status", "")
                )
                messages.success(request, "The status was changed.")
            elif action == "attach":
                query = explorer_query_from_url(
                    partnership=partnership, url=request.POST.get("url", "")
                )
                saved_view_create(
                    partnership=partnership,
                    by=request.user,
                    title=request.POST.get("title", ""),
                    query=query,
                    request=data_request,
                )
                messages.success(request, "The explorer view was attached.")
            else:
                raise ValidationError({"action": "Unknown action."})
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
        else:
            return redirect("requests:detail", slug=partnership.slug, request_id=data_request.pk)
    return render(
        request,
        "intelligence/requests/request_detail.html",
        {
            "partnership": partnership,
            "req": data_request,
            "events": request_events(data_request=data_request),
            "views": request_saved_views(data_request=data_request),
            "can_answer": can_answer,
            "errors": errors,
            "statuses": RequestStatus.choices,
            "today": timezone.localdate(),
            "history_url": audit_history_url(request.user, partnership, data_request),
        },
        status=400 if errors else 200,
    )
