"""The assessment document: explorer views embedded in sections, frozen at sign-off with the
warehouse version they came from, so loading new data never changes the signed document
while its "as now" links show today's figures; its PDF with the annex of frozen tables."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from saferstat.analytics.warehouse import Warehouse
from saferstat.assessment import services
from saferstat.assessment.models import Assessment, FrozenView
from saferstat.core.models import AuditEvent
from tests.conftest import policeuk_file

#: Open-ended: no months given, so the explorer answers with "the latest months".
TREND = "source=police&view=trend&crime_type=Burglary"


@pytest.fixture
def assessment(rotherham, members):
    return services.assessment_create(partnership=rotherham, by=members["analyst"], year="2025/26")


def table_rows(page: str, view_pk: int) -> str:
    start = page.index(f'id="view-{view_pk}-table"')
    return page[start : page.index("</table>", start)]


@pytest.mark.django_db
def test_signed_document_keeps_its_figures_when_new_data_is_loaded(
    client, overview_warehouse, rotherham, members, assessment
):
    analyst, admin = members["analyst"], members["admin"]
    services.section_text_set(
        assessment=assessment, by=analyst, key="picture", text="Burglary fell.\nMostly."
    )
    view = services.view_embed(
        assessment=assessment,
        by=analyst,
        key="picture",
        title="Burglary trend",
        query=f"http://testserver/p/rotherham/explore/?{TREND}&format=csv",
    )
    assert view.query == TREND and view.figures is None  # the address is reduced to its query
    url = f"/p/rotherham/assessment/{assessment.pk}/document/"
    client.force_login(members["scrutiny"])
    draft = client.get(url).content.decode()
    assert 'data-state="draft"' in draft and "Today's figures (not frozen yet)" in draft
    assert "2025-03" in table_rows(draft, view.pk) and "2025-04" not in draft

    # only the admin signs off; sign-off freezes the explorer's own figures with the version
    with pytest.raises(PermissionDenied):
        services.sign_off(assessment=assessment, by=analyst)
    services.sign_off(assessment=assessment, by=admin)
    view.refresh_from_db()
    assert view.is_frozen and "to=2025-03" in view.figures["resolved_query"]
    version = view.warehouse_version
    assert version["latest_month"] == "2025-03" and version["generation"] >= 1
    frozen_rows = view.figures["rows"]
    assert frozen_rows[-1]["month"] == "2025-03"
    signed = client.get(url).content.decode()
    assert 'data-state="signed"' in signed
    assert f"warehouse version {version['generation']}" in signed
    signed_table = table_rows(signed, view.pk)
    chart = client.get(f"{url}views/{view.pk}/chart.svg")
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"

    # a new month is loaded after sign-off
    Warehouse(overview_warehouse).load_policeuk_file(policeuk_file("2025-04"))

    view.refresh_from_db()
    assert view.figures["rows"] == frozen_rows and view.warehouse_version == version
    again = client.get(url).content.decode()
    assert table_rows(again, view.pk) == signed_table and "2025-04" not in signed_table
    assert client.get(f"{url}views/{view.pk}/chart.svg").content == chart.content
    # "as now" is the view as asked: today's figures include the new month
    as_now = f"/p/rotherham/explore/?{TREND}"
    assert f'href="{as_now}"' in again.replace("&amp;", "&")
    now_page = client.get(as_now).content.decode()
    assert "2025-04" in now_page
    # the frozen months reopen as they were frozen
    assert view.figures["resolved_query"] in again.replace("&amp;", "&")

    # the signed document is frozen: no edit, no second sign-off
    for call in (
        lambda: services.section_text_set(assessment=assessment, by=analyst, key="gaps", text="x"),
        lambda: services.view_embed(
            assessment=assessment, by=analyst, key="gaps", title="x", query=TREND
        ),
        lambda: services.sign_off(assessment=assessment, by=admin),
    ):
        with pytest.raises(ValidationError, match="frozen"):
            call()
    event = AuditEvent.objects.get(verb="assessment.sign_off")
    assert event.after["views"][str(view.pk)]["generation"] == version["generation"]

    # the PDF: the signed document with its annex (tagged PDF)
    pdf = client.get(f"/p/rotherham/assessment/{assessment.pk}/document.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_document_html_has_the_annex_tables_and_refuses_a_pdf_before_sign_off(
    client, overview_warehouse, rotherham, members, assessment
):
    from saferstat.assessment import selectors

    view = services.view_embed(
        assessment=assessment,
        by=members["analyst"],
        key="emerging",
        title="Harm of burglary",
        query="view=harm&crime_type=Burglary&period=2024/25",
    )
    client.force_login(members["admin"])
    pdf_url = f"/p/rotherham/assessment/{assessment.pk}/document.pdf"
    assert client.get(pdf_url).status_code == 404
    services.sign_off(assessment=assessment, by=members["admin"])
    from django.template.loader import render_to_string

    signed = Assessment.objects.get(pk=assessment.pk)
    html = render_to_string(
        "assessment/document_print.html",
        {
            "partnership": rotherham,
            "assessment": signed,
            "sections": selectors.document(signed),
            "charts": {},
            "site": "https://example.org",
        },
    )
    view = FrozenView.objects.get(pk=view.pk)
    assert "Annex: the frozen tables" in html and "Table A2.1: " + view.figures["title"] in html
    assert f"warehouse version {view.warehouse_version['generation']}" in html
    assert "Burglary" in html


@pytest.mark.django_db
def test_a_bad_view_is_refused_and_a_view_without_data_refuses_sign_off(
    client, overview_warehouse, rotherham, members, assessment
):
    with pytest.raises(ValidationError):
        services.view_embed(
            assessment=assessment,
            by=members["analyst"],
            key="gaps",
            title="Nonsense",
            query="view=nope&crime_type=Unicorns",
        )
    services.view_embed(
        assessment=assessment,
        by=members["analyst"],
        key="gaps",
        title="A year with no data",
        query="view=harm&crime_type=Burglary&period=2019/20",
    )
    with pytest.raises(ValidationError, match="A year with no data"):
        services.sign_off(assessment=assessment, by=members["admin"])
    assert not Assessment.objects.get(pk=assessment.pk).is_signed_off
    assert not FrozenView.objects.filter(frozen_at__isnull=False).exists()
