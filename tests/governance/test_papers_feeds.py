"""Papers on agenda items (checked by content, served as downloads, hidden with confidential
items), the iCalendar feeds (parsed back with `icalendar`), the public list of meetings,
and editing and removing bodies, items and papers."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from icalendar import Calendar

from saferstat.core import documents
from saferstat.core.models import AuditEvent
from saferstat.governance import services
from saferstat.governance.clock import LONDON
from saferstat.governance.models import AgendaItem, Body, Meeting, Paper, Resolution
from tests.governance.world import PDF, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rotherham, members):
    return build(rotherham, members["admin"], owner=members["board"])


def _zip(members: dict[str, bytes], *, first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if first:
            archive.writestr(first, members.pop(first), compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = _zip(
    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
    first="mimetype",
)
MACRO_DOCX = _zip(
    {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"\x00",
    }
)


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("report.pdf", PDF, "pdf"),
        ("Board paper.docx", DOCX, "docx"),
        ("figures.xlsx", XLSX, "xlsx"),
        ("minutes.odt", ODT, "odt"),
        ("counts.csv", b"Ward,Count\r\nCentral,4\r\n", "csv"),
    ],
)
def test_documents_are_accepted_by_their_content(name, data, kind):
    safe, found = documents.check_document(upload(name, data))
    assert found.key == kind and safe == name


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>", "not a PDF"),
        ("report.pdf", DOCX, "not a PDF"),
        ("paper.docx", XLSX, "not a Word document"),
        ("paper.docx", MACRO_DOCX, "not a Word document"),
        ("paper.docx", b"PK\x03\x04 broken zip", "not a Word document"),
        ("minutes.odt", _zip({"mimetype": b"application/zip"}, first="mimetype"), "OpenDocument"),
        ("counts.csv", b"a,b\x00c", "not a CSV"),
        ("counts.csv", "caf\u00e9".encode("latin-1"), "not a CSV"),
        ("counts.csv", PDF, "not a CSV"),
        ("page.html", b"<html></html>", "must be a PDF, Word"),
        ("run.exe", b"MZ\x90\x00", "must be a PDF, Word"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_documents_are_refused_when_the_content_is_not_what_the_name_says(name, data, why):
    with pytest.raises(ValidationError) as caught:
        documents.check_document(upload(name, data, "application/pdf"))
    assert why in caught.value.message_dict["file"][0]


def test_a_paper_over_the_size_limit_is_refused(settings):
    settings.SAFERSTAT_MAX_PAPER_BYTES = len(PDF) - 1
    with pytest.raises(ValidationError) as caught:
        documents.check_document(upload("report.pdf", PDF))
    assert "smaller than" in caught.value.message_dict["file"][0]


def test_a_zip_that_unpacks_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(documents, "MAX_UNPACKED_BYTES", 10)
    with pytest.raises(ValidationError, match="unpacks to too much"):
        documents.check_document(upload("Board paper.docx", DOCX))


def test_file_names_are_made_safe():
    assert documents.safe_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert documents.safe_name("C:\\Users\\x\\<b>paper.PDF") == "b-paper.pdf"
    assert documents.safe_name("a\x00b;rm -rf.docx") == "a-b-rm -rf.docx"


def _item(world):
    return AgendaItem.objects.get(pk=world["item"])


def test_uploading_a_paper_through_the_item_page(client, members, world, settings):
    item = _item(world)
    url = f"/p/rotherham/governance/items/{item.pk}/"
    client.force_login(members["analyst"])
    papers_dir = Path(settings.MEDIA_ROOT) / "papers"
    kept_before = len(list(papers_dir.iterdir()))  # the world's paper, and other tests' files
    response = client.post(
        url, {"form": "paper", "paper-file": upload("performance.pdf", PDF), "paper-title": "Q2"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    paper = Paper.objects.get(item=item)
    assert paper.kind == "pdf" and paper.title == "Q2" and paper.size_bytes == len(PDF)
    assert Path(paper.stored_path).is_relative_to(Path(settings.MEDIA_ROOT) / "papers")
    assert Path(paper.stored_path).read_bytes() == PDF
    assert AuditEvent.objects.filter(verb="paper.add", object_id=str(paper.pk)).exists()
    # A file pretending to be a PDF is refused on the page, and nothing is kept.
    response = client.post(
        url, {"form": "paper", "paper-file": upload("fake.pdf", b"<html>", "application/pdf")}
    )
    assert response.status_code == 400
    assert "not a PDF" in response.content.decode()
    assert Paper.objects.filter(item=item).count() == 1
    assert len(list(papers_dir.iterdir())) == kept_before + 1  # this one, not the fake
    # The meeting page lists it; the download is an attachment, nosniff, of the checked type.
    html = client.get(f"/p/rotherham/governance/meetings/{item.meeting_id}/").content.decode()
    assert f"/p/rotherham/governance/papers/{paper.pk}/" in html
    response = client.get(f"/p/rotherham/governance/papers/{paper.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "performance.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_confidential_papers_are_hidden_from_scrutiny_and_the_public(client, members, world):
    url = f"/p/rotherham/governance/papers/{world['paper']}/"
    for role in ("admin", "analyst", "lead", "board"):
        client.force_login(members[role])
        assert client.get(url).status_code == 200, role
    client.force_login(members["scrutiny"])
    assert client.get(url).status_code == 404
    html = client.get(f"/p/rotherham/governance/meetings/{world['meeting']}/").content.decode()
    assert "Exempt case review paper" not in html and url not in html
    client.logout()
    assert client.get(url)["Location"].startswith("/sign-in/")


def test_papers_of_public_meetings_are_public_unless_confidential(client, members, world):
    admin = members["admin"]
    hearing = Meeting.objects.get(pk=world["hearing"])
    open_item = hearing.items.get()
    exempt = services.agenda_item_add(meeting=hearing, by=admin, title="Exempt", confidential=True)
    public = services.paper_add(item=open_item, by=admin, upload=upload("annual.pdf", PDF))
    hidden = services.paper_add(item=exempt, by=admin, upload=upload("exempt.pdf", PDF))
    client.logout()
    assert client.get(f"/p/rotherham/governance/papers/{public.pk}/").status_code == 200
    html = client.get(f"/p/rotherham/governance/meetings/{hearing.pk}/").content.decode()
    assert "annual.pdf" in html and "exempt.pdf" not in html
    assert client.get(f"/p/rotherham/governance/papers/{hidden.pk}/").status_code == 302
    # Before the minutes are approved, a public body's papers are not public yet.
    planned = services.meeting_create(
        body=hearing.body, by=admin, starts_at=dt.datetime(2030, 1, 8, 10, tzinfo=LONDON)
    )
    item = services.agenda_item_add(meeting=planned, by=admin, title="Future item")
    early = services.paper_add(item=item, by=admin, upload=upload("early.pdf", PDF))
    assert client.get(f"/p/rotherham/governance/papers/{early.pk}/").status_code == 302


def test_removing_a_paper_and_an_item_asks_for_confirmation(client, members, world, settings):
    admin = members["admin"]
    item = _item(world)
    paper = services.paper_add(item=item, by=admin, upload=upload("a.pdf", PDF))
    path = Path(paper.stored_path)
    client.force_login(members["analyst"])
    remove = f"/p/rotherham/governance/papers/{paper.pk}/remove/"
    assert "Remove the paper" in client.get(remove).content.decode()
    assert client.post(remove, {}).status_code == 400  # not confirmed
    assert Paper.objects.filter(pk=paper.pk).exists()
    with_commit = client.post(remove, {"confirm": "yes"})
    assert with_commit.status_code == 302
    assert not Paper.objects.filter(pk=paper.pk).exists()
    # The item: its papers go, its resolutions stay.
    resolution = services.resolution_add(
        meeting=item.meeting, by=admin, kind="noted", text="Noted", item=item
    )
    services.paper_add(item=item, by=admin, upload=upload("b.pdf", PDF))
    remove = f"/p/rotherham/governance/items/{item.pk}/remove/"
    assert "1 paper(s)" in client.get(remove).content.decode()
    assert client.post(remove, {"confirm": "yes"}).status_code == 302
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    assert Resolution.objects.get(pk=resolution.pk).item is None
    assert AuditEvent.objects.filter(verb="agenda_item.remove").exists()
    del path


def test_paper_files_are_deleted_when_the_removal_is_saved(
    members, world, django_capture_on_commit_callbacks
):
    paper = services.paper_add(item=_item(world), by=members["admin"], upload=upload("c.pdf", PDF))
    path = Path(paper.stored_path)
    assert path.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        services.paper_remove(paper=paper, by=members["admin"])
    assert not path.exists()


def test_editing_an_item(client, members, world):
    item = _item(world)
    client.force_login(members["analyst"])
    response = client.post(
        f"/p/rotherham/governance/items/{item.pk}/",
        {"form": "item", "item-title": "Performance report (revised)", "item-confidential": "on"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Performance report (revised)" and item.confidential
    event = AuditEvent.objects.get(verb="agenda_item.update")
    assert event.before["title"] == "Performance report" and event.after["confidential"] is True
    bad = client.post(
        f"/p/rotherham/governance/items/{item.pk}/",
        {"form": "item", "item-title": "x", "item-link": "https://evil.example/"},
    )
    assert bad.status_code == 400 and "Link to a page of this partnership" in bad.content.decode()
    client.force_login(members["board"])
    assert client.get(f"/p/rotherham/governance/items/{item.pk}/").status_code == 403


def test_editing_and_removing_a_body(client, members, world, rotherham):
    admin = members["admin"]
    client.force_login(admin)
    board = Body.objects.get(pk=world["board"])
    url = f"/p/rotherham/governance/bodies/{board.pk}/edit/"
    response = client.post(url, {"name": "Safer Rotherham Board", "kind": "board"})
    assert response.status_code == 302
    board.refresh_from_db()
    assert board.name == "Safer Rotherham Board" and not board.meets_in_public
    assert AuditEvent.objects.filter(verb="body.update", object_id=str(board.pk)).exists()
    taken = client.post(url, {"name": "Crime and Disorder Committee", "kind": "board"})
    assert taken.status_code == 400
    # A body with meetings is kept; one that never met can go.
    remove = f"/p/rotherham/governance/bodies/{board.pk}/remove/"
    assert "cannot be removed" in client.get(remove).content.decode()
    refused = client.post(remove, {"confirm": "yes"})
    assert refused.status_code == 400 and Body.objects.filter(pk=board.pk).exists()
    group = services.body_create(
        partnership=rotherham, by=admin, name="Group", kind="priority_group"
    )
    services.seat_add(body=group, by=admin, label="Police")
    remove = f"/p/rotherham/governance/bodies/{group.pk}/remove/"
    assert client.post(remove, {}).status_code == 400
    assert client.post(remove, {"confirm": "yes"}).status_code == 302
    assert not Body.objects.filter(pk=group.pk).exists()
    assert AuditEvent.objects.filter(verb="body.remove", object_id=str(group.pk)).exists()


def _feed(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_ical_feed_round_trips_in_london_time_with_no_confidential_items(
    client, members, world, rotherham
):
    admin = members["admin"]
    board = Body.objects.get(pk=world["board"])
    # A summer and a winter meeting: 14:00 London is 13:00 UTC in July, 14:00 UTC in January.
    summer = services.meeting_create(
        body=board, by=admin, starts_at=dt.datetime(2025, 7, 10, 14, 0, tzinfo=LONDON)
    )
    winter = services.meeting_create(
        body=board, by=admin, starts_at=dt.datetime(2026, 1, 15, 14, 0, tzinfo=LONDON)
    )
    client.force_login(members["board"])
    cal = _feed(client.get("/p/rotherham/governance/meetings.ics"))
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert len(events) == Meeting.objects.filter(partnership=rotherham).count()
    start = events[f"meeting-{summer.pk}@rotherham.saferstat"].decoded("dtstart")
    assert str(start.tzinfo) == "Europe/London" and start.utcoffset() == dt.timedelta(hours=1)
    assert start == dt.datetime(2025, 7, 10, 13, 0, tzinfo=dt.UTC)
    start = events[f"meeting-{winter.pk}@rotherham.saferstat"].decoded("dtstart")
    assert start.utcoffset() == dt.timedelta(0) and start.hour == 14
    assert cal.walk("VTIMEZONE") and str(cal.walk("VTIMEZONE")[0]["tzid"]) == "Europe/London"
    text = client.get("/p/rotherham/governance/meetings.ics").content.decode()
    assert "Performance report" in text  # members see open agenda items
    assert "Exempt" not in text  # never a confidential item, even for the Board


def test_the_public_feed_lists_only_bodies_that_meet_in_public(client, members, world):
    client.logout()
    cal = _feed(client.get("/p/rotherham/governance/meetings.ics"))
    uids = {str(e["uid"]) for e in cal.walk("VEVENT")}
    assert uids == {f"meeting-{world['hearing']}@rotherham.saferstat"}
    text = client.get("/p/rotherham/governance/meetings.ics").content.decode()
    assert "Partnership Board" not in text and "Exempt" not in text
    body_feed = f"/p/rotherham/governance/bodies/{world['scrutiny']}/meetings.ics"
    assert len(_feed(client.get(body_feed)).walk("VEVENT")) == 1
    private = f"/p/rotherham/governance/bodies/{world['board']}/meetings.ics"
    assert client.get(private)["Location"].startswith("/sign-in/")
    client.force_login(members["scrutiny"])
    assert len(_feed(client.get(private)).walk("VEVENT")) == 1


def test_public_list_of_meetings(client, members, world, rotherham):
    admin = members["admin"]
    scrutiny = Body.objects.get(pk=world["scrutiny"])
    services.meeting_create(
        body=scrutiny,
        by=admin,
        starts_at=dt.datetime(2030, 11, 5, 10, 0, tzinfo=LONDON),
        location="Town Hall",
    )
    client.logout()
    response = client.get("/p/rotherham/governance/public/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Town Hall" in html and "Tuesday 5 November 2030, 10:00" in html
    assert f"/p/rotherham/governance/meetings/{world['hearing']}/" in html
    assert "Partnership Board" not in html  # it does not meet in public
    assert client.post("/p/rotherham/governance/public/").status_code == 405


def test_the_published_overview_links_the_public_meetings(
    client, world, rotherham, overview_warehouse
):
    rotherham.overview_published = True
    rotherham.save()
    client.logout()
    response = client.get("/p/rotherham/overview/2024-25/")
    assert response.status_code == 200
    assert "/p/rotherham/governance/public/" in response.content.decode()
    Body.objects.filter(partnership=rotherham).update(meets_in_public=False)
    html = client.get("/p/rotherham/overview/2024-25/").content.decode()
    assert "/governance/public/" not in html


def test_the_item_page_refuses_a_paper_over_the_paper_limit(client, members, world, settings):
    settings.SAFERSTAT_MAX_PAPER_BYTES = 1024
    item = _item(world)
    client.force_login(members["analyst"])
    response = client.post(
        f"/p/rotherham/governance/items/{item.pk}/",
        {"form": "paper", "paper-file": upload("big.pdf", PDF + b"0" * 2000)},
    )
    assert response.status_code == 400
    assert "smaller than 1 KB" in response.content.decode()
    assert not Paper.objects.filter(item=item).exists()
