"""The print stylesheet: linked for print from every page (the assessment's among them),
found and served by the static files, hiding navigation and printing link targets."""

from __future__ import annotations

import urllib.request

import pytest
from django.contrib.staticfiles import finders

from tests.assessment.world import build

LINK = '<link rel="stylesheet" href="/static/saferstat/print.css" media="print">'


@pytest.fixture
def world(rotherham, members):
    return build(rotherham, members["admin"], members["analyst"])


@pytest.mark.django_db
def test_assessment_pages_link_the_print_stylesheet(client, members, world):
    client.force_login(members["board"])
    base = f"/p/rotherham/assessment/{world['assessment']}"
    for url in (
        f"{base}/",
        f"{base}/document/",
        f"{base}/issues/{world['issue']}/",
        f"/p/rotherham/assessment/consultations/{world['consultation']}/",
    ):
        page = client.get(url).content.decode()
        assert LINK in page, url
    # links whose address is printed: the evidence list and the document's views
    assert (
        'class="govuk-list govuk-list--number app-print-links" id="evidence"'
        in client.get(f"{base}/issues/{world['issue']}/").content.decode()
    )
    assert (
        "saferstat-embedded-view app-print-links"
        in client.get(f"{base}/document/").content.decode()
    )


def test_the_print_stylesheet_hides_navigation_and_prints_link_targets():
    css = open(finders.find("saferstat/print.css"), encoding="utf-8").read()
    assert css.lstrip().startswith("/*") and "@media print {" in css
    hidden = css.split("display: none !important;")[0]
    for selector in (
        ".govuk-header",
        ".govuk-service-navigation",
        ".govuk-breadcrumbs",
        ".govuk-footer",
        "main form",
        ".govuk-skip-link",
    ):
        assert selector in hidden, selector
    assert '.app-print-links a[href]:not([href^="#"])::after' in css
    assert 'content: " (" attr(href) ")"' in css


def test_the_print_stylesheet_is_served(live_server):
    with urllib.request.urlopen(f"{live_server.url}/static/saferstat/print.css") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
        assert b"@media print" in response.read()
