# SaferStat: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export SAFERSTAT_WAREHOUSE ?= $(CURDIR)/var/warehouse
# Python caches compiled modules (and pytest its rewritten tests) in __pycache__: a machine
# that sets PYTHONDONTWRITEBYTECODE would otherwise compile every module in every process,
# which costs the test suite about 7 s per worker and every CLI test a second or more.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install system-deps demo serve test check test-postgres smoke e2e lint bench bench-spark clean help

help:
	@echo "make demo   install, load the Rotherham demo and serve http://$(HOST):$(PORT)"
	@echo "make test   install what tests need and run the whole suite (browser journeys included)"
	@echo "make smoke  a production install (gunicorn, worker, PostgreSQL) used over HTTP"
	@echo "make lint   ruff;  make e2e  browser journeys only;  make bench  benchmarks (BENCH_SCALE=1: national)"

## install: the virtualenv (uv, from uv.lock), front-end packages (npm, from package-lock.json)
install: $(VENV)/.installed saferstat/static/vendor/.built

$(VENV)/.installed: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --locked --group dev
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

saferstat/static/vendor/.built: node_modules/.installed scripts/build_frontend.py
	$(BIN)/python scripts/build_frontend.py
	@touch $@

## system-deps: Debian's chromium (browser tests), fonts and poppler-utils (PDF pages
## rendered to check they are not blank); needs root, skipped when present
system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/pdftoppm ] || ! fc-list 2>/dev/null | grep -qi "liberation sans"; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q chromium fonts-liberation poppler-utils; \
	  else echo "Install Debian's chromium, fonts-liberation and poppler-utils: sudo apt-get install chromium fonts-liberation poppler-utils"; exit 1; fi; \
	fi

.env:
	@$(PYTHON) -c "import secrets,pathlib; t=pathlib.Path('.env.example').read_text(); pathlib.Path('.env').write_text(t.replace('SECRET_KEY=change-me', 'SECRET_KEY=' + secrets.token_urlsafe(48)))"
	@echo "wrote .env from .env.example (with a new SECRET_KEY)"

## demo: safe to run again; keeps what is there and updates it
demo: install .env
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input -v 0
	$(BIN)/saferstat reference demo_data/ons
	$(BIN)/saferstat load demo_data/police-uk
	$(BIN)/python manage.py demo_setup
	$(BIN)/python manage.py demo_partner_data
	$(BIN)/python manage.py demo_governance
	$(BIN)/python manage.py demo_casereviews
	$(BIN)/python manage.py demo_plan_performance
	$(BIN)/python manage.py demo_assessment
	$(BIN)/python manage.py demo_delivery
	$(BIN)/python manage.py demo_reports
	$(MAKE) --no-print-directory serve

serve:
	@echo "Starting the task worker and the web app on http://$(HOST):$(PORT) (Ctrl-C stops both)"
	$(BIN)/python manage.py recover_stuck_jobs --older-than 0
	$(BIN)/python manage.py worker_heartbeat
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python manage.py db_worker --no-reload --interval 0.5 & \
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

## check: the edit-test loop: lint, then unit and service tests without the browser, subprocess
## round trips, the every-URL crawls, the demos (tests/conftest.py OUT_OF_CHECK) or the slow tests (SLOW)
check: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist loadgroup -q --nomigrations \
	  -m "not e2e and not slow and not subprocess and not warehouse"

## test: the whole suite on SQLite (browser journeys included), then on PostgreSQL when
## SAFERSTAT_TEST_POSTGRES_URL is set (.ci/run sets it)
test: install system-deps lint
	$(BIN)/pytest -n 2 --dist loadgroup -q
	@if [ -n "$$SAFERSTAT_TEST_POSTGRES_URL" ]; then $(MAKE) --no-print-directory test-postgres; fi

# On PostgreSQL: every test that uses the database (marker `database`, every app), but not
# the browser journeys, and of the tests over a real year of police.uk months (`warehouse`:
# what they add is DuckDB's, not the database's) only the every-URL crawls (access matrix,
# isolation, fuzzing, query counts). Tests that start their own SQLite installs in
# subprocesses (backup round trips, killed workers, collectstatic) gain nothing from a second
# run here; the PostgreSQL backup test runs.
PG_SKIP := not (test_worker_kill or test_static or (test_backup and not postgresql))
test-postgres: install
	DATABASE_URL="$$SAFERSTAT_TEST_POSTGRES_URL" $(BIN)/pytest -n 2 --dist loadgroup -q \
	  -m "database and not e2e and (subprocess or not warehouse)" -k "$(PG_SKIP)"

## smoke: a production install on PostgreSQL, used over HTTP (scripts/smoke.py): production
## settings, migrate, one real month, gunicorn and the task worker, sign in, overview, an
## upload through the worker, the API, security headers; then everything stopped and dropped.
## Uses SAFERSTAT_SMOKE_POSTGRES_URL or SAFERSTAT_TEST_POSTGRES_URL (.ci/run sets it).
smoke: install
	$(BIN)/python scripts/smoke.py

e2e: install system-deps
	$(BIN)/pytest -q -m e2e tests/e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check saferstat tests config bench scripts

## bench: ingest, queries, web and the annual report against baselines (pandas, DuckDB, zcat,
## the overview page), at a small scale
## by default (a few minutes); BENCH_SCALE=1 is the full national size (~60M rows).
## Results are appended to docs/benchmarks.md. Needs wrk for the load test (installed with
## apt when run as root; otherwise a slower Python client is used).
BENCH_SCALE ?= 0.01
BENCH_ARGS ?=
bench: install
	@if ! command -v wrk >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null || \
	  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; } || true; \
	fi
	$(BIN)/python bench/run.py --scale $(BENCH_SCALE) $(BENCH_ARGS)

## bench-spark: the overview aggregate with pyspark local[2] over the warehouse's Parquet
## files must equal SaferStat's answer. Installs the spark group (pyspark) only here.
bench-spark: install
	$(UV) sync --locked --group dev --group spark
	$(BIN)/python bench/spark_check.py --scale $(BENCH_SCALE)

clean:
	rm -rf var/warehouse var/static .pytest_cache
