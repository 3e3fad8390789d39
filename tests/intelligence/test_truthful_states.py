"""Upload and import pages show one state at a time, and the imports page lists every load
(docs/frontend.md, "States")."""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.intelligence.models import ImportRun, ImportStatus

DEMO = Path(__file__).resolve().parents[2] / "demo_data"
MONTH_FILE = DEMO / "police-uk" / "2025-03-south-yorkshire-street.csv.gz"


def _small_file(bad_crime_type: bool) -> bytes:
    with gzip.open(MONTH_FILE, "rt", encoding="utf-8", newline="") as f:
        rows = [row for _, row in zip(range(6), csv.reader(f), strict=False)]
    if bad_crime_type:
        rows[3][9] = "Burglarly"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def _states(html: str) -> list[str]:
    return re.findall(r'id="run-state" data-state="([a-z_]+)"', html)


@pytest.mark.django_db(transaction=True)
def test_a_refused_upload_shows_refused_and_no_success_banner(
    client, overview_warehouse, rotherham, members
):
    client.force_login(members["analyst"])
    response = client.post(
        "/p/rotherham/imports/upload/",
        {"file": SimpleUploadedFile(MONTH_FILE.name[:-3], _small_file(bad_crime_type=True))},
    )
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    # The first page after the upload: before, a green "Success ... is being checked" flash
    # message sat above the red refusal.
    page = client.get(response["Location"]).content.decode()
    assert _states(page) == ["failed"]
    assert "govuk-notification-banner--success" not in page and "Success" not in page
    assert "Refused: the file was refused and nothing from it was stored" in page
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert _states(partial) == ["failed"] and "Success" not in partial


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "expected", "absent"),
    [
        (ImportStatus.QUEUED, "Queued: waiting to be checked", "Loaded"),
        (ImportStatus.RUNNING, "1,234 rows read so far", "Refused"),
        (ImportStatus.AWAITING_APPROVAL, "Checked: awaiting approval", "Loaded"),
        (ImportStatus.SUCCEEDED, "The month was loaded", "Refused"),
        (ImportStatus.REJECTED, "Rejected: nothing was loaded", "Loaded"),
    ],
)
def test_each_state_is_shown_alone(
    client, overview_warehouse, rotherham, members, status, expected, absent
):
    run = ImportRun.objects.create(
        partnership=rotherham,
        uploaded_by=members["analyst"],
        original_name="2025-03-south-yorkshire-street.csv",
        stored_path="x",
        size_bytes=1,
        status=status,
        rows_done=1234,
        month="2025-03",
        force_slug="south-yorkshire",
        is_proposal=True,
    )
    client.force_login(members["analyst"])
    page = client.get(f"/p/rotherham/imports/{run.pk}/").content.decode()
    assert _states(page) == [status]
    assert expected in page and absent not in page.split('id="run-state"')[1]
    polls = 'hx-trigger="every 1s"' in page
    assert polls == (status in (ImportStatus.QUEUED, ImportStatus.RUNNING))


@pytest.mark.django_db(transaction=True)
def test_command_line_loads_are_listed_with_who_started_them(
    client, overview_warehouse, rotherham, members, tmp_path
):
    from saferstat.intelligence.imports.services import SystemActor, publish_force_months

    client.force_login(members["analyst"])
    assert 'id="no-imports"' in client.get("/p/rotherham/imports/").content.decode()
    path = tmp_path / MONTH_FILE.name[:-3]
    path.write_bytes(_small_file(bad_crime_type=False))
    (outcome,) = publish_force_months(
        paths=[path], actor=SystemActor("command line (OS user operator)"), change_reason="test"
    )
    assert not hasattr(outcome, "errors") or not outcome.errors
    page = client.get("/p/rotherham/imports/").content.decode()
    assert 'id="no-imports"' not in page and "No files have been uploaded" not in page
    assert path.name in page
    assert "command line (OS user operator) (force)" in page
