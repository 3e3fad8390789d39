"""The partnership's logo for report covers: only its admin sets it, only a real PNG or JPEG
is taken (drawn again as a PNG, so nothing else in the file is kept), every change is
audited, and the printed covers show it."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from saferstat.core.models import AuditEvent, Partnership
from saferstat.core.services import LOGO_MAX_SIDE
from tests.django_fixtures import PASSWORD

URL = "/p/rotherham/logo/"


def image(fmt: str = "PNG", size=(1200, 400), colour=(200, 30, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


def sign_in(client, user) -> None:
    """Through the sign-in form, as a person does (not force_login)."""
    response = client.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.mark.django_db
def test_the_admin_uploads_a_logo_drawn_again_as_a_small_png(client, rotherham, members):
    sign_in(client, members["admin"])
    assert "Logo for report covers" in client.get("/p/rotherham/").content.decode()
    hidden = image("JPEG") + b"<script>alert(1)</script>"  # bytes after the image's end
    response = client.post(URL, {"logo": SimpleUploadedFile("logo.jpg", hidden, "image/jpeg")})
    assert response.status_code == 302
    png = bytes(Partnership.objects.get(pk=rotherham.pk).logo_png)
    with Image.open(io.BytesIO(png)) as kept:
        assert kept.format == "PNG" and max(kept.size) == LOGO_MAX_SIDE
        assert kept.size == (LOGO_MAX_SIDE, LOGO_MAX_SIDE // 3)
    assert b"<script>" not in png
    event = AuditEvent.objects.get(verb="partnership.logo")
    assert event.actor == members["admin"] and event.before == {"logo": ""}
    assert len(event.after["logo"]) == 16  # a fingerprint, not the image
    page = client.get(URL).content.decode()
    assert 'id="current-logo"' in page and "data:image/png;base64," in page
    # The same image again changes nothing and records nothing.
    client.post(URL, {"logo": SimpleUploadedFile("logo.jpg", hidden, "image/jpeg")})
    assert AuditEvent.objects.filter(verb="partnership.logo").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a PNG or JPEG image"),
        ("logo.png", image("GIF"), "must be a PNG or JPEG image"),
        ("logo.png", image()[:60], "not a PNG or JPEG image"),  # cut short
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 2 * 1024 * 1024, "smaller than 1 MB"),
    ],
)
def test_anything_but_a_png_or_jpeg_is_refused_and_nothing_kept(
    client, rotherham, members, name, content, message
):
    client.force_login(members["admin"])
    response = client.post(URL, {"logo": SimpleUploadedFile(name, content, "image/png")})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert bytes(Partnership.objects.get(pk=rotherham.pk).logo_png) == b""
    assert not AuditEvent.objects.filter(verb="partnership.logo").exists()


@pytest.mark.django_db
def test_a_huge_image_in_a_small_file_is_refused(client, rotherham, members):
    """A decompression bomb: a few kilobytes that would open as 400 million pixels."""
    client.force_login(members["admin"])
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, format="PNG")
    bomb = out.getvalue()
    assert len(bomb) < 1024 * 1024
    response = client.post(URL, {"logo": SimpleUploadedFile("bomb.png", bomb, "image/png")})
    assert response.status_code == 400
    assert bytes(Partnership.objects.get(pk=rotherham.pk).logo_png) == b""


@pytest.mark.django_db
def test_removing_asks_for_confirmation_and_only_the_admin_may(client, rotherham, members):
    client.force_login(members["admin"])
    client.post(URL, {"logo": SimpleUploadedFile("logo.png", image(), "image/png")})
    response = client.post(URL, {"form": "remove"})
    assert response.status_code == 400 and "Tick the box" in response.content.decode()
    assert bytes(Partnership.objects.get(pk=rotherham.pk).logo_png)
    assert client.post(URL, {"form": "remove", "confirm": "yes"}).status_code == 302
    assert bytes(Partnership.objects.get(pk=rotherham.pk).logo_png) == b""
    assert AuditEvent.objects.filter(verb="partnership.logo_remove").count() == 1
    for role in ("analyst", "lead", "board", "scrutiny"):
        client.force_login(members[role])
        upload = SimpleUploadedFile("logo.png", image(), "image/png")
        assert client.post(URL, {"logo": upload}).status_code == 403
    assert bytes(Partnership.objects.get(pk=rotherham.pk).logo_png) == b""


@pytest.mark.django_db
def test_the_printed_covers_show_the_logo(rotherham, members):
    from saferstat.core.services import partnership_logo_set
    from saferstat.reports import render, services

    report = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="annual", period="2024/25"
    )
    assert 'class="cover-logo"' not in render.print_html(report, [], public=True)
    partnership_logo_set(
        partnership=rotherham,
        by=members["admin"],
        upload=SimpleUploadedFile("logo.png", image(), "image/png"),
    )
    report.partnership.refresh_from_db()
    html = render.print_html(report, [], public=True)
    cover = html.split('<div class="cover">')[1][:2000]
    assert 'class="cover-logo"' in cover and 'alt="Safer Rotherham Partnership logo"' in cover
