"""police.uk months arrive by themselves: `saferstat fetch` and the scheduled task download
the archive from a real HTTP server (started here on 127.0.0.1, serving an archive built from
the demo files), resume or retry when it fails, check it whole, and load only new months
through the one way in; a broken archive is refused with nothing stored."""

from __future__ import annotations

import gzip
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from saferstat.analytics.warehouse import Warehouse
from saferstat.cli import EXIT_FETCH_FAILED, EXIT_FETCH_LEFT, main
from saferstat.core.models import AuditEvent
from saferstat.intelligence.fetch_models import FetchRun, FetchStatus
from saferstat.intelligence.models import ImportRun
from saferstat.intelligence.tasks import fetch_policeuk
from tests.conftest import ONS, policeuk_file, warehouse_state

FORCE = "south-yorkshire"
MONTHS = ("2025-07", "2025-08", "2025-09")


def street_csv(month: str, keep: int | None = None) -> bytes:
    with gzip.open(policeuk_file(month), "rb") as handle:
        data = handle.read()
    if keep is None:
        return data
    return b"".join(data.splitlines(keepends=True)[: keep + 1])


def build_archive(files: dict[str, bytes]) -> bytes:
    """A zip laid out as police.uk's: YYYY-MM/YYYY-MM-<force>-street.csv, plus an outcomes
    file of another kind (not read)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for month, data in files.items():
            archive.writestr(f"{month}/{month}-{FORCE}-street.csv", data)
            archive.writestr(f"{month}/{month}-{FORCE}-outcomes.csv", b"Crime ID,Month\n")
    return buffer.getvalue()


class Server:
    """police.uk's archive folder on 127.0.0.1. ``plan`` says how each next request is
    answered: "ok", "500", "truncate" (sends half, then drops the connection) or
    "norange" (ignores a Range header)."""

    def __init__(self):
        self.archive = b""
        self.plan: list[str] = []
        self.requests: list[tuple[str, str | None, int]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                mode = server.plan.pop(0) if server.plan else "ok"
                wanted = self.headers.get("Range")
                if self.path != "/data/archive/latest.zip":
                    server.requests.append((self.path, wanted, 404))
                    self.send_error(404)
                    return
                if mode == "500":
                    server.requests.append((self.path, wanted, 500))
                    self.send_error(500, "Internal Server Error")
                    return
                body, start = server.archive, 0
                if wanted and mode != "norange":
                    start = int(wanted.removeprefix("bytes=").removesuffix("-"))
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                    server.requests.append((self.path, wanted, 206))
                else:
                    self.send_response(200)
                    server.requests.append((self.path, wanted, 200))
                part = body[start:]
                self.send_header("Content-Length", str(len(part)))
                self.send_header("Content-Type", "application/zip")
                self.end_headers()
                if mode == "truncate":
                    self.wfile.write(part[: len(part) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(part)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_port}/data/archive/"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    served = Server()
    yield served
    served.close()


@pytest.fixture
def world(tmp_path, settings, server, make_partnership):
    root = tmp_path / "wh"
    Warehouse(root).load_reference(ONS)
    settings.SAFERSTAT_WAREHOUSE = root
    settings.SAFERSTAT_FETCH_DIR = tmp_path / "fetch"
    settings.SAFERSTAT_POLICEUK_ARCHIVE_URL = server.base
    settings.SAFERSTAT_FETCH_BACKOFF = 0
    settings.SAFERSTAT_FETCH_ATTEMPTS = 4
    partnership = make_partnership(slug="rotherham")
    return root, partnership


def expected_rows(month: str) -> int:
    return street_csv(month).count(b"\n") - 1


@pytest.mark.django_db
def test_scheduled_fetch_retries_resumes_loads_new_months_and_shows_on_the_imports_page(
    world, server, client, make_member
):
    root, partnership = world
    server.archive = build_archive({m: street_csv(m) for m in MONTHS})
    # A month already loaded by hand (from police.uk's .csv.gz) stays as it is.
    assert CliRunner().invoke(main, ["load", str(policeuk_file("2025-07")),
                                     "--warehouse", str(root)]).exit_code == 0  # fmt: skip
    hand = Warehouse(root).manifest()["partitions"]
    # The server fails once, then drops the connection half way: retried, then resumed.
    server.plan = ["500", "truncate", "ok"]

    status = fetch_policeuk.enqueue().return_value

    assert status == FetchStatus.LOADED
    assert [(code, r is not None) for _, r, code in server.requests] == [
        (500, False), (200, False), (206, True)
    ]  # fmt: skip
    half = len(server.archive) // 2
    assert server.requests[2][1] == f"bytes={half}-"
    run = FetchRun.objects.get()
    assert run.actor_label == "scheduled fetch" and run.attempts == 3
    assert run.archive_bytes == len(server.archive)
    assert [(i["month"], i["rows"]) for i in run.loaded] == [
        (m, expected_rows(m)) for m in ("2025-08", "2025-09")
    ]
    wh = Warehouse(root)
    for month in MONTHS:
        assert wh.month_rows(FORCE, month) == expected_rows(month)
    key = f"policeuk_street/{FORCE}/2025-07"
    assert wh.manifest()["partitions"][key] == hand[key]  # the hand-loaded month untouched
    # Each month went through publish_force_month: its own import run, as "scheduled fetch".
    loads = ImportRun.objects.filter(actor_label="scheduled fetch").order_by("month")
    assert [r.month for r in loads] == ["2025-08", "2025-09"]
    assert AuditEvent.objects.filter(verb="fetch.run", partnership=partnership).count() == 1
    assert not any((root.parent / "fetch").iterdir())  # the download is gone

    # The imports page lists the loads and the scheduled fetch, with its outcome.
    client.force_login(make_member(partnership, "analyst"))
    page = client.get(f"/p/{partnership.slug}/imports/").content.decode()
    assert "Scheduled fetches" in page and "New months loaded" in page
    assert page.count("scheduled fetch") >= 3  # two loads and the fetch itself
    assert "2025-08, 2025-09" in page

    # Again: nothing new, nothing rewritten.
    before = warehouse_state(root)
    assert fetch_policeuk.enqueue().return_value == FetchStatus.NOTHING_NEW
    assert warehouse_state(root) == before
    assert ImportRun.objects.filter(actor_label="scheduled fetch").count() == 2


@pytest.mark.django_db
def test_a_reissued_month_is_replaced_but_a_large_change_is_left_for_a_force_administrator(
    world, server, client, make_member
):
    root, partnership = world
    server.archive = build_archive({m: street_csv(m) for m in MONTHS[1:]})
    first = CliRunner().invoke(main, ["fetch", "--warehouse", str(root)])
    assert first.exit_code == 0, first.output
    assert "2025-09: loaded" in first.output
    full = {m: expected_rows(m) for m in MONTHS[1:]}

    # police.uk reissues both: August with 1% fewer rows, September cut to 1,000 (-93%).
    small_cut = full["2025-08"] - full["2025-08"] // 100
    server.archive = build_archive(
        {"2025-08": street_csv("2025-08", small_cut), "2025-09": street_csv("2025-09", 1000)}
    )
    server.plan = ["norange"]
    done = CliRunner().invoke(main, ["fetch", "--warehouse", str(root)])

    assert done.exit_code == EXIT_FETCH_LEFT, done.output
    wh = Warehouse(root)
    assert wh.month_rows(FORCE, "2025-08") == small_cut  # replaced: within 10%
    assert wh.month_rows(FORCE, "2025-09") == full["2025-09"]  # kept
    run = FetchRun.objects.first()
    assert run.status == FetchStatus.NEEDS_REVIEW
    assert [i["month"] for i in run.loaded] == ["2025-08"] and run.loaded[0]["replaced"]
    (left,) = run.left
    assert left["month"] == "2025-09"
    assert f"from {full['2025-09']:,} to 1,000" in left["reason"]
    assert "force administrator" in left["reason"]
    client.force_login(make_member(partnership, "analyst"))
    page = client.get(f"/p/{partnership.slug}/imports/").content.decode()
    assert "Months left for a force administrator" in page and "to 1,000" in page


def corrupt(archive: bytes) -> bytes:
    """Flip bytes inside the first member's compressed data (the zip still opens)."""
    data = bytearray(archive)
    for i in range(200, 400):
        data[i] ^= 0xFF
    return bytes(data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "make", "plan", "says"),
    [
        ("corrupt", lambda a: corrupt(a), [], "damaged in the archive"),
        ("cut short", lambda a: a[: len(a) // 2], [], "not a complete zip archive"),
        ("always dropped", lambda a: a, ["truncate"] * 4, "not downloaded after 4 attempts"),
        ("not a zip", lambda a: b"<html>Service unavailable</html>", [], "not a complete zip"),
        ("always failing", lambda a: a, ["500"] * 4, "answered 500"),
    ],
)
def test_a_broken_archive_is_refused_and_nothing_is_stored(world, server, name, make, plan, says):
    root, _ = world
    server.archive = make(build_archive({m: street_csv(m) for m in MONTHS}))
    server.plan = list(plan)
    before = warehouse_state(root)

    done = CliRunner().invoke(main, ["fetch", "--warehouse", str(root)])

    assert done.exit_code == EXIT_FETCH_FAILED, done.output
    assert says in done.output
    assert warehouse_state(root) == before
    assert not ImportRun.objects.exists()
    run = FetchRun.objects.get()
    assert run.status == FetchStatus.FAILED and says in run.message
    assert "Nothing was loaded" in run.message
    assert not any(Path(run.url).name in p.name for p in (root.parent / "fetch").iterdir())
