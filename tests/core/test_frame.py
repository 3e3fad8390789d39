"""The frame every page shares: service navigation, breadcrumbs, footer, error pages,
glossary (docs/frontend.md)."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from saferstat.core.glossary import TERMS
from saferstat.core.navigation import NAVIGATION, NavItem, register, service_navigation
from saferstat.core.permissions import RULES, can

# Representative pages per role (own partnership): every one must carry the frame.
PAGES = {
    "admin": ["/p/rotherham/", "/p/rotherham/audit/", "/p/rotherham/datasets/",
              "/p/rotherham/imports/", "/p/rotherham/requests/new/", "/account/api-tokens/"],
    "analyst": ["/p/rotherham/imports/", "/p/rotherham/requests/", "/p/rotherham/explore/?view=compare"],
    "scrutiny": ["/p/rotherham/", "/p/rotherham/overview/2024-25/", "/p/rotherham/datasets/",
                 "/glossary/"],
}  # fmt: skip


def _service_nav(html: str) -> list[str]:
    block = re.search(r'<ul class="govuk-service-navigation__list".*?</ul>', html, re.S)
    assert block, "no service navigation"
    return re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', block.group(0))


def _breadcrumbs(html: str) -> list[str]:
    block = re.search(
        r'<nav class="govuk-breadcrumbs" aria-label="Breadcrumb">.*?</nav>', html, re.S
    )
    assert block, "no breadcrumbs"
    return re.findall(r'class="govuk-breadcrumbs__link" href="([^"]+)"', block.group(0))


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_has_navigation_breadcrumbs_and_footer(
    role, client, overview_warehouse, rotherham, members
):
    client.force_login(members[role])
    for url in PAGES[role]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        links = _service_nav(html)
        assert reverse("overview:latest", args=["rotherham"]) in links, url
        assert reverse("explorer:page", args=["rotherham"]) in links, url
        # The navigation offers only what the role may open.
        assert (reverse("audit_log", args=["rotherham"]) in links) == (role == "admin"), url
        crumbs = _breadcrumbs(html)
        assert crumbs[0] == "/", url
        assert 'href="/glossary/"' in html and 'href="/accessibility/"' in html, url
        assert "<main" in html, url


@pytest.mark.django_db
def test_breadcrumbs_lead_back_to_the_partnership_and_section(client, rotherham, members):
    client.force_login(members["admin"])
    html = client.get("/p/rotherham/datasets/declare/").content.decode()
    assert _breadcrumbs(html) == ["/", "/p/rotherham/", "/p/rotherham/datasets/"]
    # The current section is marked in the navigation.
    assert re.search(r'href="/p/rotherham/datasets/" aria-current="true"', html)


@pytest.mark.django_db
def test_overview_links_back_to_the_partnership(client, overview_warehouse, rotherham, members):
    client.force_login(members["board"])
    html = client.get("/p/rotherham/overview/2024-25/").content.decode()
    assert "/p/rotherham/" in _breadcrumbs(html)


@pytest.mark.django_db
def test_switcher_for_members_of_several_partnerships(
    client, rotherham, sheffield, members, make_member
):
    from saferstat.core.services import membership_set

    user = members["board"]
    membership_set(user=user, partnership=sheffield, role="scrutiny")
    client.force_login(user)
    html = client.get("/p/rotherham/").content.decode()
    switcher = re.search(r'<nav aria-label="Switch partnership".*?</nav>', html, re.S)
    assert switcher and 'href="/p/sheffield/"' in switcher.group(0)
    client.force_login(members["lead"])
    assert "Switch partnership" not in client.get("/p/rotherham/").content.decode()


def test_navigation_asks_permissions_for_every_link():
    for item in NAVIGATION:
        assert item.action in RULES, item
        assert item.url_name in item.sections, item


@pytest.mark.django_db
def test_a_registered_item_appears_for_those_allowed(rotherham, members, monkeypatch):
    monkeypatch.setattr("saferstat.core.navigation.NAVIGATION", list(NAVIGATION))
    register(NavItem("Reports (test)", "partnership_home", "audit.view", frozenset({"reports"})))
    admin = [link.label for link in service_navigation(members["admin"], rotherham, None)]
    board = [link.label for link in service_navigation(members["board"], rotherham, None)]
    assert "Reports (test)" in admin and "Reports (test)" not in board
    assert can(members["admin"], "audit.view", rotherham)


@pytest.mark.django_db
def test_another_partnership_is_not_named_on_its_403(client, rotherham, sheffield, make_member):
    outsider = make_member(sheffield, "admin", username="outsider")
    client.force_login(outsider)
    response = client.get("/p/rotherham/audit/")
    assert response.status_code == 403
    html = response.content.decode()
    assert rotherham.name not in html
    assert "govuk-service-navigation__list" not in html


def _assert_styled_error(response, status: int):
    assert response.status_code == status
    html = response.content.decode()
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    assert '<link rel="stylesheet"' in html and "govuk-header" in html
    assert re.search(r'<ul class="govuk-list" id="way-back">.*href="/"', html, re.S)
    return html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_403_is_a_styled_page_with_a_way_back(client, rotherham, members):
    client.force_login(members["scrutiny"])
    html = _assert_styled_error(client.get("/p/rotherham/audit/"), 403)
    assert "You cannot see this page" in html
    assert 'href="/p/rotherham/"' in html  # back to the partnership


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_404_is_a_styled_page_with_a_way_back(client):
    html = _assert_styled_error(client.get("/no-such-page/"), 404)
    assert "Page not found" in html


@pytest.mark.django_db
def test_500_is_a_styled_page_with_a_way_back(rf):
    from saferstat.core.views import server_error

    response = server_error(rf.get("/"))
    _assert_styled_error(response, 500)


def test_500_needs_no_database():
    """The 500 page renders without context processors: the database may be what failed."""
    from django.test import RequestFactory

    from saferstat.core.views import server_error

    assert server_error(RequestFactory().get("/")).status_code == 500


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_400_is_a_styled_page(rf):
    from saferstat.core.views import bad_request

    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    _assert_styled_error(bad_request(request), 400)


@pytest.mark.django_db
def test_glossary_is_public_and_has_every_term():
    html = Client().get("/glossary/").content.decode()
    for slug in ("asb", "spc", "rate-per-1000", "confidence-interval", "byar", "harm-index",
                 "lsoa", "ward-vintage", "significance", "financial-year", "common-cause"):  # fmt: skip
        assert f'id="{slug}"' in html, slug
    assert len({t.slug for t in TERMS}) == len(TERMS)


def test_demo_env_turns_debug_off():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    assert re.search(r"^DEBUG=0$", text, re.M)


@pytest.mark.django_db
def test_api_docs_are_a_server_rendered_page_of_the_endpoints(client):
    from config.api import api

    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<main" in html
    assert "swagger-ui" not in html and "cdn.jsdelivr" not in html  # no third-party scripts
    schema = api.get_openapi_schema()
    for path in schema["paths"]:
        assert f"<code>{path}</code>" in html, path
    assert 'href="/api/openapi.json"' in html
