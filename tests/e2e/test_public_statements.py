"""The accessibility statement and the privacy notice in a real browser, with axe on every
state of their pages: the site administrator edits the statement (a wrong review date, then
a right one); the partnership admin checks and publishes the privacy notice, which someone
who is not signed in then finds from the footer."""

from __future__ import annotations

import pytest

from saferstat.core.models import User
from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in


@pytest.mark.django_db(transaction=True)
def test_the_site_administrator_edits_the_accessibility_statement(axe_page, live_server):
    page = axe_page
    User.objects.create_superuser("site-admin", password=PASSWORD)
    sign_in(page, live_server, "site-admin", PASSWORD)
    page.goto(live_server.url + "/glossary/")
    page.locator("footer").get_by_role("link", name="Accessibility statement").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Accessibility statement for SaferStat"
    )
    assert axe_violations(page) == []
    page.get_by_role("link", name="Edit the accessibility statement").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    page.get_by_label("Organisation that runs the service").fill("Example Borough Council")
    page.get_by_label("Statement last reviewed on").fill("2020-01-01")
    page.get_by_role("button", name="Save the statement").click()
    page.wait_for_load_state()
    assert "There is a problem" in page.content()
    assert axe_violations(page) == []
    page.get_by_label("Statement last reviewed on").fill("2025-09-01")
    page.get_by_role("button", name="Save the statement").click()
    page.wait_for_load_state()
    assert page.url.endswith("/accessibility/")
    assert "run by Example Borough Council" in page.content()
    assert "last reviewed on 1 September 2025" in page.content()
    assert axe_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_the_admin_publishes_the_privacy_notice_and_the_public_finds_it(
    axe_page, live_server, rotherham, make_member
):
    page = axe_page
    make_member(rotherham, "admin")
    sign_in(page, live_server, "rotherham-admin", PASSWORD)
    page.goto(live_server.url + "/p/rotherham/")
    page.locator("footer").get_by_role("link", name="Privacy").click()
    page.wait_for_load_state()
    assert page.url.endswith("/p/rotherham/privacy/")
    assert "This is SaferStat's default text" in page.content()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Check and publish the privacy notice").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    contact = page.get_by_label("Contact us (the data protection officer)")
    contact.fill("")
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_load_state()
    assert "There is a problem" in page.content()
    assert axe_violations(page) == []
    contact.fill("Data protection officer: dpo@rotherham.example")
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_load_state()
    assert "Anyone can now read it" in page.content()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    page.goto(live_server.url + "/")
    page.locator("footer").get_by_role("link", name="Privacy").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    page.get_by_role("link", name=f"Privacy notice of {rotherham.name}").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="dpo@rotherham.example").is_visible()
    assert "default text" not in page.content()
    assert axe_violations(page) == []
