"""Logging filters, and the request id every log line of a request carries. Loaded by the
logging configuration before Django's apps are ready, so this module imports nothing from
Django or the apps."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid


class ClientErrorsInOneLine(logging.Filter):
    """Drops the traceback from Django's log line for a 4xx answer (a 403 raised as
    PermissionDenied, a 404 raised as Http404): they are the app refusing as it should, so
    a line with the status and path is enough. 5xx records keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.name == "django.request" and status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


#: The id of the request being answered in this thread or task, for every log line written
#: while answering it (set by `saferstat.core.request_id.RequestIdMiddleware`); None outside
#: a request.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "saferstat_request_id", default=None
)

#: What an id taken from the proxy's X-Request-ID header may look like: nginx's $request_id
#: (32 hex digits), a UUID, or a load balancer's trace id. Anything else is replaced, so a
#: client cannot write arbitrary text (or a forged line break) into the log.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:=-]{1,128}")


def request_id_from(header: str | None) -> str:
    """The proxy's request id if it is well-formed, else a new random one."""
    if header and REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestId(logging.Filter):
    """Adds ``request_id`` to every record: the id of the request being answered, or "-"
    (text) / null (JSON) outside one. Put it on the handler, so records from every logger
    (Django's, the app's, libraries') carry it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a 4xx or 5xx answer after the middleware has finished (outside
            # the context), with the request on the record: its id is there.
            record.request_id = current_request_id.get() or getattr(
                getattr(record, "request", None), "request_id", None
            )
        return True


class TextRequestId(RequestId):
    """`RequestId` for the text format, which cannot print None."""

    def filter(self, record: logging.LogRecord) -> bool:
        super().filter(record)
        if record.request_id is None:
            record.request_id = "-"
        return True
