"""Case review pages: who sees personal details, the public figures, reads audited."""

from __future__ import annotations

import pytest

from saferstat.casereviews import services
from saferstat.core.models import AuditEvent
from tests.casereviews.world import build

pytestmark = pytest.mark.django_db


def test_case_details_only_for_admins_and_named_reviewers(client, rotherham, members):
    world = build(rotherham, members["admin"], mark="VICTIMMARK ")
    url = f"/p/rotherham/case-reviews/{world['application']}/"
    for role in ("analyst", "lead", "board", "scrutiny"):
        client.force_login(members[role])
        response = client.get(url)
        assert response.status_code == 403, role
        assert b"VICTIMMARK" not in response.content
        assert b"VICTIMMARK" not in client.get("/p/rotherham/case-reviews/figures/").content
    services.reviewer_name(partnership=rotherham, by=members["admin"], user=members["analyst"])
    client.force_login(members["analyst"])
    html = client.get(url).content.decode()
    assert "VICTIMMARK Applicant A" in html and "Threshold met" in html
    assert "Install lighting" in html
    read = AuditEvent.objects.filter(verb="application.read", actor=members["analyst"])
    assert read.count() == 1


def test_the_public_sees_published_figures_disclosure_controlled(client, rotherham, members):
    build(rotherham, members["admin"])
    client.logout()
    html = client.get("/p/rotherham/case-reviews/figures/").content.decode()
    assert "2024/25" in html and "Applicant" not in html
    assert "exactly" not in html  # two applications: shown as "*", never the count
    assert html.count(">*<") + html.count("*</td>") >= 1
    client.force_login(members["admin"])
    assert "(exactly 2)" in client.get("/p/rotherham/case-reviews/figures/").content.decode()


def test_figures_closed_until_a_year_is_published(client, rotherham, members):
    build(rotherham, members["admin"], published=False)
    client.logout()
    assert client.get("/p/rotherham/case-reviews/figures/").status_code == 302
    client.force_login(members["scrutiny"])
    assert client.get("/p/rotherham/case-reviews/figures/").status_code == 200


def test_an_application_through_the_pages(client, rotherham, members):
    client.force_login(members["admin"])
    response = client.post(
        "/p/rotherham/case-reviews/",
        {
            "form": "application",
            "app-received_on": "2025-01-06",
            "app-applicant_type": "victim",
            "app-applicant_name": "Applicant C",
        },
    )
    assert response.status_code == 302
    detail = response["Location"]
    for made in ("2024-08-01", "2024-10-01", "2024-12-20"):
        r = client.post(
            detail,
            {
                "form": "complaint",
                "complaint-made_on": made,
                "complaint-behaviour_on": made,
                "complaint-body": "Police",
            },
        )
        assert r.status_code == 302
    html = client.get(detail).content.decode()
    assert "Threshold met: 3 qualifying complaint(s) of 3" in html
    r = client.post(
        detail, {"form": "decide", "decide-met": "no", "decide-decided_on": "2025-01-10"}
    )
    assert r.status_code == 400 and "Give the reason" in r.content.decode()


def test_a_call_referred_through_the_pages_is_on_the_committees_work_programme(
    client, rotherham, members
):
    from tests.governance.world import build as build_governance

    gov = build_governance(rotherham, members["admin"])
    call = build(rotherham, members["admin"])["call"]
    url = f"/p/rotherham/case-reviews/calls/{call}/"
    client.force_login(members["analyst"])
    r = client.post(
        url,
        {
            "form": "respond",
            "respond-responded_on": "2024-07-05",
            "respond-response": "Asked for joint patrols",
        },
    )
    assert r.status_code == 302
    r = client.post(
        url,
        {
            "form": "refer",
            "refer-committee": str(gov["scrutiny"]),
            "refer-meeting": str(gov["hearing"]),
        },
    )
    assert r.status_code == 302
    # The committee's members see it on the work programme, planned for the meeting.
    client.force_login(members["scrutiny"])
    body = client.get(f"/p/rotherham/governance/bodies/{gov['scrutiny']}/").content.decode()
    assert "Councillor call for action: Off-road bikes on the park" in body
    assert "Ward councillor, Central ward, raised 01 July 2024" in body
    html = client.get(url).content.decode()
    assert "On the work programme of" in html and "its meeting of 6 November 2024" in html
    client.force_login(members["analyst"])
    r = client.post(
        url,
        {
            "form": "close",
            "close-closed_on": "2024-11-20",
            "close-outcome": "The committee asked for a quarterly update",
        },
    )
    assert r.status_code == 302
    client.force_login(members["board"])
    html = client.get(url).content.decode()
    assert "Closed" in html and "20 November 2024: The committee asked for a quarterly" in html
    assert "On the work programme of" in html
