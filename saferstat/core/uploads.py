"""Bounded uploads: a body that is too large, or sent by someone who may not upload, is
refused before it is read or written whole.

Three guards, all set up in ``config/settings/base.py``:

* :class:`UploadGuardMiddleware` (before ``CsrfViewMiddleware``, whose check reads the body)
  looks at each request that has a body before anything reads it. A page marked with
  :func:`accepts_upload` gets files only from users its permission allows (others are sent
  to sign in, or refused with 403) and only up to ``SAFERSTAT_MAX_UPLOAD_BYTES`` by
  ``Content-Length`` (413, "The file is larger than the limit of N MB"). Every other page
  takes no files at all, and no body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``.
* :class:`LimitedUploadHandler` (first in ``FILE_UPLOAD_HANDLERS``) counts the file bytes
  as they arrive and stops the upload as soon as they pass the limit, so nothing larger is
  ever written to the temporary folder.
* The proxy in front (nginx ``client_max_body_size``) should refuse the same bodies first;
  see docs/security.md, "Uploads".
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict

from .permissions import can, can_force
from .selectors import partnership_get

#: Room for the form's other fields and the multipart headers, on top of the file limit.
FORM_OVERHEAD_BYTES = 256 * 1024
#: Requests with these methods have no body to guard.
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_TOO_LARGE = "saferstat_upload_too_large"


def accepts_upload(view=None, *, action: str | None = None):
    """Mark a :func:`~saferstat.core.views_helpers.partnership_view` (or ``force_view``) page
    as one that takes uploaded files: its permission (``saferstat_action``, or
    ``saferstat_force_action``) is checked before the body is read, and files up to
    ``SAFERSTAT_MAX_UPLOAD_BYTES`` are accepted.

    ``@accepts_upload(action="...")`` checks that action instead, for a page every member
    reads whose files only some may send (e.g. the communications log: ``delivery.view``
    to read, ``delivery.manage`` to attach a file)."""

    def mark(view):
        if not (
            getattr(view, "saferstat_action", None) or getattr(view, "saferstat_force_action", None)
        ):
            raise TypeError(
                "accepts_upload needs a partnership_view or force_view (it checks its permission)"
            )
        view.saferstat_accepts_upload = True
        if action:
            view.saferstat_upload_action = action
        return view

    return mark(view) if view is not None else mark


def size_text(limit: int) -> str:
    """``200 MB`` (or ``512 KB``, ``10 bytes`` for small limits)."""
    if limit >= 1024 * 1024:
        return f"{limit // (1024 * 1024):,} MB"
    if limit >= 1024:
        return f"{limit // 1024:,} KB"
    return f"{limit:,} bytes"


def too_large(request, limit: int):
    """The 413 page: "The file is larger than the limit of N MB"."""
    return render(
        request,
        "core/upload_too_large.html",
        {"limit": size_text(limit), "back_url": request.get_full_path()},
        status=413,
    )


class LimitedUploadHandler(FileUploadHandler):
    """Stops an upload as soon as the request's file bytes pass ``SAFERSTAT_MAX_UPLOAD_BYTES``.

    First in ``FILE_UPLOAD_HANDLERS``: it sees each piece (64 KB) before the handlers that
    keep it in memory or write it to the temporary folder; they never get the piece that
    passes the limit, and the partial temporary file is deleted.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.SAFERSTAT_MAX_UPLOAD_BYTES
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                setattr(self.request, _TOO_LARGE, True)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


class NoFilesHandler(FileUploadHandler):
    """For pages that take no files: the first file part stops reading the body."""

    def new_file(self, *args, **kwargs):
        raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data, start):  # pragma: no cover - never reached
        return None

    def file_complete(self, file_size):  # pragma: no cover - never reached
        return None


def _drop_body(request) -> None:
    """Make the request's form empty, so that nothing reads the body after a refusal (the
    403, 404 and 500 pages run a CSRF check, which would read the form)."""
    request._post, request._files = QueryDict(), MultiValueDict()


def _content_length(request) -> int | None:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except (TypeError, ValueError):
        return None


class UploadGuardMiddleware:
    """Refuses a body by its sender and its declared size before anything reads it.

    Must come before ``CsrfViewMiddleware``: the CSRF check reads the form, and with it the
    whole body (an anonymous client with a CSRF cookie could otherwise make the server
    write gigabytes to its temporary folder before being sent to sign in).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in _NO_BODY:
            return None
        length = _content_length(request)
        if length is None:
            _drop_body(request)
            return HttpResponseBadRequest("Bad Content-Length")
        if not getattr(view_func, "saferstat_accepts_upload", False):
            request.upload_handlers = [NoFilesHandler(request)]
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and length > limit + FORM_OVERHEAD_BYTES:
                _drop_body(request)
                return too_large(request, limit)
            return None
        try:
            force_action = getattr(view_func, "saferstat_force_action", None)
            if force_action:
                allowed = can_force(request.user, force_action, view_kwargs.get("force", ""))
            else:
                partnership = partnership_get(slug=view_kwargs.get("slug", ""))
                action = getattr(view_func, "saferstat_upload_action", None)
                allowed = can(request.user, action or view_func.saferstat_action, partnership)
        except Exception:
            _drop_body(request)
            raise
        if not allowed:
            _drop_body(request)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied("Not allowed: upload")
        limit = settings.SAFERSTAT_MAX_UPLOAD_BYTES
        if length > limit + FORM_OVERHEAD_BYTES:
            _drop_body(request)
            return too_large(request, limit)
        # Read the form now, through LimitedUploadHandler, and answer 413 if it stopped the
        # upload (the CSRF check comes next and would otherwise answer first).
        request.POST  # noqa: B018
        if getattr(request, _TOO_LARGE, False):
            return too_large(request, limit)
        return None
