"""Production smoke test (`make smoke`): install SaferStat as a council would and use it over HTTP.

On PostgreSQL (``SAFERSTAT_SMOKE_POSTGRES_URL``, else ``SAFERSTAT_TEST_POSTGRES_URL`` as
``.ci/run`` sets it, else the role ``.ci/run`` creates on 127.0.0.1), with the production
settings (``config.settings.production``), this:

1. creates a database of its own (``saferstat_smoke``, dropped at the end) and temporary
   warehouse, media and static folders;
2. runs ``check --deploy``, ``migrate``, ``collectstatic``, ``demo_setup``, loads the ONS
   reference data and one real police.uk month with the ``saferstat`` command line;
3. starts gunicorn with ``config/gunicorn.conf.py`` on a free loopback port, and the task
   worker (``recover_stuck_jobs``, ``worker_heartbeat``, then ``db_worker``), as the systemd units in ``deploy/`` do;
4. over real HTTP: waits for ``/health/`` (which needs the worker), checks that plain HTTP is
   redirected to HTTPS and the security headers, signs in through the real form (CSRF
   token, Origin and Referer, as a browser sends them), opens the overview, uploads the next
   month as the force administrator, waits for the worker to check it, approves it, waits
   for the worker to load it, creates an API token and reads the API with it, signs out;
5. stops the worker and gunicorn (SIGTERM, then SIGKILL after 30 s) and checks that no
   process of theirs is left, drops the database and deletes the folders.

HTTPS: the app runs exactly as in production behind nginx: ``BEHIND_TLS_PROXY=1``, and each
request carries ``X-Forwarded-Proto: https`` as nginx sends it; so the HTTPS redirect, HSTS
and Secure cookies are all on and checked. (The cookie jar here sends Secure cookies over
the plain loopback connection, as nginx would have over TLS.)

Exit status: 0 when every step passed, 1 on the first failure (with the logs' tails).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgresql://saferstat:saferstat@127.0.0.1:5432/saferstat"
DATABASE = "saferstat_smoke"
MONTH_LOADED = "2024-01"  # loaded by the command line
MONTH_UPLOADED = "2024-02"  # uploaded through the web app and loaded by the worker
FORCE = "south-yorkshire"
PASSWORD = "saferstat-demo"  # saferstat.core.demo.DEMO_PASSWORD
STEP_TIMEOUT = 90


class SmokeFailure(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def say(message: str) -> None:
    print(f"smoke: {message}", flush=True)


# ------------------------------------------------------------------------------- database


def postgres_url() -> str:
    return (
        os.environ.get("SAFERSTAT_SMOKE_POSTGRES_URL")
        or os.environ.get("SAFERSTAT_TEST_POSTGRES_URL")
        or DEFAULT_URL
    )


def admin_connection(url: str):
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise SmokeFailure(
            f"cannot reach PostgreSQL at {redact(url)} ({exc}). Start it as .ci/run does, or "
            "set SAFERSTAT_SMOKE_POSTGRES_URL to a role that may create databases."
        ) from exc


def drop_database(url: str) -> None:
    with admin_connection(url) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def create_database(url: str) -> str:
    drop_database(url)  # left by an interrupted run
    with admin_connection(url) as con:
        con.execute(f'CREATE DATABASE "{DATABASE}"')
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + DATABASE))


def redact(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return url


# ------------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Services:
    """gunicorn and the task worker, each in its own process group, stopped for sure."""

    def __init__(self, env: dict[str, str], logs: Path):
        self.env = env
        self.logs = logs
        self.procs: dict[str, subprocess.Popen] = {}

    def run(self, name: str, *args: str) -> None:
        say(f"{name}: {' '.join(args)}")
        started = time.monotonic()
        result = subprocess.run(
            args, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0:
            raise SmokeFailure(
                f"{name} failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
                f"{result.stderr[-3000:]}"
            )
        say(f"{name}: done in {time.monotonic() - started:.1f}s")

    def start(self, name: str, *args: str) -> None:
        log = (self.logs / f"{name}.log").open("w")
        self.procs[name] = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: its children are stopped too
        )
        say(f"started {name} (pid {self.procs[name].pid})")

    def wait(self, name: str) -> None:
        """Wait for a background step to finish, and check that it succeeded."""
        proc = self.procs.pop(name)
        try:
            proc.wait(timeout=300)
        except subprocess.TimeoutExpired:
            self.procs[name] = proc  # stop() ends it
            raise SmokeFailure(f"{name} took more than 5 minutes") from None
        check(proc.returncode == 0, f"{name} failed ({proc.returncode}): see {name}.log")
        say(f"{name}: done")

    def assert_running(self) -> None:
        for name, proc in self.procs.items():
            check(proc.poll() is None, f"{name} exited with {proc.returncode}")

    def stop(self) -> list[str]:
        """SIGTERM each group, wait, SIGKILL what is left. Returns problems (empty: clean)."""
        problems = []
        for name, proc in self.procs.items():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                problems.append(f"{name} had already exited ({proc.returncode})")
        deadline = time.monotonic() + 30
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                problems.append(f"{name} ignored SIGTERM for 30 s: killed")
        for name, proc in self.procs.items():
            # The group's other members (gunicorn's workers) must be gone too.
            for _ in range(50):
                try:
                    os.killpg(proc.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                problems.append(f"{name}'s process group outlived it: killed")
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.procs.clear()
        return problems

    def tails(self) -> str:
        out = []
        for log in sorted(self.logs.glob("*.log")):
            lines = log.read_text(errors="replace").splitlines()[-40:]
            out.append(f"--- {log.name} (last {len(lines)} lines)\n" + "\n".join(lines))
        return "\n".join(out)


# ------------------------------------------------------------------------------------ HTTP


class TrustingPolicy(http.cookiejar.DefaultCookiePolicy):
    """Send Secure cookies over the loopback connection: nginx would have received them
    over TLS."""

    def return_ok_secure(self, cookie, request):
        return True


class Browser:
    """A browser behind the TLS proxy: cookies, CSRF token, Origin and Referer."""

    def __init__(self, base: str):
        self.base = base
        self.origin = base.replace("http://", "https://")
        self.jar = http.cookiejar.CookieJar(policy=TrustingPolicy())

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def cookie(self, name: str):
        return next((c for c in self.jar if c.name == name), None)

    def request(
        self,
        path: str,
        data: dict | None = None,
        files: dict | None = None,
        headers: dict | None = None,
        https: bool = True,
    ):
        body = None
        all_headers = {"X-Forwarded-Proto": "https"} if https else {}
        if data is not None or files:
            token = self.cookie("csrftoken")
            check(token is not None, f"no csrftoken cookie before posting to {path}")
            fields = {**(data or {}), "csrfmiddlewaretoken": token.value}
            all_headers |= {"Origin": self.origin, "Referer": self.origin + path}
            if files:
                body, content_type = multipart(fields, files)
            else:
                body = urllib.parse.urlencode(fields).encode()
                content_type = "application/x-www-form-urlencoded"
            all_headers["Content-Type"] = content_type
        all_headers |= headers or {}
        req = urllib.request.Request(self.base + path, data=body, headers=all_headers)
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def get(self, path: str, expect: int = 200, **kwargs):
        status, headers, body = self.request(path, **kwargs)
        check(status == expect, f"GET {path}: {status}, expected {expect}")
        return headers, body.decode("utf-8", "replace")

    def post(self, path: str, data: dict | None = None, expect: int = 302, **kwargs):
        status, headers, body = self.request(path, data=data or {}, **kwargs)
        text = body.decode("utf-8", "replace")
        check(status == expect, f"POST {path}: {status}, expected {expect}\n{text[:2000]}")
        return headers, text

    def sign_in(self, username: str) -> None:
        self.get("/sign-in/")
        headers, _ = self.post("/sign-in/", {"username": username, "password": PASSWORD})
        check(
            "/sign-in" not in headers["Location"],
            f"{username} was not signed in: {headers['Location']}",
        )
        session = self.cookie("sessionid")
        check(session is not None, f"{username}: no session cookie")
        check(session.secure, "the session cookie is not Secure")
        check(session.has_nonstandard_attr("HttpOnly"), "the session cookie is not HttpOnly")
        say(f"signed in as {username}")

    def sign_out(self) -> None:
        self.post("/sign-out/")
        check(self.cookie("sessionid") is None, "the session cookie outlived sign-out")


def multipart(fields: dict[str, str], files: dict[str, Path]) -> tuple[bytes, str]:
    boundary = "----saferstat-smoke-" + secrets.token_hex(8)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, path in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{path.name}"\r\nContent-Type: application/gzip\r\n\r\n'
            ).encode()
            + path.read_bytes()
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wait_for(what: str, probe, timeout: float = STEP_TIMEOUT, services: Services | None = None):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if services:
            services.assert_running()
        try:
            last = probe()
        except (OSError, urllib.error.URLError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(0.3)
    raise SmokeFailure(f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r})")


def security_headers(headers, where: str) -> None:
    csp = headers.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        check(directive in csp, f"{where}: CSP lacks {directive!r}: {csp!r}")
    check("unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{where}: CSP is unsafe")
    expected = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    }
    for name, value in expected.items():
        check(headers.get(name) == value, f"{where}: {name} is {headers.get(name)!r}")


# ------------------------------------------------------------------------------- the run


def exercise(base: str, services: Services) -> None:
    anonymous = Browser(base)

    def healthy():
        status, _, body = anonymous.request("/health/", https=False)
        return json.loads(body) if status == 200 else None

    health = wait_for("/health/ to answer 200 (web app and worker)", healthy, services=services)
    check(health["checks"] == {"database": "ok", "warehouse": "ok", "worker": "ok"}, str(health))
    say("/health/: database, warehouse and worker ok")

    status, headers, _ = anonymous.request("/", https=False)
    check(status == 301, f"plain HTTP was not redirected: {status}")
    check(headers["Location"].startswith("https://"), f"redirect to {headers['Location']}")
    headers, page = anonymous.get("/sign-in/")
    security_headers(headers, "/sign-in/")
    csrf = anonymous.cookie("csrftoken")
    check(csrf is not None and csrf.secure, "the CSRF cookie is missing or not Secure")
    say("HTTPS redirect, security headers and Secure cookies ok")

    # A form posted without the CSRF token (a forged form) is refused.
    forged = urllib.request.Request(
        base + "/sign-in/",
        data=urllib.parse.urlencode({"username": "rotherham-admin", "password": PASSWORD}).encode(),
        headers={"X-Forwarded-Proto": "https", "Origin": anonymous.origin},
    )
    try:
        urllib.request.urlopen(forged, timeout=30)
        check(False, "a sign-in without a CSRF token was accepted")
    except urllib.error.HTTPError as error:
        check(error.code == 403, f"a sign-in without a CSRF token: {error.code}")

    # An analyst opens the overview and reads the API with a token.
    analyst = Browser(base)
    analyst.sign_in("rotherham-analyst")
    headers, _ = analyst.get("/p/rotherham/overview/", expect=302)
    target = urllib.parse.urlsplit(headers["Location"]).path
    headers, page = analyst.get(target)
    security_headers(headers, target)
    check("Rotherham" in page, "the overview does not name Rotherham")
    check("no-store" in headers.get("Cache-Control", ""), "a signed-in page may be cached")
    say(f"overview {target} ok")

    _, page = analyst.post("/account/api-tokens/", {"name": "smoke test"}, expect=200)
    found = re.search(r'<code id="new-token">([^<]+)</code>', page)
    check(found is not None, "no new API token on the tokens page")
    token = found.group(1)
    bearer = {"Authorization": f"Bearer {token}"}

    # The force administrator uploads the next month; the worker checks it, they approve it,
    # the worker loads it.
    force_admin = Browser(base)
    force_admin.sign_in("southyorkshire-force-admin")
    force_admin.get(f"/force/{FORCE}/imports/")
    upload = ROOT / "demo_data" / "police-uk" / f"{MONTH_UPLOADED}-{FORCE}-street.csv.gz"
    headers, _ = force_admin.post(f"/force/{FORCE}/imports/upload/", files={"file": upload})
    detail = urllib.parse.urlsplit(headers["Location"]).path
    check(re.fullmatch(rf"/force/{FORCE}/imports/\d+/", detail) is not None, detail)
    say(f"uploaded {upload.name}: {detail}")

    def status_is(label: str):
        def probe():
            _, page = force_admin.get(detail)
            check("Refused" not in page, f"the upload was refused:\n{page[-3000:]}")
            return label in page

        return probe

    wait_for("the worker to check the upload", status_is("Awaiting approval"), services=services)
    force_admin.post(detail, {"decision": "approve", "note": "smoke test"})
    wait_for("the worker to load the upload", status_is(">Loaded<"), services=services)
    say(f"the worker loaded {MONTH_UPLOADED}")

    status, headers, body = analyst.request("/api/partnerships", headers=bearer)
    check(status == 200, f"/api/partnerships with a token: {status}")
    check(headers.get_content_type() == "application/json", "the API did not answer JSON")
    slugs = {p["slug"] for p in json.loads(body)}
    check("rotherham" in slugs, f"the API lists {slugs}")
    query = urllib.parse.urlencode({"period": "2023/24", "by": "month"})
    status, _, body = Browser(base).request(
        f"/api/partnerships/rotherham/counts?{query}", headers=bearer
    )
    check(status == 200, f"counts with a token: {status} {body[:500]!r}")
    counts = {row["key"]: row["count"] for row in json.loads(body)["rows"]}
    check(
        counts.get(MONTH_LOADED, 0) > 0 and counts.get(MONTH_UPLOADED, 0) > 0,
        f"the API does not count both months: {counts}",
    )
    status, _, _ = Browser(base).request("/api/partnerships/rotherham/counts?" + query)
    check(status in (401, 403), f"the API without a token: {status}")
    say("API with a token ok (both months), refused without")

    analyst.sign_out()
    force_admin.sign_out()
    check(wait_for("/health/ again", healthy)["status"] == "ok", "not healthy at the end")


def main() -> int:
    started = time.monotonic()
    url = postgres_url()
    tmp = Path(tempfile.mkdtemp(prefix="saferstat-smoke-"))
    services = None
    failed = False
    created = False

    def on_signal(signum, frame):
        raise SmokeFailure(f"interrupted by signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        say(f"PostgreSQL {redact(url)}: database {DATABASE}; folders in {tmp}")
        database_url = create_database(url)
        created = True
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SAFERSTAT_"))},
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SAFERSTAT_SKIP_DOTENV": "1",  # only what is set here, as on a server
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "BEHIND_TLS_PROXY": "1",
            "SAFERSTAT_WAREHOUSE": str(tmp / "warehouse"),
            "SAFERSTAT_MEDIA_DIR": str(tmp / "media"),
            "SAFERSTAT_STATIC_DIR": str(tmp / "static"),
            "SAFERSTAT_BACKUP_DIR": str(tmp / "backups"),
            "SAFERSTAT_DEMO_DATA": str(ROOT / "demo_data"),
            "SAFERSTAT_SITE_URL": f"https://127.0.0.1:{port}",
            "SAFERSTAT_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "LOG_LEVEL": "WARNING",
        }
        for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_COOKIES", "DEBUG"):
            env.pop(name, None)  # the production defaults
        logs = tmp / "logs"
        logs.mkdir()
        services = Services(env, logs)
        python = str(BIN / "python")
        # collectstatic (compressing every file) needs no database: it runs meanwhile.
        services.start(
            "collectstatic", python, "manage.py", "collectstatic", "--no-input", "-v", "0"
        )
        services.run(
            "check --deploy", python, "manage.py", "check", "--deploy", "--fail-level", "WARNING"
        )
        services.run("migrate", python, "manage.py", "migrate", "--no-input", "-v", "0")
        services.run("demo_setup", python, "manage.py", "demo_setup")
        services.run("reference", str(BIN / "saferstat"), "reference", "demo_data/ons")
        month = f"demo_data/police-uk/{MONTH_LOADED}-{FORCE}-street.csv.gz"
        services.run("load", str(BIN / "saferstat"), "load", month)
        services.run(
            "recover_stuck_jobs", python, "manage.py", "recover_stuck_jobs", "--older-than", "0"
        )
        services.run("worker_heartbeat", python, "manage.py", "worker_heartbeat")
        services.wait("collectstatic")
        services.start(
            "gunicorn", python, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"
        )
        services.start(
            "worker", python, "manage.py", "db_worker", "--no-reload", "--interval", "0.5"
        )
        exercise(f"http://127.0.0.1:{port}", services)
        services.assert_running()
    except SmokeFailure as exc:
        failed = True
        print(f"smoke: FAILED: {exc}", file=sys.stderr, flush=True)
    except Exception as exc:  # an error in the script itself is a failure too
        failed = True
        print(f"smoke: FAILED with {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        import traceback

        traceback.print_exc()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if services is not None:
            problems = services.stop()
            if problems:
                failed = True
                print("smoke: FAILED to stop cleanly: " + "; ".join(problems), file=sys.stderr)
            else:
                say("gunicorn and the worker stopped cleanly")
            if failed:
                print(services.tails(), file=sys.stderr)
        if created:
            try:
                drop_database(url)
                say(f"dropped {DATABASE}")
            except SmokeFailure as exc:
                failed = True
                print(f"smoke: could not drop {DATABASE}: {exc}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
    elapsed = time.monotonic() - started
    if failed:
        print(f"smoke: FAILED after {elapsed:.0f}s", file=sys.stderr)
        return 1
    say(f"passed in {elapsed:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
