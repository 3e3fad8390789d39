"""Overview and upload pages: permission per role, publishing, upload and errors."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.core.models import AuditEvent
from saferstat.intelligence.models import ImportRun, ImportStatus

DEMO = Path(__file__).resolve().parents[2] / "demo_data"
ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]


def overview_url(fy: str = "2024-25", slug: str = "rotherham") -> str:
    return f"/p/{slug}/overview/{fy}/"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_the_overview(client, overview_warehouse, rotherham, members, role):
    client.force_login(members[role])
    response = client.get(overview_url())
    assert response.status_code == 200
    assert b"Crime overview, Rotherham, 2024/25" in response.content


@pytest.mark.django_db
def test_overview_is_hidden_from_the_public_until_published(client, overview_warehouse, rotherham):
    response = client.get(overview_url())
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    rotherham.overview_published = True
    rotherham.save()
    assert client.get(overview_url()).status_code == 200
    svg = client.get(overview_url() + "trend.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content


@pytest.mark.django_db
def test_the_cached_figures_are_the_same_for_everyone_but_the_links_are_not(
    client, overview_warehouse, rotherham, members
):
    # The figures are rendered once per warehouse version and shared by every reader; what
    # depends on the reader (the upload link) must stay outside that cache.
    rotherham.overview_published = True
    rotherham.save()
    client.force_login(members["analyst"])
    analyst = client.get(overview_url()).content.decode()
    client.logout()
    public = client.get(overview_url()).content.decode()
    client.force_login(members["board"])
    board = client.get(overview_url()).content.decode()
    assert "Load another month" in analyst
    assert "Load another month" not in public and "Load another month" not in board
    assert "By crime type" in public

    def figures(page: str) -> str:
        return page[page.index("<h1") : page.index("About these figures")]

    assert figures(analyst) == figures(public) == figures(board)


@pytest.mark.django_db
def test_member_of_another_partnership_is_refused(
    client, overview_warehouse, rotherham, sheffield, make_member
):
    outsider = make_member(sheffield, "admin", username="shef-admin")
    client.force_login(outsider)
    assert client.get(overview_url()).status_code == 403
    assert client.get(overview_url() + "trend.svg").status_code == 403
    assert client.get("/p/rotherham/imports/").status_code == 403


@pytest.mark.django_db
def test_latest_overview_redirects_to_latest_complete_year(
    client, overview_warehouse, rotherham, members
):
    client.force_login(members["board"])
    response = client.get("/p/rotherham/overview/")
    assert response.status_code == 302
    assert response["Location"] == overview_url("2024-25")


@pytest.mark.django_db
def test_bad_financial_year_is_404(client, overview_warehouse, rotherham, members):
    client.force_login(members["analyst"])
    assert client.get(overview_url("2024-26")).status_code == 404
    assert client.get(overview_url("nonsense")).status_code == 404


@pytest.mark.django_db
def test_overview_with_no_data_says_so(client, tmp_path, settings, rotherham, members):
    settings.SAFERSTAT_WAREHOUSE = tmp_path / "empty"
    client.force_login(members["analyst"])
    response = client.get("/p/rotherham/overview/")
    assert response.status_code == 200
    assert b"No police.uk data has been loaded" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,allowed",
    [("admin", True), ("analyst", True), ("lead", False), ("board", False), ("scrutiny", False)],
)
def test_only_admins_and_analysts_upload(
    client, overview_warehouse, rotherham, members, role, allowed
):
    client.force_login(members[role])
    assert client.get("/p/rotherham/imports/").status_code == (200 if allowed else 403)
    data = (DEMO / "police-uk" / "2025-03-south-yorkshire-street.csv.gz").read_bytes()
    upload = SimpleUploadedFile("2025-03-south-yorkshire-street.csv.gz", data)
    response = client.post("/p/rotherham/imports/upload/", {"file": upload})
    assert response.status_code == (302 if allowed else 403)
    assert ImportRun.objects.exists() == allowed


@pytest.mark.django_db(transaction=True)
def test_upload_is_checked_then_loaded_once_a_force_admin_approves(
    client, overview_warehouse, rotherham, members, make_force_admin
):
    """An analyst's upload is a proposal: checked, then loaded only once a force
    administrator approves it (the month is shared by every partnership of the force)."""
    client.force_login(members["analyst"])
    data = (DEMO / "police-uk" / "2025-03-south-yorkshire-street.csv.gz").read_bytes()
    response = client.post(
        "/p/rotherham/imports/upload/",
        {"file": SimpleUploadedFile("2025-03-south-yorkshire-street.csv.gz", data)},
    )
    run = ImportRun.objects.get()
    assert response["Location"] == f"/p/rotherham/imports/{run.pk}/"
    assert run.status == ImportStatus.AWAITING_APPROVAL, run.errors
    assert (run.rows_in_file, run.month, run.force_slug) == (14912, "2025-03", "south-yorkshire")
    assert run.rows_loaded is None
    waiting = client.get(f"/p/rotherham/imports/{run.pk}/")
    assert b"Awaiting approval" in waiting.content
    assert b'hx-trigger="every 1s"' not in waiting.content  # nothing to poll for while it waits

    client.force_login(make_force_admin())
    response = client.post(f"/force/south-yorkshire/imports/{run.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED, run.errors
    assert (run.rows_loaded, run.rows_before, run.replaced_existing) == (14912, 14912, True)
    verbs = list(
        AuditEvent.objects.filter(
            object_type="intelligence.ImportRun", object_id=str(run.pk)
        ).values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["import.approve", "import.check", "import.load", "import.upload"]
    client.force_login(members["analyst"])
    detail = client.get(f"/p/rotherham/imports/{run.pk}/")
    assert b"14912" in detail.content
    partial = client.get(f"/p/rotherham/imports/{run.pk}/", HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"import-progress" in partial.content


@pytest.mark.django_db(transaction=True)
def test_broken_upload_is_refused_with_line_and_field(
    client, overview_warehouse, rotherham, members
):
    before = sorted(p.relative_to(overview_warehouse) for p in overview_warehouse.rglob("*"))
    client.force_login(members["analyst"])
    with gzip.open(
        DEMO / "police-uk" / "2025-03-south-yorkshire-street.csv.gz",
        "rt",
        encoding="utf-8",
        newline="",
    ) as f:
        rows = list(csv.reader(f))
    rows[9][9] = "Burglarly"  # line 10 of the file: a crime type not in the closed list
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    body = out.getvalue().encode()
    client.post(
        "/p/rotherham/imports/upload/",
        {"file": SimpleUploadedFile("2025-03-south-yorkshire-street.csv", body)},
    )
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert any(
        e.startswith("2025-03-south-yorkshire-street.csv:10: Crime type:") for e in run.errors
    ), run.errors
    after = sorted(p.relative_to(overview_warehouse) for p in overview_warehouse.rglob("*"))
    assert before == after
    page = client.get(f"/p/rotherham/imports/{run.pk}/")
    assert b"nothing from it was stored" in page.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,body,message",
    [
        ("crimes.csv", b"x", b"The file name must be as police.uk publishes it"),
        ("2025-03-south-yorkshire-street.csv", b"", b"The selected file is empty"),
    ],
)
def test_upload_form_errors(client, overview_warehouse, rotherham, members, name, body, message):
    client.force_login(members["analyst"])
    response = client.post("/p/rotherham/imports/upload/", {"file": SimpleUploadedFile(name, body)})
    assert response.status_code == 400
    assert message in response.content
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_upload_over_the_size_limit_is_refused(
    client, overview_warehouse, rotherham, members, settings
):
    settings.SAFERSTAT_MAX_UPLOAD_BYTES = 10
    client.force_login(members["analyst"])
    response = client.post(
        "/p/rotherham/imports/upload/",
        {"file": SimpleUploadedFile("2025-03-south-yorkshire-street.csv", b"x" * 11)},
    )
    # Refused by the streaming upload handler as the body arrives (413), not after it is kept.
    assert response.status_code == 413
    assert b"The file is larger than the limit of 10 bytes" in response.content
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_import_run_of_another_partnership_is_not_found(
    client, overview_warehouse, rotherham, sheffield, members, make_member
):
    other = make_member(sheffield, "analyst", username="shef-analyst")
    run = ImportRun.objects.create(
        partnership=sheffield,
        uploaded_by=other,
        original_name="x.csv",
        stored_path="/nonexistent",
        size_bytes=1,
    )
    client.force_login(members["analyst"])
    assert client.get(f"/p/rotherham/imports/{run.pk}/").status_code == 404
