"""Editing a project from its page (name, organisation, lead, dates), removing a measure
(refused once a return holds a figure for it), and files attached to communications
(checked by their content like meeting papers, served as downloads)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.core.models import AuditEvent
from saferstat.core.services import organisation_upsert
from saferstat.delivery.models import Communication, Measure, MonitoringLine, MonitoringReturn
from saferstat.delivery.services import communication_add, measure_upsert
from saferstat.performance.services import reporting_period_upsert
from tests.governance.world import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def url(world) -> str:
    return f"/p/rotherham/delivery/projects/{world['project'].pk}/"


def details(world, **over) -> dict:
    project = world["project"]
    data = {
        "form": "details",
        "project_name": project.name,
        "project_organisation": project.organisation_id,
        "project_lead": project.lead_id,
        "project_lead_role": project.lead_role,
        "project_start_date": project.start_date.isoformat(),
        "project_end_date": project.end_date.isoformat(),
        "project_summary": "",
    }
    return {**data, **over}


def test_an_analyst_renames_the_project_and_moves_its_dates(client, world, members, rotherham):
    # A quarter after the project's end: no return for it until the project runs into it.
    next_q1 = reporting_period_upsert(
        partnership=rotherham, by=members["analyst"], label="2025/26-Q1",
        opens_on=dt.date(2025, 7, 1), deadline=dt.date(2025, 7, 21),
    )  # fmt: skip
    project = world["project"]
    assert not MonitoringReturn.objects.filter(project=project, period=next_q1).exists()
    other_org = organisation_upsert(
        partnership=rotherham, name="Probation service", kind="probation",
        is_responsible_authority=True,
    )  # fmt: skip
    client.force_login(members["analyst"])
    page = client.get(url(world)).content.decode()
    assert 'value="Perpetrator programme"' in page and "Change the project's details" in page
    response = client.post(
        url(world),
        details(
            world,
            project_name="Perpetrator programme (extended)",
            project_organisation=other_org.pk,
            project_lead="",
            project_lead_role="",
            project_end_date="2025-06-30",
        ),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "Perpetrator programme (extended)"
    assert project.organisation == other_org and project.lead is None
    assert project.end_date == dt.date(2025, 6, 30)
    # The new dates reach 2025/26-Q1: its return opens; the others stay with their history.
    assert MonitoringReturn.objects.filter(project=project, period=next_q1).exists()
    assert MonitoringReturn.objects.filter(project=project).count() == 5
    event = AuditEvent.objects.filter(verb="project.update").latest("pk")
    assert event.before["name"] == "Perpetrator programme"
    assert event.after["name"] == "Perpetrator programme (extended)"
    # Priorities stay as they were.
    assert list(project.priorities.all()) == [world["priority"]]


def test_details_are_checked_and_nothing_changes_on_an_error(client, world, members, sheffield):
    from tests.delivery.factories import delivery_world

    other = delivery_world(
        world["project"].partnership, admin=members["admin"], analyst=members["analyst"],
        lead=members["lead"], mark="Second ",
    )  # fmt: skip
    client.force_login(members["analyst"])
    audits = AuditEvent.objects.count()
    cases = [
        ({"project_end_date": "2024-01-01"}, "project_end_date", "must end on or after"),
        ({"project_name": other["project"].name}, "project_name", "Another project is called"),
        ({"project_name": "  "}, "project_name", "Name the project"),
        ({"project_lead": members["board"].pk}, "project_lead", "Choose one from the list"),
        ({"project_organisation": 999999}, "project_organisation", "Choose one from the list"),
        ({"project_start_date": "1 April"}, "project_start_date", "Enter a date"),
    ]
    for over, field, words in cases:
        response = client.post(url(world), details(world, **over))
        body = response.content.decode()
        assert response.status_code == 400, over
        assert f'href="#{field}"' in body and words in body, over
    assert AuditEvent.objects.count() == audits
    world["project"].refresh_from_db()
    assert world["project"].name == "Perpetrator programme"


def test_a_measure_without_figures_is_removed_and_one_with_figures_stays(client, world, members):
    spare = measure_upsert(
        project=world["project"], by=members["analyst"], kind="output",
        name="Sessions delivered", unit="sessions", planned=12,
    )  # fmt: skip
    # An empty line for it in a return not yet filled in goes with it.
    MonitoringLine.objects.create(ret=world["owed"], measure=spare, value=None)
    client.force_login(members["analyst"])
    page = client.get(url(world)).content.decode()
    assert "Yes, remove Sessions delivered" in page
    assert f"<strong>{world['output'].name}</strong> (output): monitoring returns hold" in page
    form = {"form": "remove_measure", "measure": spare.pk}
    response = client.post(url(world), form)
    assert response.status_code == 400 and "Tick the box" in response.content.decode()
    assert client.post(url(world), {**form, "confirm": "yes"}).status_code == 302
    assert not Measure.objects.filter(pk=spare.pk).exists()
    assert AuditEvent.objects.filter(verb="measure.remove").get().before["name"] == spare.name
    # The output has figures in the approved and the submitted returns: refused, with why.
    audits = AuditEvent.objects.count()
    response = client.post(
        url(world), {"form": "remove_measure", "measure": world["output"].pk, "confirm": "yes"}
    )
    assert response.status_code == 400
    assert "has figures in 2 monitoring returns" in response.content.decode()
    assert Measure.objects.filter(pk=world["output"].pk).exists()
    assert AuditEvent.objects.count() == audits
    # Another project's measure is not found under this project.
    assert client.post(url(world), {**form, "confirm": "yes"}).status_code == 404


@pytest.mark.parametrize("role", ["lead", "board", "scrutiny"])
def test_only_analysts_and_admins_edit_a_project(client, world, members, role):
    client.force_login(members[role])
    before = world["project"].name
    assert client.post(url(world), details(world, project_name="Changed")).status_code == 403
    response = client.post(
        url(world), {"form": "remove_measure", "measure": world["output"].pk, "confirm": "yes"}
    )
    assert response.status_code == 403
    world["project"].refresh_from_db()
    assert world["project"].name == before


COMMS = "/p/rotherham/delivery/communications/"


def bulletin(**over) -> dict:
    return {
        "kind": "bulletin",
        "date": "2024-11-01",
        "title": "Winter e-bulletin",
        "audience": "Partners and residents",
        **over,
    }


def test_a_communication_carries_a_file_that_members_download(client, world, members, settings):
    client.force_login(members["analyst"])
    response = client.post(
        COMMS, bulletin(file=SimpleUploadedFile("Winter bulletin.pdf", PDF, "text/html"))
    )
    assert response.status_code == 302
    row = Communication.objects.get(title="Winter e-bulletin")
    assert (row.file_name, row.file_kind, row.file_size) == ("Winter bulletin.pdf", "pdf", len(PDF))
    assert Path(row.file_path).is_relative_to(Path(settings.MEDIA_ROOT) / "communications")
    assert (
        AuditEvent.objects.get(verb="communication.add", object_id=str(row.pk)).after["file_sha256"]
        == row.file_sha256
    )
    file_url = f"{COMMS}{row.pk}/file/"
    client.force_login(members["scrutiny"])  # every member reads the log
    assert file_url in client.get(COMMS).content.decode()
    download = client.get(file_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"  # the checked kind, not the browser's
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    # A communication without a file has nothing to download.
    plain = communication_add(
        partnership=row.partnership, by=members["analyst"], date=dt.date(2024, 12, 1),
        title="Link only", audience="Residents", link="https://example.org/bulletin",
    )  # fmt: skip
    assert not plain.file_path
    assert client.get(f"{COMMS}{plain.pk}/file/").status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("bulletin.pdf", b"<html><script>alert(1)</script></html>", "it is not a PDF"),
        ("bulletin.exe", b"MZ\x90\x00", "must be a PDF, Word"),
        ("empty.pdf", b"", "The selected file is empty"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(
    client, world, members, settings, name, data, words
):
    client.force_login(members["analyst"])
    rows, audits = Communication.objects.count(), AuditEvent.objects.count()
    folder = Path(settings.MEDIA_ROOT) / "communications"
    kept = sorted(folder.rglob("*"))  # the world's bulletin's file
    response = client.post(COMMS, bulletin(file=SimpleUploadedFile(name, data)))
    assert response.status_code == 400
    assert words in response.content.decode()
    assert Communication.objects.count() == rows and AuditEvent.objects.count() == audits
    assert sorted(folder.rglob("*")) == kept


def test_a_file_over_the_limit_is_refused(client, world, members, settings):
    settings.SAFERSTAT_MAX_PAPER_BYTES = 100
    client.force_login(members["analyst"])
    response = client.post(COMMS, bulletin(file=SimpleUploadedFile("big.pdf", PDF + b"0" * 200)))
    assert response.status_code == 400 and "must be smaller than" in response.content.decode()
    assert not Communication.objects.filter(title="Winter e-bulletin").exists()


@pytest.mark.parametrize("role", ["board", "lead", "scrutiny"])
def test_a_member_who_only_reads_the_log_cannot_send_a_file_its_body_is_never_read(
    world, members, settings, tmp_path, role
):
    """The log is read by every member, but only analysts and admins attach files: the upload
    guard checks `delivery.manage` (`accepts_upload(action=...)`) before a byte is read."""
    from tests.intelligence.test_upload_limits import MB, Body, csrf_client, post_body

    settings.SAFERSTAT_MAX_UPLOAD_BYTES = 2 * MB
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    (tmp_path / "upload-tmp").mkdir()
    body = Body(1 * MB, tmp_path / "upload-tmp", name="bulletin.pdf")
    response = post_body(csrf_client(members[role]), COMMS, body)
    assert response.status_code == 403
    assert body.read_bytes == 0
    assert client_reads_log(members[role])


def client_reads_log(user) -> bool:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(COMMS).status_code == 200
