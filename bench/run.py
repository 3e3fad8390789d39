"""SaferStat's benchmarks: ingest, queries and web, each against a baseline timed in the same run.

``make bench`` runs this at a small scale (a few minutes); ``make bench BENCH_SCALE=1`` at full
national size (about 60 million rows). Results are printed, saved as JSON under ``--work`` and
appended to ``docs/benchmarks.md`` with the machine, the date and the git commit.

Sections (``--sections``, default all):

* ``ingest``: on the 65 real South Yorkshire files and on the synthetic national set
  (``bench/generate.py``): ``zcat`` on one and on two cores (the decompression floor), DuckDB's
  own CSV scan writing the counts per month, LSOA and crime type, a plain pandas script writing
  the same counts, SaferStat's validating reader alone, and ``saferstat load`` (validated,
  written to Parquet). Each is a child process: wall time, CPU time and peak memory (its own
  ``wait4`` resource usage), rows per second.
* ``queries``: a partnership's overview figures (``measures.overview``), its ward hotspots
  (``hotspots.hotspots``) and the comparison with its neighbours (``compare.compare_areas``) on
  the national warehouse, cold (a new process) and warm (repeated, a new connection each time,
  as a web request opens one), p50 and p95, against the same figures in pandas; the answers
  must agree.
* ``web``: gunicorn with ``config.settings.production`` on loopback, the demo partnerships on a
  temporary SQLite database and the national warehouse; ``wrk`` (or, without it, a Python
  client) keeps 50 connections busy for ``--web-seconds`` per URL: the overview page and the
  JSON API (overview and counts) anonymously, then Rotherham's Board dashboard page (a signed-in
  analyst's session) and indicators API (an API token) from ``demo_plan_performance``.
  Requests per second and p95; any error fails the run.
* ``reports``: the 2024/25 annual report of the demo partnership (Rotherham) on a temporary
  SQLite database with every demo loaded (``make demo``'s commands) and the demo warehouse
  (the 65 real South Yorkshire files): every section from the records, the public version,
  the tagged PDF and the XLSX annex, each step timed (and each section), against the
  baseline of the same year's crime overview page in the same process. The issue's target:
  under 30 seconds on 2 cores; the PDF's share is reported.
* ``--growth 1,4,16``: ``saferstat load``, pandas and DuckDB at several multiples of the South
  Yorkshire data (generated), for the growth table in ``docs/scaling.md``.

The machine is not otherwise idle-checked: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench.tasks import AREA, FORCE, PERIOD

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent
SY_FILES = ROOT / "demo_data" / "police-uk"
ONS = ROOT / "demo_data" / "ons"
SY_ROWS = 960_313
FULL_ROWS_10_YEARS = 60_000_000  # bench/generate.py: rows at scale 1 over 10 years
REPORT = ROOT / "docs" / "benchmarks.md"
WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")

#: The demo partnership whose overview is published (readable without signing in).
WEB_SLUG = "doncaster"
WEB_FY = "2024-25"

#: The demo partnership with a plan, indicators and returns (``demo_plan_performance``), and
#: the quarter its Board dashboard and indicators API are timed at.
PERF_SLUG = "rotherham"
PERF_QUARTER = "2024/25-Q4"

#: The pandas script holds every row in memory (~0.7 GB per million rows): past this the
#: growth runs skip it rather than push a shared machine into swap.
PANDAS_MAX_ROWS = 8_000_000
PANDAS = "pandas script (read_csv, groupby, to_parquet)"


# --- measuring a child process --------------------------------------------------------------


@dataclass
class Run:
    name: str
    wall: float
    cpu: float
    peak_mb: float
    rc: int
    out: str = ""


def measure(name: str, cmd: list[str], *, env: dict | None = None, capture: bool = False) -> Run:
    """Run ``cmd``; its wall time, CPU time and peak RSS (the OS's accounting, ``wait4``)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    out, err = b"", b""
    if capture:
        # stderr is read in a thread: a child that writes much to both pipes would block on
        # a full stderr pipe while this reads stdout.
        errors: list[bytes] = []
        reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()))
        reader.start()
        out = proc.stdout.read()
        reader.join()
        err = errors[0] if errors else b""
    else:
        err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(err.decode(errors="replace")[-3000:])
        raise SystemExit(f"{name}: {' '.join(cmd[:4])} ... exited {proc.returncode}")
    return Run(
        name,
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        proc.returncode,
        out.decode(),
    )


