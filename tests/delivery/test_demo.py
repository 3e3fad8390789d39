"""`manage.py demo_delivery`: the £118,000 fund, eight projects, a year of returns, the logs;
the "what did the money achieve" page answers the question."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from saferstat.core.demo import demo_install
from saferstat.delivery import selectors
from saferstat.delivery.models import Activity, Communication, FundingStream, MonitoringReturn


def encompass_priorities(summary) -> int:
    row = next(r for r in summary.rows if r.project.name.startswith("Encompass"))
    return row.project.priorities.count()


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_delivery(client):
    demo_install()
    call_command("demo_plan_performance", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_delivery", stdout=out)
    call_command("demo_delivery", stdout=io.StringIO())  # safe to run again
    stream = FundingStream.objects.get(partnership__slug="rotherham")
    assert stream.amount_pence == 11_800_000 and stream.is_demo
    summary = selectors.achieved(partnership=stream.partnership, stream=stream)
    assert len(summary.rows) == 8
    assert summary.awarded == stream.amount_pence == 11_800_000  # every pound awarded
    assert all(r.project.is_demo and r.project.priorities.exists() for r in summary.rows)
    assert encompass_priorities(summary) == 2  # one demo project serves two priorities
    statuses = MonitoringReturn.objects.filter(project__partnership=stream.partnership)
    assert statuses.count() == 32
    assert statuses.filter(status="approved").count() >= 26
    assert statuses.filter(status="submitted").count() == 1
    assert statuses.filter(status="returned").count() == 1
    assert selectors.returns_late(partnership=stream.partnership)  # the owed ones
    assert selectors.returns_submitted_late(partnership=stream.partnership)
    perpetrators = next(r for r in summary.rows if r.project.name.startswith("Perpetrator"))
    assert perpetrators.outputs[0].actual == 77  # "77 perpetrators referred"
    kicks = next(r for r in summary.rows if r.project.name.startswith("Kicks"))
    assert kicks.outputs[0].actual == 120  # "120 young people engaged"
    encompass = next(r for r in summary.rows if r.project.name.startswith("Encompass"))
    assert "No outcome declared: only activity is measured" in encompass.gaps
    assert Communication.objects.filter(is_demo=True).count() == 4
    assert Activity.objects.filter(kind="training").count() == 5
    client.force_login(stream.partnership.memberships.get(role="scrutiny").user)
    html = client.get(f"/p/rotherham/delivery/streams/{stream.pk}/achieved/").content.decode()
    assert "What did the £118,000 achieve?" in html and "Demo data" in html
    assert "77" in html and "Gap" in html
