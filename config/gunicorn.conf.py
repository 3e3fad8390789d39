"""gunicorn settings for a production SaferStat: ``gunicorn -c config/gunicorn.conf.py config.wsgi``.

Sync workers, one request at a time each, cores + 1 of them. SaferStat's pages are CPU-bound
Python (figures come from a per-worker cache, the warehouse is local), so threads inside a
worker only queue behind its GIL; and with keep-alive connections pinned to threaded workers,
a few connections wait behind a busy worker while others idle. Sync workers take the next
connection from one shared socket, so waiting is shared fairly: on a 2-core machine with 50
concurrent users the overview page's p95 fell from ~380 ms (4 gthread workers x 4 threads)
to ~110 ms (3 sync workers), with more requests served (docs/benchmarks.md).

Sync workers need a buffering reverse proxy in front (nginx, a cloud load balancer), which a
public deployment has anyway for TLS: without one, a slow client holds a worker.

Environment: ``SAFERSTAT_BIND`` (default 127.0.0.1:8000), ``WEB_CONCURRENCY`` (workers).
"""

import multiprocessing
import os

bind = os.environ.get("SAFERSTAT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = 60
graceful_timeout = 30
# Recycle workers now and then: each keeps caches of figures per warehouse version.
max_requests = 20_000
max_requests_jitter = 2_000
# No access log of gunicorn's own: the app writes one line per request (saferstat.access,
# with its request id, status and duration) in the format SAFERSTAT_LOG_FORMAT chooses.
accesslog = None
errorlog = "-"
