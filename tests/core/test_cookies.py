"""The cookies page's list is the whole truth, checked quickly without a browser (the
browser check is tests/e2e/test_cookies.py): every Set-Cookie the app sends while someone
signs in, browses, changes something (a message is carried to the next page), opens the new
public pages and signs out names a listed cookie, all of them strictly necessary, so no
consent banner is needed. A new cookie (analytics, a preference) fails here until it is
listed, and a listed one that is not essential fails too."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from saferstat.core.cookies import cookie_list, cookie_names
from tests.django_fixtures import PASSWORD


@pytest.mark.django_db
def test_every_cookie_the_app_sets_is_listed_and_essential(rotherham, make_member):
    make_member(rotherham, "admin")
    browser = Client(enforce_csrf_checks=True)
    received: set[str] = set()

    def visit(method: str, url: str, **data):
        if method == "post":
            data["csrfmiddlewaretoken"] = browser.cookies["csrftoken"].value
        response = getattr(browser, method)(url, data)
        received.update(response.cookies.keys())
        return response

    visit("get", "/")
    visit("get", "/sign-in/")
    signed_in = visit("post", "/sign-in/", username="rotherham-admin", password=PASSWORD)
    assert signed_in.status_code == 302
    for url in ("/p/rotherham/", "/privacy/", "/p/rotherham/privacy/", "/accessibility/"):
        assert visit("get", url).status_code == 200, url
    visit("post", "/account/api-tokens/", name="cookie test")
    token = re.search(
        r'name="revoke" value="(\d+)"', visit("get", "/account/api-tokens/").content.decode()
    )
    assert token, "the new token is listed with a revoke button"
    visit("post", "/account/api-tokens/", revoke=token.group(1))
    assert "was revoked" in visit("get", "/account/api-tokens/").content.decode()
    visit("post", "/sign-out/")

    assert received == cookie_names(), (
        f"received {received}, the cookies page lists {cookie_names()}"
    )
    assert all(cookie.essential for cookie in cookie_list())
    assert "messages" in received  # the message after a change went by cookie


@pytest.mark.django_db
def test_the_page_lists_the_cookies_with_the_configured_lifetimes(client, settings):
    settings.SESSION_COOKIE_AGE = 4 * 3600
    html = client.get("/cookies/").content.decode()
    for cookie in cookie_list():
        assert f"<code>{cookie.name}</code>" in html
        assert cookie.lifetime[0].upper() + cookie.lifetime[1:] in html
    assert "Until you close your browser, or 4 hours, whichever is sooner" in html
    assert "364 days" in html  # Django's CSRF cookie: 52 weeks
