"""The delivery pages: forms through the services, errors shown, downloads in the declared
columns, pounds shown from pence."""

from __future__ import annotations

import io

import openpyxl
import pytest

from saferstat.core.models import AuditEvent
from saferstat.delivery.models import Communication, FundingStream, Grant, Project

pytestmark = pytest.mark.django_db


def test_analyst_records_a_stream_and_an_over_allocation_needs_a_reason(client, world, members):
    client.force_login(members["analyst"])
    response = client.post(
        "/p/rotherham/delivery/",
        {"name": "Home Office grant", "funder": "Home Office", "financial_year": "2024/25",
         "amount": "£10,000.50"},
    )  # fmt: skip
    stream = FundingStream.objects.get(name="Home Office grant")
    assert response.status_code == 302 and stream.amount_pence == 1_000_050
    url = f"/p/rotherham/delivery/streams/{stream.pk}/"
    project = world["project"]
    response = client.post(url, {"project": project.pk, "amount": "10,001"})
    assert response.status_code == 400 and "Give a reason" in response.content.decode()
    assert not Grant.objects.filter(stream=stream).exists()
    response = client.post(url, {"project": project.pk, "amount": "10,001", "reason": "Match"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Over-allocated by £0.50" in html and "£10,001" in html


def test_bad_money_is_refused_with_a_message(client, members, world):
    client.force_login(members["admin"])
    response = client.post(
        "/p/rotherham/delivery/",
        {"name": "X", "funder": "Y", "financial_year": "2024/25", "amount": "12.345"},
    )
    assert response.status_code == 400 and "Enter an amount in pounds" in response.content.decode()


def test_project_form_and_measure_form(client, members, world):
    client.force_login(members["analyst"])
    response = client.post(
        "/p/rotherham/delivery/projects/",
        {"name": "Street doctors", "organisation": world["organisation"].pk,
         "priorities": world["priority"].pk, "lead": members["lead"].pk,
         "start_date": "2024-04-01", "end_date": "2024-12-31"},
    )  # fmt: skip
    project = Project.objects.get(name="Street doctors")
    assert response.status_code == 302 and project.returns.count() == 3
    url = f"/p/rotherham/delivery/projects/{project.pk}/"
    response = client.post(
        url, {"form": "measure", "kind": "output", "name": "Sessions", "unit": "sessions",
              "planned": "x"},
    )  # fmt: skip
    assert response.status_code == 400
    response = client.post(
        url, {"form": "measure", "kind": "output", "name": "Sessions", "unit": "sessions",
              "planned": "12"},
    )  # fmt: skip
    assert response.status_code == 302 and project.measures.get().planned == 12


def test_a_lead_cannot_use_the_analyst_forms(client, members, world):
    client.force_login(members["lead"])
    before = AuditEvent.objects.count()
    response = client.post(
        "/p/rotherham/delivery/communications/",
        {"date": "2024-01-01", "title": "x", "audience": "y"},
    )
    assert response.status_code == 403 and AuditEvent.objects.count() == before
    client.force_login(members["analyst"])
    response = client.post(
        "/p/rotherham/delivery/communications/",
        {"date": "2024-01-01", "title": "Bulletin", "audience": "Residents", "reach": "1,200"},
    )
    assert response.status_code == 302
    assert Communication.objects.get(title="Bulletin").reach == 1200


def test_funder_return_uses_the_columns_the_stream_declares(client, members, world):
    stream = world["stream"]
    stream.export_columns = ["project", "award_gbp", "measure", "actual"]
    stream.save()
    client.force_login(members["board"])
    response = client.get(f"/p/rotherham/delivery/streams/{stream.pk}/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Project", "Award (£)", "Output or outcome", "Actual (approved returns)"]
    assert ["Perpetrator programme", "£20,000", "Perpetrators referred", 40] in rows


def test_achieved_page_answers_with_gaps(client, members, world):
    client.force_login(members["scrutiny"])
    html = client.get(
        f"/p/rotherham/delivery/streams/{world['stream'].pk}/achieved/"
    ).content.decode()
    assert "What did the £118,000 achieve?" in html
    assert "£20,000 was awarded to 1 project" in html and "£98,000 was not awarded" in html
    assert "2024/25-Q2: return submitted" in html  # awaiting approval: a gap, not a figure