def median_run(runs: list[Run]) -> Run:
    ordered = sorted(runs, key=lambda r: r.wall)
    mid = ordered[len(ordered) // 2]
    return Run(mid.name, mid.wall, mid.cpu, max(r.peak_mb for r in runs), mid.rc, mid.out)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- data ------------------------------------------------------------------------------------


def national_files(work: Path, scale: float, years: int, seed: int) -> tuple[Path, dict]:
    """Generate (or reuse) the synthetic national files for these parameters."""
    folder = work / f"national-s{scale:g}-y{years}-seed{seed}"
    summary_path = folder / "generate.json"
    if summary_path.exists():
        summary = json.loads(summary_path.read_text())
        if summary.get("files") and len(list(folder.glob("*-street.csv.gz"))) == summary["files"]:
            say(f"reusing {folder} ({summary['rows']:,} rows)")
            return folder, summary
    say(f"generating national data, scale {scale:g}, {years} years -> {folder}")
    if folder.exists():
        shutil.rmtree(folder)
    # In a child process: this process stays small, and a child's peak memory (wait4) cannot
    # read below the size of the process that started it.
    measure(
        "generate",
        [
            PY,
            "bench/generate.py",
            "--out",
            str(folder),
            "--scale",
            f"{scale!r}",
            "--years",
            str(years),
            "--seed",
            str(seed),
            "--gzip",
        ],
    )
    summary = json.loads(summary_path.read_text())
    say(f"  {summary['files']:,} files, {summary['rows']:,} rows in {summary['seconds']:.0f} s")
    return folder, summary


def file_list(work: Path, folder: Path, tag: str) -> tuple[Path, list[Path]]:
    files = sorted(folder.glob("*-street.csv.gz"))
    listing = work / f"files-{tag}.txt"
    listing.write_text("".join(f"{f}\n" for f in files))
    return listing, files


def bench_database(work: Path) -> None:
    """Give every command this run starts (``saferstat load`` records each month in the audit
    log) a migrated database of the bench's own and a secret key, so that `make bench` works
    on a fresh clone, without `make demo` or a ``.env``. The web section makes its own."""
    os.environ.update(
        {
            "SAFERSTAT_SKIP_DOTENV": "1",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        }
    )
    subprocess.run(
        [PY, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


#: Written in a kept warehouse once the whole national folder is loaded into it: a load that
#: failed half-way (no SECRET_KEY, a full disk) is loaded again by the next run.
LOADED_MARK = ".bench-loaded"


def fresh_warehouse(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    measure("reference", [str(BIN / "saferstat"), "reference", str(ONS), "--warehouse", str(path)])


# --- ingest ----------------------------------------------------------------------------------


def ingest(work: Path, folder: Path, tag: str, rows: int, runs: int, keep: Path | None) -> dict:
    """Time every ingest variant on the files in ``folder``; ``keep``: leave a warehouse there."""
    listing, files = file_list(work, folder, tag)
    per_call = max(1, (len(files) + 1) // 2)
    commands = {
        "zcat, 1 core": ["sh", "-c", f"xargs -a '{listing}' -n 512 zcat > /dev/null"],
        "zcat, 2 cores": [
            "sh",
            "-c",
            f"xargs -a '{listing}' -P 2 -n {min(per_call, 64)} zcat > /dev/null",
        ],
        "DuckDB CSV scan + counts (2 threads)": [
            PY,
            "bench/tasks.py",
            "duckdb-scan",
            "--files",
            str(listing),
            "--out",
            str(work / f"agg-duckdb-{tag}.parquet"),
        ],
        PANDAS: [
            PY,
            "bench/tasks.py",
            "pandas-ingest",
            "--files",
            str(listing),
            "--out",
            str(work / f"agg-pandas-{tag}.parquet"),
            *(["--per-file"] if rows > PANDAS_MAX_ROWS else []),
        ],
        "SaferStat reader only (validate, 1 thread)": [
            PY,
            "bench/tasks.py",
            "reader",
            "--files",
            str(listing),
        ],
    }
    results: dict[str, Run] = {}
    for name, cmd in commands.items():
        say(f"  {tag}: {name}")
        results[name] = median_run([measure(name, cmd) for _ in range(runs)])
    name = "saferstat load (validate + Parquet)"
    say(f"  {tag}: {name}")
    load_runs = []
    for i in range(runs):
        target = keep if (keep is not None and i == runs - 1) else work / f"wh-{tag}-tmp"
        fresh_warehouse(target)
        load_runs.append(
            measure(
                name,
                [str(BIN / "saferstat"), "load", str(folder), "--warehouse", str(target)],
                env={"COLUMNS": "120"},
            )
        )
    results[name] = median_run(load_runs)
    if keep is not None:
        (keep / LOADED_MARK).write_text(f"{rows} rows from {folder}\n")
    shutil.rmtree(work / f"wh-{tag}-tmp", ignore_errors=True)
    table = {
        n: {
            "wall_s": r.wall,
            "cpu_s": r.cpu,
            "peak_mb": r.peak_mb,
            "rows_per_s": rows / r.wall if r.wall else None,
        }
        for n, r in results.items()
    }
    load = results[name].wall
    ratios = {
        "load / zcat on 2 cores": load / results["zcat, 2 cores"].wall,
        "pandas / load": results[PANDAS].wall / load,
        "load / DuckDB scan": load / results["DuckDB CSV scan + counts (2 threads)"].wall,
    }
    return {
        "files": len(files),
        "rows": rows,
        "runs": runs,
        "table": table,
        "ratios": ratios,
        "pandas_per_file": rows > PANDAS_MAX_ROWS,
    }


# --- queries ---------------------------------------------------------------------------------


def _saferstat_query(
    warehouse: Path, which: str, scoped: bool, cold_runs: int, repeat: int
) -> dict:
    base = [PY, "bench/tasks.py", "query", "--warehouse", str(warehouse), "--which", which]
    base += ["--scoped"] if scoped else []
    cold, process = [], []
    for _ in range(cold_runs):
        run = measure(which, base, capture=True)
        cold.append(json.loads(run.out)["times"][0])
        process.append(run.wall)
    run = measure(which, [*base, "--repeat", str(repeat + 1)], capture=True)
    warm = json.loads(run.out)
    times = warm["times"][1:]
    return {
        "cold_p50_ms": percentile(cold, 50) * 1000,
        "cold_p95_ms": percentile(cold, 95) * 1000,
        "cold_process_p50_s": percentile(process, 50),
        "warm_p50_ms": percentile(times, 50) * 1000,
        "warm_p95_ms": percentile(times, 95) * 1000,
        "connect_ms": warm["connect"] * 1000,
        "peak_mb": run.peak_mb,
        "answer": warm["answer"],
    }


def queries(warehouse: Path, cold_runs: int, warm_repeat: int) -> dict:
    out = {}
    for which in ("overview", "hotspots", "compare"):
        say(f"  queries: {which}")
        # Unscoped (every force's files in the views, ~1 s a statement at national size) is
        # the slow path the web no longer takes: fewer samples keep a full run under an hour.
        ours = _saferstat_query(
            warehouse, which, False, max(2, cold_runs // 2), max(3, warm_repeat // 3)
        )
        scoped = _saferstat_query(warehouse, which, True, cold_runs, warm_repeat)
        pandas_cold, pandas_warm, pandas_answer, pandas_peak = [], [], None, 0.0
        for _ in range(max(1, cold_runs // 2)):
            run = measure(
                which,
                [
                    PY,
                    "bench/tasks.py",
                    "pandas-query",
                    "--warehouse",
                    str(warehouse),
                    "--which",
                    which,
                    "--repeat",
                    str(max(1, warm_repeat // 2)),
                ],
                capture=True,
            )
            result = json.loads(run.out)
            pandas_cold.append(result["cold"])
            pandas_warm += result["times"]
            pandas_answer = result["answer"]
            pandas_peak = max(pandas_peak, run.peak_mb)

        def nonzero(answer: dict) -> dict:
            return {k: v for k, v in answer.items() if v and not k.startswith("_")}

        agree = (
            nonzero(ours.pop("answer"))
            == nonzero(pandas_answer or {})
            == nonzero(scoped.pop("answer"))
        )
        out[which] = {
            "saferstat": ours,
            "saferstat_scoped": scoped,
            "pandas": {
                "cold_p50_ms": percentile(pandas_cold, 50) * 1000,
                "cold_p95_ms": percentile(pandas_cold, 95) * 1000,
                "warm_p50_ms": percentile(pandas_warm, 50) * 1000,
                "warm_p95_ms": percentile(pandas_warm, 95) * 1000,
                "peak_mb": pandas_peak,
            },
            "answers_agree": agree,
            "samples": {"cold": cold_runs, "warm": warm_repeat},
        }
        if not agree:
            say(f"  !! {which}: SaferStat and pandas disagree")
    return out


# --- web -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 60, headers: dict | None = None) -> tuple[int, bytes]:
    try:
        request = urllib.request.Request(url, headers=headers or {})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _python_load(url: str, users: int, seconds: float, headers: dict | None = None) -> dict:
    """A fallback load generator (threads, keep-alive) when wrk is not installed."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def user() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine, bad = [], 0
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                conn.request("GET", target, headers=headers or {})
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    bad += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                continue
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=user) for _ in range(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.perf_counter() - started
    return {
        "tool": "python threads",
        "requests": len(latencies),
        "rps": len(latencies) / duration,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "errors": errors[0],
    }


def _wrk_load(url: str, users: int, seconds: float, headers: dict | None = None) -> dict:
    result = subprocess.run(
        [
            "wrk",
            *[arg for k, v in (headers or {}).items() for arg in ("-H", f"{k}: {v}")],
            "-t",
            "2",
            "-c",
            str(users),
            "-d",
            f"{seconds:g}s",
            "--timeout",
            "30s",
            "-s",
            str(WRK_SCRIPT),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("{"))
    data = json.loads(line)
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "tool": "wrk",
        "requests": data["requests"],
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": errors,
        "error_kinds": {k: data[k] for k in ("connect", "read", "write", "status", "timeout")},
    }


_CREDENTIALS = """
import json
from django.test import Client
from saferstat.core.models import User
from saferstat.core.tokens import api_token_create
user = User.objects.get(username="{slug}-analyst")
client = Client()
client.force_login(user)
_, key = api_token_create(user=user, name="bench")
print(json.dumps({{"session": client.cookies["sessionid"].value, "token": key}}))
"""


def _member_credentials(env: dict) -> dict:
    """A session of Rotherham's demo analyst and an API token of theirs, made in the bench's
    own database (the pages and the API check them as for anyone)."""
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", _CREDENTIALS.format(slug=PERF_SLUG)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def web(
    work: Path, warehouse: Path, users: int, seconds: float, workers: int, threads: int
) -> dict:
    """Load-test the overview page, the JSON API, the Board dashboard and the indicators API
    under gunicorn (production settings). The last two are a signed-in analyst's and an API
    token's: the demo plan and returns (``demo_plan_performance``) give Rotherham's."""
    tmp = Path(tempfile.mkdtemp(prefix="web-", dir=work))
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SAFERSTAT_SKIP_DOTENV": "1",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "SAFERSTAT_WAREHOUSE": str(warehouse),
        "SAFERSTAT_MEDIA_DIR": str(tmp / "media"),
        "LOG_LEVEL": "WARNING",
    }
    full_env = {**os.environ, **env}
    for step in (
        ["migrate", "--no-input", "-v", "0"],
        ["demo_setup"],
        ["demo_plan_performance"],
        ["collectstatic", "--no-input", "-v", "0"],
    ):
        subprocess.run(
            [PY, "manage.py", *step], cwd=ROOT, env=full_env, check=True, stdout=subprocess.DEVNULL
        )
    member = _member_credentials(full_env)
    port = free_port()
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--config",
            "config/gunicorn.conf.py",  # the production settings, as deployed
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            *(["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "gunicorn.log", "wb"),  # noqa: SIM115
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    urls = {
        "overview page": f"{base}/p/{WEB_SLUG}/overview/{WEB_FY}/",
        "API overview": f"{base}/api/partnerships/{WEB_SLUG}/overview?period={PERIOD}",
        "API counts": f"{base}/api/partnerships/{WEB_SLUG}/counts?period={PERIOD}",
        "Board dashboard page": (
            f"{base}/p/{PERF_SLUG}/performance/?period={PERF_QUARTER}",
            {"Cookie": f"sessionid={member['session']}"},
        ),
        "API indicators": (
            f"{base}/api/partnerships/{PERF_SLUG}/indicators?period={PERF_QUARTER}",
            {"Authorization": f"Bearer {member['token']}"},
        ),
    }
    tool = _wrk_load if shutil.which("wrk") else _python_load
    out: dict = {
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "users": users,
        "seconds": seconds,
        "urls": {},
    }
    try:
        deadline = time.time() + 60
        while True:
            try:
                _get(base + "/", timeout=2)
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise SystemExit(
                        f"gunicorn did not start; see {tmp / 'gunicorn.log'}"
                    ) from None
                time.sleep(0.3)
        for name, target in urls.items():
            url, headers = target if isinstance(target, tuple) else (target, {})
            first = time.perf_counter()
            status, body = _get(url, headers=headers)
            first = time.perf_counter() - first
            if status != 200:
                raise SystemExit(f"{url}: HTTP {status}: {body[:300]!r}")
            for _ in range(2 * workers):  # fill each worker's figure cache
                _get(url, headers=headers)
            say(f"  web: {name} ({tool.__name__.strip('_')}, {users} users, {seconds:g} s)")
            result = tool(url, users, seconds, headers)
            result["first_request_ms"] = first * 1000
            result["bytes"] = len(body)
            out["urls"][name] = result
        out["worker_rss_mb"] = _tree_rss_mb(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return out


#: The issue's target for the annual report's build (issue 17: "under 30 seconds on 2 cores").
REPORT_TARGET_S = 30.0
REPORT_YEAR = "2024/25"
DEMO_COMMANDS = (
    ["migrate", "--no-input", "-v", "0"],
    ["demo_setup"],
    ["demo_partner_data"],
    ["demo_governance"],
    ["demo_casereviews"],
    ["demo_plan_performance"],
    ["demo_assessment"],
    ["demo_delivery"],
    ["collectstatic", "--no-input", "-v", "0"],  # production settings: hashed static names
)


def reports(work: Path, runs: int) -> dict:
    """Time the demo partnership's annual report build (``bench/tasks.py report-build``)
    against its crime overview page, in a child process per run (the median kept)."""
    tmp = Path(tempfile.mkdtemp(prefix="reports-", dir=work))
    warehouse = tmp / "warehouse"
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SAFERSTAT_SKIP_DOTENV": "1",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "SAFERSTAT_WAREHOUSE": str(warehouse),
        "SAFERSTAT_MEDIA_DIR": str(tmp / "media"),
        "LOG_LEVEL": "WARNING",
    }
    full_env = {**os.environ, **env}
    try:
        say("  reports: the demo warehouse and the demo records (as make demo)")
        saferstat = str(BIN / "saferstat")
        for cmd in (
            [PY, "manage.py", *DEMO_COMMANDS[0]],  # migrate: a load is recorded in the database
            [saferstat, "reference", str(ONS), "--warehouse", str(warehouse)],
            [saferstat, "load", str(SY_FILES), "--warehouse", str(warehouse)],
            *([PY, "manage.py", *step] for step in DEMO_COMMANDS[1:]),
        ):
            subprocess.run(cmd, cwd=ROOT, env=full_env, check=True, stdout=subprocess.DEVNULL)
        done = []
        for n in range(runs):
            say(f"  reports: annual report {REPORT_YEAR}, run {n + 1} of {runs}")
            run = measure(
                "report-build",
                [
                    PY,
                    "bench/tasks.py",
                    "report-build",
                    "--slug",
                    PERF_SLUG,
                    "--year",
                    REPORT_YEAR,
                    "--repeat",
                    "5",
                ],
                env=env,
                capture=True,
            )
            result = json.loads(run.out.strip().splitlines()[-1])
            result["process_wall_s"], result["peak_mb"] = run.wall, run.peak_mb
            done.append(result)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    done.sort(key=lambda r: r["total_s"])
    best = done[len(done) // 2]
    best.update(runs=runs, target_s=REPORT_TARGET_S, slug=PERF_SLUG, year=REPORT_YEAR)
    return best


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (gunicorn master + workers)."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = re.search(r"^PPid:\s+(\d+)", text, re.M)
        rss = re.search(r"^VmRSS:\s+(\d+)", text, re.M)
        me = int(status.parent.name)
        if rss and (me == pid or (ppid and int(ppid.group(1)) == pid)):
            total += int(rss.group(1))
    return total / 1024


# --- growth ----------------------------------------------------------------------------------


def growth(work: Path, multiples: list[float], years: int, seed: int) -> list[dict]:
    rows_out = []
    for m in multiples:
        scale = round(m * SY_ROWS / FULL_ROWS_10_YEARS * 10 / years, 6)
        if abs(scale - 1) < 0.01:
            scale = 1.0  # the full national set (62.5x South Yorkshire): reuse its files
        folder, summary = national_files(work, scale, years, seed)
        listing, _files = file_list(work, folder, f"growth{m:g}")
        rows = summary["rows"]
        target = work / "wh-growth"
        fresh_warehouse(target)
        say(f"  growth x{m:g}: saferstat load ({rows:,} rows)")
        load = measure(
            "load", [str(BIN / "saferstat"), "load", str(folder), "--warehouse", str(target)]
        )
        say(f"  growth x{m:g}: overview warm")
        overview_ms = {}
        for label, scoped in (("all forces", []), ("scoped", ["--scoped"])):
            q = measure(
                "overview",
                [
                    PY,
                    "bench/tasks.py",
                    "query",
                    "--warehouse",
                    str(target),
                    "--which",
                    "overview",
                    "--repeat",
                    "11",
                    *scoped,
                ],
                capture=True,
            )
            overview_ms[label] = percentile(json.loads(q.out)["times"][1:], 50) * 1000
        say(f"  growth x{m:g}: pandas")
        pandas = measure(
            "pandas",
            [
                PY,
                "bench/tasks.py",
                "pandas-ingest",
                "--files",
                str(listing),
                "--out",
                str(work / "agg-growth.parquet"),
                *(["--per-file"] if rows > PANDAS_MAX_ROWS else []),
            ],
        )
        say(f"  growth x{m:g}: duckdb")
        duck = measure(
            "duckdb",
            [
                PY,
                "bench/tasks.py",
                "duckdb-scan",
                "--files",
                str(listing),
                "--out",
                str(work / "agg-growth-duck.parquet"),
            ],
        )
        parquet_bytes = sum(f.stat().st_size for f in target.rglob("*.parquet"))
        rows_out.append(
            {
                "multiple": m,
                "scale": scale,
                "rows": rows,
                "files": summary["files"],
                "gz_mb": summary["bytes"] / 1e6,
                "parquet_mb": parquet_bytes / 1e6,
                "load_s": load.wall,
                "load_cpu_s": load.cpu,
                "load_peak_mb": load.peak_mb,
                "load_rows_per_s": rows / load.wall,
                "overview_warm_p50_ms": overview_ms["all forces"],
                "overview_scoped_warm_p50_ms": overview_ms["scoped"],
                "pandas_s": pandas.wall,
                "pandas_peak_mb": pandas.peak_mb,
                "pandas_per_file": rows > PANDAS_MAX_ROWS,
                "duckdb_s": duck.wall,
                "duckdb_peak_mb": duck.peak_mb,
            }
        )
        shutil.rmtree(target, ignore_errors=True)
    return rows_out


# --- report ----------------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3

    def version(module: str) -> str:
        try:
            return __import__(module).__version__
        except Exception:  # noqa: BLE001 - only for the report
            return "-"

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "commit": commit + (" (+ uncommitted changes)" if dirty else ""),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": version("duckdb"),
        "pyarrow": version("pyarrow"),
        "pandas": version("pandas"),
    }


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None or value != value:
        return "-"
    return f"{value:,.{digits}f}"


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"### {m['date']}, commit {m['commit']}, scale {results['scale']:g}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['os']}; Python "
        f"{m['python']}, DuckDB {m['duckdb']}, pyarrow {m['pyarrow']}, pandas {m['pandas']}. "
        f"Load average at the start {m['load_average'][0]:.1f}, at the end "
        f"{results.get('load_average_end', [0])[0]:.1f} (other work on the machine inflates "
        "every figure; the ratios come from runs made one after the other). Peak memory "
        f"cannot read below the runner's own ({m.get('runner_rss_mb', 0):,.0f} MB).",
        "",
    ]
    for tag, data in results.get("ingest", {}).items():
        lines += [
            f"**Ingest, {tag}**: {data['files']:,} files, {data['rows']:,} rows, median of "
            f"{data['runs']} run(s).",
            "",
            "| Variant | Wall s | CPU s | Peak MB | Rows/s |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, row in data["table"].items():
            lines.append(
                f"| {name} | {_fmt(row['wall_s'])} | {_fmt(row['cpu_s'])} | "
                f"{_fmt(row['peak_mb'], 0)} | {_fmt(row['rows_per_s'], 0)} |"
            )
        lines += ["", "Ratios: " + "; ".join(f"{k} = {v:.2f}" for k, v in data["ratios"].items())]
        if data.get("pandas_per_file"):
            lines.append(
                "(pandas counted file by file here: holding every row would need more memory "
                "than the machine has.)"
            )
        lines.append("")
    if "queries" in results:
        q = results["queries"]
        lines += [
            f"**Queries** ({AREA} Rotherham, {PERIOD}, force {FORCE}) on the national warehouse "
            f"({results.get('warehouse_rows', 0):,} rows), milliseconds:",
            "",
            "| Query | Engine | cold p50 / p95 | warm p50 / p95 | connect | Same answer |",
            "|---|---|---:|---:|---:|---|",
        ]
        engines = (
            ("saferstat", "SaferStat, connect(root)"),
            ("saferstat_scoped", "SaferStat, connect(root, force_slugs=[force])"),
            ("pandas", "pandas (force's Parquet files + lookups)"),
        )
        for which, r in q.items():
            for key, label in engines:
                e = r[key]
                lines.append(
                    f"| {which} | {label} | {_fmt(e['cold_p50_ms'], 0)} / "
                    f"{_fmt(e['cold_p95_ms'], 0)} | {_fmt(e['warm_p50_ms'], 1)} / "
                    f"{_fmt(e['warm_p95_ms'], 1)} | {_fmt(e.get('connect_ms'), 0)} | "
                    f"{'yes' if r['answers_agree'] else 'NO'} |"
                )
        lines += [
            "",
            "Cold = a new process (connect + query, imports not counted); warm = the same "
            "process, repeated, a new connection each time (pandas: frames already in memory).",
            "",
        ]
    if "web" in results:
        w = results["web"]
        lines += [
            f"**Web**: gunicorn (`config/gunicorn.conf.py`), {w['workers']} "
            + (
                f"{w.get('worker_class', 'gthread')} workers x {w['threads']} threads, "
                if w["threads"] > 1
                else f"{w.get('worker_class', 'sync')} workers, "
            )
            + f"production settings, {w['users']} concurrent connections for {w['seconds']:g} s "
            f"per URL; worker memory {w.get('worker_rss_mb', 0):,.0f} MB in all.",
            "",
            "| URL | Tool | Requests | Req/s | p50 ms | p95 ms | p99 ms | Errors |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, r in w["urls"].items():
            lines.append(
                f"| {name} | {r['tool']} | {r['requests']:,} | {_fmt(r['rps'], 0)} | "
                f"{_fmt(r['p50_ms'], 1)} | {_fmt(r['p95_ms'], 1)} | {_fmt(r['p99_ms'], 1)} | "
                f"{r['errors']} |"
            )
        lines.append("")
    if "reports" in results:
        lines += report_lines(results["reports"])
    if "growth" in results:
        lines += [
            "**Growth** (synthetic national files at multiples of the South Yorkshire data; one "
            "run each; * = pandas counted file by file, memory bounded):",
            "",
            "| x SY | Rows | Files | gzip MB | Parquet MB | load s | load rows/s | load peak MB | "
            "overview warm p50 ms (all forces / scoped) | pandas s | pandas peak MB | DuckDB s | "
            "DuckDB peak MB |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for g in results["growth"]:
            lines.append(
                f"| {g['multiple']:g} | {g['rows']:,} | {g['files']:,} | {_fmt(g['gz_mb'], 0)} | "
                f"{_fmt(g['parquet_mb'], 0)} | {_fmt(g['load_s'], 1)} | "
                f"{_fmt(g['load_rows_per_s'], 0)} | {_fmt(g['load_peak_mb'], 0)} | "
                f"{_fmt(g['overview_warm_p50_ms'], 0)} / "
                f"{_fmt(g.get('overview_scoped_warm_p50_ms'), 0)} | {_fmt(g['pandas_s'], 1)}"
                f"{'*' if g.get('pandas_per_file') else ''} | "
                f"{_fmt(g['pandas_peak_mb'], 0)} | {_fmt(g['duckdb_s'], 1)} | "
                f"{_fmt(g['duckdb_peak_mb'], 0)} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def report_lines(r: dict) -> list[str]:
    """The annual report's table: each step's seconds and share, the baseline, the target."""
    total = r["total_s"]
    ratio = total / r["overview_first_s"] if r["overview_first_s"] else 0
    lines = [
        f"**Reports**: the {r['year']} annual report of the demo partnership ({r['slug']}: "
        f"every demo loaded, the 65 South Yorkshire files), median of {r['runs']} run(s), "
        f"{r['sections']} sections, {r['suppressions']} suppression(s), a "
        f"{r['pdf_bytes'] / 1024:,.0f} KB PDF; peak memory {r['peak_mb']:,.0f} MB.",
        "",
        "| Step | Seconds | Share of the build |",
        "|---|---:|---:|",
    ]
    for label, key in (
        ("Sections from the records", "sections_s"),
        ("Disclosure control (public version)", "disclose_s"),
        ("Tagged PDF (WeasyPrint, PDF/UA-1)", "pdf_s"),
        ("XLSX annex", "annex_s"),
    ):
        lines.append(f"| {label} | {_fmt(r[key])} | {100 * r[key] / total:.0f}% |")
    slowest = sorted(r["section_times"].items(), key=lambda x: -x[1])[:4]
    lines += [
        f"| **Annual report, in all** | **{_fmt(total)}** | 100% |",
        f"| Baseline: the crime overview page, first request | {_fmt(r['overview_first_s'])} | |",
        f"| Baseline: the crime overview page, warm (median of 4) | "
        f"{_fmt(r['overview_warm_s'], 3)} | |",
        "",
        f"The build took {ratio:,.1f} times the overview page's first request. Target under "
        f"{r['target_s']:g} s: {'met' if total < r['target_s'] else 'NOT met'}. Slowest "
        "sections: " + ", ".join(f"{name} {sec:.2f} s" for name, sec in slowest) + ".",
        "",
    ]
    return lines


def append_report(path: Path, text: str) -> None:
    marker = "## Results log"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if marker not in current:
        current = (
            current.rstrip("\n") + f"\n\n{marker}\n\nAppended by `make bench` (newest last).\n"
        )
    path.write_text(current.rstrip("\n") + "\n\n" + text, encoding="utf-8")


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", type=float, default=0.01, help="national data size (1 = ~60M rows)"
    )
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--sections", default="ingest,queries,web,reports")
    parser.add_argument(
        "--runs", type=int, default=None, help="ingest runs (default 3, 1 past scale 0.1)"
    )
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--warm-repeat", type=int, default=30)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--web-seconds", type=float, default=15)
    parser.add_argument(
        "--web-workers", type=int, default=(os.cpu_count() or 1) + 1, help="default: cores + 1"
    )
    parser.add_argument(
        "--web-threads",
        type=int,
        default=1,
        help="1: sync workers (config/gunicorn.conf.py); more: gthread workers with this many",
    )
    parser.add_argument("--growth", help="multiples of the South Yorkshire data, e.g. 1,4,16,60")
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args(argv)

    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    sections = set(filter(None, args.sections.split(",")))
    if sections & {"ingest", "queries", "web"}:  # they run `saferstat load`; reports need none
        bench_database(work)
    runs = args.runs or (3 if args.scale <= 0.1 else 1)
    results: dict = {"machine": machine(), "scale": args.scale, "years": args.years}
    results["machine"]["runner_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    warehouse = work / f"warehouse-s{args.scale:g}-y{args.years}"
    started = time.perf_counter()

    if sections & {"ingest", "queries", "web"}:
        folder, summary = national_files(work, args.scale, args.years, args.seed)
        results["national"] = {k: summary[k] for k in ("files", "rows", "bytes", "months")}
    if "ingest" in sections:
        say("ingest")
        results["ingest"] = {
            "South Yorkshire (65 real files)": ingest(
                work, SY_FILES, "sy", SY_ROWS, max(runs, 3), None
            ),
            f"national (synthetic, scale {args.scale:g})": ingest(
                work, folder, "national", summary["rows"], runs, warehouse
            ),
        }
    loaded = warehouse / LOADED_MARK
    if sections & {"queries", "web"} and not loaded.exists():
        say(f"loading {folder} into {warehouse}")
        fresh_warehouse(warehouse)
        measure(
            "load", [str(BIN / "saferstat"), "load", str(folder), "--warehouse", str(warehouse)]
        )
        loaded.write_text(f"{summary['rows']} rows from {folder}\n")
    if sections & {"queries", "web"}:
        results["warehouse_rows"] = summary["rows"]
    if "queries" in sections:
        say("queries")
        results["queries"] = queries(warehouse, args.cold_runs, args.warm_repeat)
    if "web" in sections:
        say("web")
        results["web"] = web(
            work, warehouse, args.users, args.web_seconds, args.web_workers, args.web_threads
        )
    if "reports" in sections:
        say("reports")
        results["reports"] = reports(work, max(1, min(runs, 3)))
    if args.growth:
        say("growth")
        multiples = [float(x) for x in args.growth.split(",") if x]
        results["growth"] = growth(work, multiples, args.years, args.seed)
    results["seconds"] = time.perf_counter() - started
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (work / f"results-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    text = markdown(results)
    print(text)
    if not args.no_report:
        append_report(args.report, text)
        say(f"appended to {args.report}")
    failed = [name for name, r in results.get("web", {}).get("urls", {}).items() if r["errors"]] + [
        name for name, r in results.get("queries", {}).items() if not r["answers_agree"]
    ]
    if results.get("reports", {}).get("total_s", 0) >= REPORT_TARGET_S:
        failed.append("the annual report over its target")
    if failed:
        say(f"FAILED: {', '.join(failed)}")
        return 1
    say(f"done in {results['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
