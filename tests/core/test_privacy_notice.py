"""The privacy notice each partnership writes (UK GDPR articles 13 and 14): members read the
default text until the partnership admin saves one, which makes it public; only the admin
writes it, every save is audited; every page's footer links to a privacy notice and every
form that takes personal data links to its partnership's notice."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied

from saferstat.core.models import AuditEvent, PrivacyNotice
from saferstat.core.privacy import SECTIONS
from saferstat.core.services import PRIVACY_FIELDS, privacy_notice_save
from tests.assessment.world import build as build_assessment
from tests.casereviews.world import build as build_casereviews

TEXT = {
    "controller": "Rotherham Safer Partnership (role: controller).",
    "purposes": "We hold:\n\n- case review applications\n- consultation answers",
    "lawful_basis": "Public task, UK GDPR article 6(1)(e).",
    "retention": "Six years after the case closes.",
    "rights": "Complain to the ICO: https://ico.org.uk/make-a-complaint/",
    "contact": "Data protection officer: dpo@rotherham.example",
}


def footer_privacy_link(html: str) -> str:
    footer = html[html.index("<footer") :]
    match = re.search(r'href="([^"]+)">Privacy</a>', footer)
    assert match, "the footer has no Privacy link"
    return match.group(1)


@pytest.mark.django_db
def test_members_read_the_default_until_the_admin_saves_it_then_everyone_may(
    client, rotherham, sheffield, members, make_member
):
    url = "/p/rotherham/privacy/"
    assert client.get(url)["Location"].startswith("/sign-in/?next=")
    client.force_login(members["scrutiny"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "This is SaferStat's default text" in html
    for _field, title in SECTIONS:
        assert f">{title}</h2>" in html
    assert "Crime and Disorder Act 1998" in html
    assert "Edit the privacy notice" not in html and "/privacy/edit/" not in html
    client.force_login(make_member(sheffield, "admin", username="sheffield-admin"))
    assert client.get(url).status_code == 403
    client.logout()
    assert "Rotherham" not in client.get("/privacy/").content.decode()

    client.force_login(members["admin"])
    form = client.get(url + "edit/")
    assert form.status_code == 200
    # The form starts from the default text.
    assert "Crime and Disorder Act 1998" in form.content.decode()
    response = client.post(url + "edit/", TEXT)
    assert response.status_code == 302 and response["Location"] == url

    notice = PrivacyNotice.objects.get(partnership=rotherham)
    assert {f: getattr(notice, f) for f in PRIVACY_FIELDS} == TEXT
    event = AuditEvent.objects.get(verb="privacy_notice.publish")
    assert event.partnership == rotherham and event.actor == members["admin"]
    assert event.before is None and event.after["contact"] == TEXT["contact"]

    client.logout()
    public = client.get(url)
    assert public.status_code == 200
    html = public.content.decode()
    assert "default text" not in html
    assert "<li>case review applications</li><li>consultation answers</li>" in html
    assert '<a class="govuk-link" href="mailto:dpo@rotherham.example">' in html
    assert 'href="https://ico.org.uk/make-a-complaint/"' in html
    listing = client.get("/privacy/").content.decode()
    assert 'href="/p/rotherham/privacy/"' in listing
    client.force_login(make_member(sheffield, "scrutiny", username="sheffield-scrutiny"))
    assert client.get(url).status_code == 200
    assert client.get(url + "edit/").status_code == 403


@pytest.mark.django_db
def test_only_the_admin_writes_it_and_changes_are_audited_with_before_and_after(
    rotherham, sheffield, members, make_member
):
    for who in (members["analyst"], make_member(sheffield, "admin", username="sheffield-admin")):
        with pytest.raises(PermissionDenied):
            privacy_notice_save(partnership=rotherham, by=who, **TEXT)
    assert not PrivacyNotice.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="privacy").exists()

    privacy_notice_save(partnership=rotherham, by=members["admin"], **TEXT)
    privacy_notice_save(partnership=rotherham, by=members["admin"], **TEXT)  # no change
    changed = {**TEXT, "retention": "<b>Seven</b> years<script>alert(1)</script>"}
    privacy_notice_save(partnership=rotherham, by=members["admin"], **changed)
    assert PrivacyNotice.objects.get().retention == "Seven years"  # markup removed
    events = AuditEvent.objects.filter(verb__startswith="privacy").order_by("id")
    verbs = list(events.values_list("verb", flat=True))
    assert verbs == ["privacy_notice.publish", "privacy_notice.update"]
    update = AuditEvent.objects.get(verb="privacy_notice.update")
    assert update.before["retention"] == TEXT["retention"]
    assert update.after["retention"] == "Seven years"


@pytest.mark.django_db
def test_an_empty_section_is_refused_and_nothing_is_saved(client, rotherham, members):
    client.force_login(members["admin"])
    response = client.post("/p/rotherham/privacy/edit/", {**TEXT, "lawful_basis": "  "})
    assert response.status_code == 400
    assert "Enter “Our lawful basis”." in response.content.decode()
    assert not PrivacyNotice.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="privacy").exists()


@pytest.mark.django_db
def test_every_footer_links_to_a_privacy_notice_accessibility_and_cookies(
    client, rotherham, sheffield, members
):
    pages = ["/", "/glossary/", "/cookies/", "/accessibility/", "/privacy/", "/no-such-page/"]
    for url in pages:
        html = client.get(url).content.decode()
        assert footer_privacy_link(html) == "/privacy/", url
        assert 'href="/accessibility/">Accessibility statement</a>' in html, url
        assert 'href="/cookies/">Cookies</a>' in html, url
    client.force_login(members["lead"])
    for url in ["/p/rotherham/", "/p/rotherham/privacy/", "/glossary/"]:
        html = client.get(url).content.decode()
        assert footer_privacy_link(html) == "/p/rotherham/privacy/", url
    # Another partnership's page the member may not see: the list, never its notice.
    assert footer_privacy_link(client.get("/p/sheffield/").content.decode()) == "/privacy/"


#: Pages with a form that takes personal data (url name: path), for the admin.
PERSONAL_DATA_FORMS = {
    "casereviews:cases": "/p/rotherham/case-reviews/",  # applicant's name and contact
    "casereviews:case_detail": "/p/rotherham/case-reviews/{application}/",  # complaints
    "casereviews:calls": "/p/rotherham/case-reviews/calls/",  # the councillor
    "assessment:consultation": "/p/rotherham/assessment/consultations/{consultation}/",
    "assessment:tension": "/p/rotherham/assessment/tension/",
}


@pytest.mark.django_db
def test_every_form_taking_personal_data_links_to_the_partnerships_notice(
    client, overview_warehouse, rotherham, members
):
    world = {
        **build_casereviews(rotherham, members["admin"]),
        **build_assessment(rotherham, members["admin"], members["analyst"]),
    }
    client.force_login(members["admin"])
    for name, template in PERSONAL_DATA_FORMS.items():
        html = client.get(template.format(**world)).content.decode()
        assert "<form" in html, name
        note = re.search(r"<p [^>]*data-privacy-note>(.*?)</p>", html, re.S)
        assert note, f"{name} takes personal data but does not link to the privacy notice"
        assert 'href="/p/rotherham/privacy/"' in note.group(1), name


def test_plain_text_escapes_what_the_writer_typed_and_makes_lists_and_links():
    from saferstat.core.templatetags.saferstat import plain_text

    html = plain_text(
        'Intro <img src=x onerror="alert(1)">\nsecond line\n\n- one & two\n- www.ico.org.uk'
    )
    assert html == (
        '<p class="govuk-body">Intro &lt;img src=x onerror=&quot;alert(1)&quot;&gt;<br>second line</p>\n'
        '<ul class="govuk-list govuk-list--bullet"><li>one &amp; two</li>'
        '<li><a class="govuk-link" href="http://www.ico.org.uk">www.ico.org.uk</a></li></ul>'
    )
    assert plain_text("") == "" and plain_text(None) == ""
