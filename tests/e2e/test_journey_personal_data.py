"""Personal data journey: the case review officer imports the cases held in a spreadsheet
(a refused file lists its problems by line and column, nothing stored; the corrected file
is imported), then finds one applicant's data, downloads their subject-access export and
erases the closed case at their request; the yearly figures stay the same. axe-core on
every new page, with its errors and results shown."""

from __future__ import annotations

import json

import pytest

from saferstat.casereviews import selectors
from saferstat.casereviews.models import Application
from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in

HEADER = (
    "Date received,Who applied,Applicant's name,Applicant's contact details,Decision,"
    "Decided on,Applicant informed on,Complaint 1 behaviour on,Complaint 1 made on,"
    "Complaint 1 made to"
)
ROWS = [
    "2024-05-07,victim,Applicant K (invented),k@example.invalid,not met,2024-05-20,2024-05-22,"
    "2024-04-01,2024-04-02,Police",
    "2024-06-03,business,Shop L (invented),,,,,,,",
]


@pytest.mark.django_db(transaction=True)
def test_import_then_export_and_erase_one_persons_data(
    page, axe_page, live_server, rotherham, members, tmp_path
):
    base = f"{live_server.url}/p/rotherham"
    sign_in(page, live_server, "rotherham-admin", PASSWORD)
    sign_in(axe_page, live_server, "rotherham-admin", PASSWORD)

    bad = tmp_path / "held cases.csv"
    bad.write_text("\n".join([HEADER, ROWS[0], ROWS[1].replace("business", "shop")]) + "\n")
    page.goto(f"{base}/case-reviews/import/")
    page.get_by_label("File of cases").set_input_files(str(bad))
    page.get_by_role("button", name="Check and import").click()
    problems = page.locator("#problems").inner_text()
    assert "held cases.csv:3: Who applied: write victim" in problems
    assert Application.objects.count() == 0
    axe_page.goto(f"{base}/case-reviews/import/")
    axe_page.get_by_label("File of cases").set_input_files(str(bad))
    axe_page.get_by_role("button", name="Check and import").click()
    assert axe_violations(axe_page) == [], "import page with errors"

    good = tmp_path / "held cases.csv"
    good.write_text("\n".join([HEADER, *ROWS]) + "\n")
    page.get_by_label("File of cases").set_input_files(str(good))
    page.get_by_role("button", name="Check and import").click()
    page.get_by_text("2 case(s) were imported.").wait_for()
    assert Application.objects.count() == 2
    figures = selectors.year_figures(rotherham)

    page.goto(f"{base}/personal-data/")
    assert "ASB case review applications" in page.locator("#declaration").inner_text()
    page.get_by_role("link", name="Find one person's data").click()
    page.get_by_label("Name, email, phone number or address").fill("Applicant K")
    page.get_by_role("button", name="Search").click()
    assert "k@example.invalid" in page.locator("#matches").inner_text()
    search_url = page.url
    page.get_by_label("Your reference for the request").fill("SAR-2025-001")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the export (JSON)").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert data["records"][0]["fields"]["applicant_name"] == "Applicant K (invented)"
    assert data["records"][0]["related"][0]["fields"]["body"] == "Police"

    page.goto(search_url)
    page.get_by_label("Your reference for the request").fill("ER-2025-001")
    page.get_by_text("Erase the ticked records at the person's request").click()
    page.get_by_label("Why the law allows erasure").fill("Art. 17(1)(a): the case is closed")
    page.get_by_role("button", name="Erase the ticked records").click()
    page.get_by_text("1 record(s) erased, 0 refused.").wait_for()
    register = page.locator("#register").inner_text()
    assert "SAR-2025-001" in register and "ER-2025-001" in register
    erased = Application.objects.get(received_on="2024-05-07")
    assert erased.applicant_name == "[erased]" and erased.decision == "not_met"
    assert selectors.year_figures(rotherham) == figures

    for url in (
        f"{base}/personal-data/",
        f"{base}/personal-data/requests/",
        f"{base}/personal-data/requests/?q=Shop",
        f"{base}/personal-data/requests/?q=Nobody",
        f"{base}/case-reviews/import/",
    ):
        axe_page.goto(url)
        assert axe_violations(axe_page) == [], url
