"""The annual report's case review section: the four statutory figures for the report's
financial year, computed from the records (hand-counted here), with the report's disclosure
control in the public version."""

from __future__ import annotations

import datetime as dt

import pytest

from saferstat.casereviews import services as cases
from saferstat.reports import selectors, services
from saferstat.reports.sections import sections_for
from tests.casereviews.world import build as build_cases

D = dt.date
pytestmark = pytest.mark.django_db


def _not_met(partnership, admin, received: dt.date, n: int):
    a = cases.application_create(
        partnership=partnership,
        by=admin,
        received_on=received,
        applicant_type="victim",
        applicant_name=f"Applicant extra {n}",
    )
    cases.threshold_decide(
        application=a, by=admin, decided_on=received, met=False, reason="No complaints"
    )


def _section(report):
    return next(s for s in selectors.build_sections(report) if s["key"] == "case-reviews")


def _values(section):
    return [row["cells"][0]["value"] for row in section["data"]["tables"][0]["rows"]]


def test_the_four_figures_for_the_reports_year(client, rotherham, members):
    admin = members["admin"]
    # 2024/25 by hand: the world's reviewed case (received 2 Sep 2024, reviewed 1 Oct 2024,
    # one recommendation) and its case not met (4 Nov 2024), plus 7 more not met in the
    # year: 9 applications, 8 not met, 1 review, 1 with recommendations. One application of
    # 2023/24 (15 Mar 2024) and one of 2025/26 (7 Apr 2025) are not counted.
    build_cases(rotherham, admin)
    for n in range(7):
        _not_met(rotherham, admin, D(2024, 5, 1) + dt.timedelta(days=30 * n), n)
    _not_met(rotherham, admin, D(2024, 3, 15), 8)
    _not_met(rotherham, admin, D(2025, 4, 7), 9)
    report = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="annual", period="2024/25"
    )
    section = _section(report)
    assert section["available"] and section["template"] == "reports/sections/_case_reviews.html"
    assert _values(section) == [9, 8, 1, 1]
    cell = section["data"]["tables"][0]["rows"][0]["cells"][0]
    assert cell["sensitive"] and "casereviews.selectors.year_figures, 2024/25" in cell["source"]
    public, log = selectors.disclose([section])
    assert _values(public[0]) == [10, 10, "*", "*"]
    assert len([entry for entry in log if entry["section"] == section["title"]]) == 2
    # The page: true values inside, the public version controlled.
    client.force_login(admin)
    url = f"/p/rotherham/reports/{report.pk}/"
    html = client.get(url).content.decode()
    assert "ASB case reviews (the Community Trigger)" in html
    assert "ASB case reviews carried out" in html and "section 104(10)" in html
    public_html = client.get(url + "?as=public").content.decode()
    assert "Disclosure control applied" in public_html
    # Another year's report counts that year's records only.
    next_year = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="annual", period="2025/26"
    )
    assert _values(_section(next_year)) == [1, 1, 0, 0]


def test_no_records_for_the_year_is_said_not_shown_as_zeros(rotherham, members):
    report = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="annual", period="2024/25"
    )
    section = _section(report)
    assert "tables" not in section["data"]
    assert (
        "No ASB case review application or review is recorded" in (section["data"]["paragraphs"][0])
    )


def test_the_section_sits_in_its_place_in_the_annual_report_only():
    keys = [s.key for s in sections_for("annual")]
    assert keys.index("scrutiny") < keys.index("case-reviews") < keys.index("contacts")
    assert "case-reviews" not in [s.key for s in sections_for("quarterly")]
