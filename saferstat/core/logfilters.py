"""Logging filters. Loaded by the logging configuration before Django's apps are ready, so
this module imports nothing from Django or the apps."""

from __future__ import annotations

import logging


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
