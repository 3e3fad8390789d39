"""Journey 1 (DESIGN.md section 6): an analyst signs in, reads the overview, uploads the
missing month, a force administrator approves it (the month is the force's, shared by every
partnership it serves), and the analyst sees it counted; a broken file is refused with its
line and field."""

from __future__ import annotations

import csv
import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in

DEMO = Path(__file__).resolve().parents[2] / "demo_data"
MARCH_2025 = DEMO / "police-uk" / "2025-03-south-yorkshire-street.csv.gz"


def rotherham_rows(path: Path) -> int:
    """Independent count: rows of the file whose LSOA is in Rotherham (by the ONS lookup)."""
    with open(DEMO / "ons" / "LSOA21_WD24_LAD24_EW_LU.csv", encoding="utf-8-sig", newline="") as f:
        lsoas = {r["LSOA21CD"] for r in csv.DictReader(f) if r["LAD24CD"] == "E08000018"}
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        return sum(1 for r in csv.DictReader(f) if r["LSOA code"] in lsoas)


@pytest.fixture
def journey_warehouse(tmp_path, settings):
    """A warehouse with 2024/25 loaded except March 2025 (which the analyst uploads)."""
    from saferstat.analytics.reference import load_reference
    from saferstat.analytics.warehouse import Warehouse

    root = tmp_path / "warehouse"
    load_reference(root, DEMO / "ons")
    wh = Warehouse(root)
    for month in [
        "2024-04",
        "2024-05",
        "2024-06",
        "2024-07",
        "2024-08",
        "2024-09",
        "2024-10",
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]:
        wh.load_policeuk_file(DEMO / "police-uk" / f"{month}-south-yorkshire-street.csv.gz")
    settings.SAFERSTAT_WAREHOUSE = root
    settings.MEDIA_ROOT = tmp_path / "media"
    return root


@pytest.mark.django_db(transaction=True)
def test_analyst_uploads_missing_month_and_sees_it_counted(
    page,
    axe_page,
    live_server,
    journey_warehouse,
    rotherham,
    make_member,
    make_force_admin,
    tmp_path,
):
    make_member(rotherham, "analyst", username="ana")
    make_force_admin("sy-force-admin")
    sign_in(page, live_server, "ana", PASSWORD)
    page.get_by_role("link", name="Safer Rotherham Partnership").click()
    page.get_by_role("link", name="Crime overview").click()
    assert re.search(r"/p/rotherham/overview/2024-25/$", page.url)
    page.get_by_role("heading", name="Crime overview, Rotherham, 2024/25").wait_for()
    warning = page.locator("#missing-months-warning")
    assert "March 2025" in warning.inner_text()
    march = page.locator("#monthly tr", has_text="March 2025")
    assert "No data (gap)" in march.inner_text()

    # A broken file is refused with file, line and field, and nothing is stored.
    broken = tmp_path / "2025-03-south-yorkshire-street.csv"
    with gzip.open(MARCH_2025, "rt", encoding="utf-8", newline="") as f:
        text = f.read()
    lines = text.splitlines(keepends=True)
    lines[5] = lines[5].replace("2025-03", "2025-04", 1)
    broken.write_text("".join(lines), encoding="utf-8")
    page.get_by_role("link", name="Load another month").click()
    page.get_by_label("police.uk street-level crime file").set_input_files(str(broken))
    page.get_by_role("button", name="Upload for approval").click()
    page.get_by_text("The file was refused and nothing from it was stored").wait_for()
    errors = page.locator("#import-errors").inner_text()
    assert "2025-03-south-yorkshire-street.csv:6: Month:" in errors
    page.goto(f"{live_server.url}/p/rotherham/overview/2024-25/")
    assert "No data (gap)" in page.locator("#monthly tr", has_text="March 2025").inner_text()

    # The real file is checked, then waits for the force administrator: still a gap.
    page.goto(f"{live_server.url}/p/rotherham/imports/")
    page.get_by_label("police.uk street-level crime file").set_input_files(str(MARCH_2025))
    page.get_by_role("button", name="Upload for approval").click()
    page.locator("#awaiting-approval").wait_for()
    assert "14,912 records for March 2025" in page.locator("#awaiting-approval").inner_text()
    import_url = page.url
    page.goto(f"{live_server.url}/p/rotherham/overview/2024-25/")
    assert "No data (gap)" in page.locator("#monthly tr", has_text="March 2025").inner_text()

    # The force administrator approves it on the force's page (a first load: no reason).
    sign_in(page, live_server, "sy-force-admin", PASSWORD)
    page.get_by_role("link", name=re.compile("south-yorkshire: police.uk months")).click()
    page.locator("#pending").get_by_role(
        "link", name="2025-03-south-yorkshire-street.csv.gz"
    ).click()
    assert "none: a first load" in page.locator("#month-rows-now").inner_text()
    page.get_by_label(re.compile("Approve and load")).check()
    page.get_by_role("button", name="Save decision").click()
    page.locator("#month-rows").wait_for()
    assert page.locator("#month-rows").inner_text() == "none → 14912"

    # The analyst sees it loaded, and March 2025 counted exactly.
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(import_url)
    page.locator("#rows-loaded").wait_for()
    assert page.locator("#rows-loaded").inner_text() == "14912"
    page.get_by_role("link", name="See the crime overview").click()
    assert page.locator("#missing-months-warning").count() == 0
    march = page.locator("#monthly tr", has_text="March 2025").inner_text()
    assert march.split("\t")[-1].replace(",", "").strip() == str(rotherham_rows(MARCH_2025))
    assert not [e for e in page.console_errors if "Content Security Policy" in e], "\n".join(
        page.console_errors
    )

    # The overview page passes axe-core's WCAG 2.2 AA checks.
    sign_in(axe_page, live_server, "ana", PASSWORD)
    axe_page.goto(f"{live_server.url}/p/rotherham/overview/2024-25/")
    assert axe_violations(axe_page) == []


@pytest.mark.django_db(transaction=True)
def test_public_overview_needs_no_sign_in_once_published(
    page, live_server, journey_warehouse, rotherham
):
    page.goto(f"{live_server.url}/p/rotherham/overview/2024-25/")
    assert "/sign-in/" in page.url
    rotherham.overview_published = True
    rotherham.save()
    page.goto(f"{live_server.url}/p/rotherham/overview/2024-25/")
    page.get_by_role("heading", name=re.compile("Crime overview, Rotherham")).wait_for()
    assert settings.SAFERSTAT_WAREHOUSE == journey_warehouse
