"""A request id on every log line of a request, and on its answer.

The reverse proxy names each request (nginx: ``proxy_set_header X-Request-ID $request_id``,
deploy/nginx/saferstat.conf) and logs the id in its own access log; the app takes it, or
makes one when there is no proxy, sets it on the answer's ``X-Request-ID`` header and on every
log record written while answering (`saferstat.core.logfilters.RequestId`), then writes one
access line. So a user's "it went wrong at 10:32" and the id their browser saw find the
proxy's line, the app's lines and the traceback together.
"""

from __future__ import annotations

import logging
import time

from .logfilters import current_request_id, request_id_from

HEADER = "X-Request-ID"
access_log = logging.getLogger("saferstat.access")


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every other middleware's log lines carry the id too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            access_log.info(
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            current_request_id.reset(token)
