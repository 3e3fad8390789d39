"""The cookies page is true: the cookies a real browser receives while someone signs in,
browses, changes something (a message is shown) and signs out are exactly the ones the page
lists (saferstat/core/cookies.py), all essential. A new cookie, such as an analytics or
preference cookie, fails this test until it is listed, and a non-essential one must not be
listed without a consent banner. axe checks the page."""

from __future__ import annotations

import re

import pytest

from saferstat.core.cookies import cookie_list, cookie_names
from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in


def set_cookie_names(response) -> set[str]:
    names = set()
    for header in response.headers_array():
        if header["name"].lower() == "set-cookie":
            for line in header["value"].split("\n"):
                names.add(line.split("=", 1)[0].strip())
    return names


@pytest.mark.django_db(transaction=True)
def test_the_cookies_a_session_receives_are_the_listed_ones(
    page, live_server, overview_warehouse, rotherham, make_member
):
    make_member(rotherham, "admin")
    received: set[str] = set()
    page.on("response", lambda response: received.update(set_cookie_names(response)))
    seen_in_jar: set[str] = set()

    def note_jar():
        seen_in_jar.update(c["name"] for c in page.context.cookies())

    base = live_server.url
    page.goto(base + "/")
    note_jar()
    sign_in(page, live_server, "rotherham-admin", PASSWORD)
    note_jar()
    for path in ("/p/rotherham/", "/p/rotherham/overview/2024-25/", "/glossary/", "/cookies/"):
        assert page.goto(base + path).status == 200, path
        note_jar()
    # A change followed by a message: create an API token, then revoke it.
    page.goto(base + "/account/api-tokens/")
    page.get_by_label("Name of the new token").fill("cookie test")
    page.get_by_role("button", name=re.compile("Create")).click()
    page.wait_for_load_state()
    page.get_by_role("button", name=re.compile("Revoke")).first.click()
    page.wait_for_load_state()
    assert "was revoked" in page.content()
    note_jar()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    note_jar()

    listed = cookie_names()
    assert received == listed, f"received {received}, the cookies page lists {listed}"
    assert seen_in_jar <= listed
    assert {"sessionid", "csrftoken"} <= seen_in_jar
    assert all(cookie.essential for cookie in cookie_list())
    # What a script on the page can read: only the CSRF token.
    page.goto(base + "/")
    assert {
        part.split("=")[0].strip() for part in page.evaluate("document.cookie").split(";") if part
    } <= {"csrftoken"}
    assert not page.console_errors


@pytest.mark.django_db(transaction=True)
def test_cookies_page_lists_each_cookie_linked_from_the_footer_and_passes_axe(
    axe_page, live_server
):
    axe_page.goto(live_server.url + "/glossary/")
    axe_page.locator("footer").get_by_role("link", name="Cookies").click()
    axe_page.wait_for_load_state()
    assert axe_page.url.endswith("/cookies/")
    rows = axe_page.locator("#cookie-list tbody tr")
    assert rows.count() == len(cookie_list())
    names = {rows.nth(i).locator("th").inner_text() for i in range(rows.count())}
    assert names == cookie_names()
    assert "8 hours" in axe_page.locator("#cookie-list").inner_text()
    assert axe_violations(axe_page) == []
