"""The public dashboard: members preview it, the admin publishes it, then everyone reads it;
only indicators marked public, only approved values, small sensitive counts hidden."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.core.models import AuditEvent
from saferstat.performance.importing import values_import
from saferstat.performance.services import indicator_upsert

pytestmark = pytest.mark.django_db
URL = "/p/rotherham/performance/public/?period=2024/25-Q2"


@pytest.fixture
def public_world(world, members):
    partnership = world["plan"].partnership
    da = indicator_upsert(
        partnership=partnership,
        by=members["analyst"],
        priority=world["first"],
        code="da-repeat",
        name="Repeat victims of domestic abuse",
        definition="Victims at high risk referred again within a year",
        unit="count",
        polarity="decrease",
        public=True,
    )
    for indicator in (world["missing"],):
        indicator.public = True
        indicator.save()
    values_import(
        partnership=partnership,
        by=members["analyst"],
        upload=SimpleUploadedFile(
            "v.csv",
            b"indicator,period,value\nda-repeat,2024/25-Q2,5\nmissing-repeat,2024/25-Q2,13\n"
            b"found-share,2024/25-Q2,91\n",
        ),
    )
    return {**world, "da": da}


def cards(page: str) -> set[str]:
    import re

    return set(re.findall(r'id="indicator-([\w-]+)"', page))


def test_not_published_members_preview_the_public_dashboard(client, public_world, members):
    assert client.get(URL)["Location"].startswith("/sign-in/")
    client.force_login(members["scrutiny"])
    page = client.get(URL).content.decode()
    assert "Preview: this dashboard is not published" in page
    assert cards(page) == {"da-repeat", "missing-repeat"}  # found-share is not public
    assert "Publish the public dashboard" not in page  # only admins publish


def test_published_everyone_reads_it_disclosure_controlled(client, public_world, members):
    client.force_login(members["analyst"])
    assert client.post(URL, {"published": "1"}).status_code == 403
    client.force_login(members["admin"])
    assert client.post(URL, {}).status_code == 400
    response = client.post(URL, {"published": "1"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(verb="performance.publish").count() == 1
    client.logout()
    page = client.get(URL).content.decode()
    assert "Preview" not in page and cards(page) == {"da-repeat", "missing-repeat"}
    # The sensitive count of 5 is hidden; the other count is shown as it is.
    da_card = page.split('id="indicator-da-repeat"')[1].split('id="indicator-')[0]
    assert '<strong class="saferstat-latest">*</strong>' in da_card
    assert ">5<" not in da_card and "On last year" not in da_card
    assert "small numbers hidden" in da_card
    missing = page.split('id="indicator-missing-repeat"')[1]
    assert '<strong class="saferstat-latest">13</strong>' in missing
    assert "Commentary" not in page  # the lead's commentary is for the Board
    # Unpublished again: closed to the public.
    client.force_login(members["admin"])
    client.post(URL, {"published": "0"})
    client.logout()
    assert client.get(URL).status_code == 302


def test_only_approved_values_are_public(client, public_world, members):
    """The second priority's Q1 is submitted, not approved: no value in public."""
    public_world["asb"].public = True
    public_world["asb"].save()
    second = indicator_upsert(
        partnership=public_world["plan"].partnership,
        by=members["analyst"],
        priority=public_world["second"],
        code="asb-repeat",
        name="Repeat victims of anti-social behaviour",
        definition="Victims reporting three times or more",
        unit="count",
        polarity="decrease",
        public=True,
    )
    from saferstat.performance.models import ReturnLine

    ReturnLine.objects.update_or_create(
        ret=public_world["submitted"], indicator=second, defaults={"value": 77}
    )
    client.force_login(members["admin"])
    client.post(URL, {"published": "1"})
    client.logout()
    page = client.get("/p/rotherham/performance/public/?period=2024/25-Q1").content.decode()
    card = page.split('id="indicator-asb-repeat"')[1].split('id="indicator-')[0]
    assert "77" not in card and "no value" in card


def test_another_partnerships_member_needs_it_published(
    client, public_world, sheffield, make_member
):
    client.force_login(make_member(sheffield, "admin", username="sheffield-admin"))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"published": "1"}).status_code == 403


def test_the_partnerships_published_pages_link_the_published_dashboard(
    client, public_world, members, rotherham, overview_warehouse
):
    """The crime overview and the public meetings page link the public dashboard once it
    is published, and not before."""
    from saferstat.governance.models import Body
    from saferstat.performance.services import dashboard_publish

    rotherham.overview_published = True
    rotherham.save()
    Body.objects.create(partnership=rotherham, name="Partnership Board", kind="board",
                        meets_in_public=True)  # fmt: skip
    pages = ["/p/rotherham/overview/2024-25/", "/p/rotherham/governance/public/"]
    link = 'href="/p/rotherham/performance/public/"'
    for url in pages:
        response = client.get(url)  # anonymous: these pages are public
        assert response.status_code == 200, url
        assert link not in response.content.decode(), url
    dashboard_publish(partnership=rotherham, by=members["admin"], published=True)
    for url in pages:
        assert link in client.get(url).content.decode(), url
    assert client.get("/p/rotherham/performance/public/").status_code == 200


def test_the_partnerships_own_disclosure_rule_applies(client, public_world, members):
    """The rule the admin sets for everything the partnership publishes (reports' page)
    holds on the public dashboard too: a sensitive 9 is rounded to 10 by default and hidden
    under a threshold of 10."""
    from saferstat.reports.services import disclosure_policy_set

    partnership = public_world["plan"].partnership
    values_import(
        partnership=partnership,
        by=members["analyst"],
        upload=SimpleUploadedFile("v.csv", b"indicator,period,value\nda-repeat,2024/25-Q2,9\n"),
    )
    client.force_login(members["scrutiny"])

    def shown() -> str:
        page = client.get(URL).content.decode()
        card = page.split('id="indicator-da-repeat"')[1].split('id="indicator-')[0]
        return card.split('<strong class="saferstat-latest">')[1].split("<")[0]

    assert shown() == "10"
    disclosure_policy_set(partnership=partnership, by=members["admin"], threshold=10, base=5)
    assert shown() == "*"
