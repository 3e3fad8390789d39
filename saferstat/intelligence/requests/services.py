"""Members' data requests: raise, answer, change status, attach saved explorer views."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferstat.core import audit
from saferstat.core.models import Partnership, User
from saferstat.core.permissions import require
from saferstat.core.sanitise import clean_plain

from .models import DataRequest, DataRequestEvent, RequestStatus, SavedView

ERR_QUESTION = "Enter the question you want the data to answer."
ERR_DUE_PAST = "The date the answer is needed must be today or in the future."
ERR_ANSWER = "Enter the written answer."
ERR_VIEW_URL = "Paste the address of an explorer view of this partnership (it starts {prefix})."


def _event(request: DataRequest, actor: User, kind: str, text: str = "") -> None:
    DataRequestEvent.objects.create(request=request, actor=actor, kind=kind, text=text)


@transaction.atomic
def data_request_raise(
    *, partnership: Partnership, by: User, question: str, due_date: dt.date
) -> DataRequest:
    require(by, "requests.raise", partnership)
    question = clean_plain(question or "").strip()
    if not question:
        raise ValidationError({"question": ERR_QUESTION})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": ERR_DUE_PAST})
    request = DataRequest.objects.create(
        partnership=partnership, raised_by=by, question=question, due_date=due_date
    )
    _event(request, by, "raised", question)
    audit.record(
        actor=by,
        verb="data_request.raise",
        obj=request,
        partnership=partnership,
        after=audit.snapshot(request),
    )
    return request


@transaction.atomic
def data_request_answer(
    *, request: DataRequest, by: User, answer: str, close: bool = False
) -> DataRequest:
    """Record (or update) the written answer; the request becomes answered (or closed)."""
    require(by, "requests.answer", request.partnership)
    answer = clean_plain(answer or "").strip()
    if not answer:
        raise ValidationError({"answer": ERR_ANSWER})
    before = audit.snapshot(request, ["status", "answer"])
    request.answer = answer
    request.answered_by = by
    request.answered_at = timezone.now()
    request.status = RequestStatus.CLOSED if close else RequestStatus.ANSWERED
    request.save()
    _event(request, by, "answered", answer)
    audit.record(
        actor=by,
        verb="data_request.answer",
        obj=request,
        partnership=request.partnership,
        before=before,
        after=audit.snapshot(request, ["status", "answer"]),
    )
    return request


@transaction.atomic
def data_request_set_status(*, request: DataRequest, by: User, status: str) -> DataRequest:
    require(by, "requests.answer", request.partnership)
    if status not in RequestStatus.values:
        raise ValidationError({"status": "Choose a status."})
    if status == request.status:
        return request
    before = audit.snapshot(request, ["status"])
    request.status = status
    request.save(update_fields=["status"])
    _event(request, by, "status", RequestStatus(status).label)
    audit.record(
        actor=by,
        verb="data_request.status",
        obj=request,
        partnership=request.partnership,
        before=before,
        after=audit.snapshot(request, ["status"]),
    )
    return request


def explorer_query_from_url(*, partnership: Partnership, url: str) -> str:
    """The query string of an explorer address of this partnership, or a ValidationError."""
    prefix = f"/p/{partnership.slug}/explore/"
    parts = urlsplit((url or "").strip())
    if parts.path != prefix or not parts.query:
        raise ValidationError({"url": ERR_VIEW_URL.format(prefix=prefix)})
    return parts.query[:1000]


@transaction.atomic
def saved_view_create(
    *,
    partnership: Partnership,
    by: User,
    title: str,
    query: str,
    request: DataRequest | None = None,
) -> SavedView:
    """Save an explorer view (optionally as evidence for a request)."""
    require(by, "requests.answer" if request is not None else "explorer.view", partnership)
    if request is not None and request.partnership_id != partnership.pk:
        raise ValidationError("The request belongs to another partnership.")
    title = clean_plain(title or "").strip()[:200] or "Explorer view"
    view = SavedView.objects.create(
        partnership=partnership, request=request, title=title, query=query, created_by=by
    )
    if request is not None:
        _event(request, by, "view_attached", title)
        if request.status == RequestStatus.OPEN:
            request.status = RequestStatus.IN_PROGRESS
            request.save(update_fields=["status"])
    audit.record(
        actor=by,
        verb="saved_view.create",
        obj=view,
        partnership=partnership,
        after=audit.snapshot(view),
    )
    return view
