"""axe-core and reflow on the pages the usability review named: the import detail page, a
partner dataset page with its wide ward table, a 403 page, the API documentation and the
glossary, at 1200 px and at 320 px (WCAG 1.4.10: no sideways scrolling of the page)."""

from __future__ import annotations

import pytest

from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in

WIDTHS = (1200, 320)


@pytest.mark.django_db(transaction=True)
def test_named_pages_pass_axe_and_reflow_at_320(
    axe_page, live_server, overview_warehouse, rotherham, make_member, monkeypatch
):
    from saferstat.intelligence.datasets import demo as partner_demo
    from saferstat.intelligence.models import ImportRun, ImportStatus

    make_member(rotherham, "admin")
    analyst = make_member(rotherham, "analyst")
    make_member(rotherham, "scrutiny", username="cllr")
    # Only the knife-crime demo dataset (the page the review named), to keep this quick.
    monkeypatch.setattr(
        partner_demo, "DATASETS", [d for d in partner_demo.DATASETS if d.slug == "knife-crime"]
    )
    partner_demo.demo_partner_install(("rotherham",))
    run = ImportRun.objects.create(
        partnership=rotherham,
        uploaded_by=analyst,
        original_name="2024-12-south-yorkshire-street.csv",
        stored_path="/none",
        size_bytes=1,
        status=ImportStatus.SUCCEEDED,
        rows_loaded=12345,
        month="2024-12",
        force_slug="south-yorkshire",
    )
    base = live_server.url
    signed_in = [
        ("analyst", f"/p/rotherham/imports/{run.pk}/"),
        ("analyst", "/p/rotherham/datasets/knife-crime/"),
        ("analyst", "/api/docs"),
        ("analyst", "/glossary/"),
        ("cllr", "/p/rotherham/audit/"),  # 403
    ]
    problems = {}
    current = None
    for user, path in signed_in:
        if user != current:
            sign_in(
                axe_page, live_server, f"rotherham-{user}" if user != "cllr" else user, PASSWORD
            )
            current = user
        for width in WIDTHS:
            axe_page.set_viewport_size({"width": width, "height": 900})
            response = axe_page.goto(base + path)
            assert response.status == (403 if path.endswith("/audit/") else 200), path
            assert axe_page.locator("main").count() == 1, path
            found = axe_violations(axe_page)
            if found:
                problems[f"{path} @ {width}px"] = found
            if width == 320:
                scroll, client = axe_page.evaluate(
                    "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                )
                assert scroll <= client, f"{path} is {scroll}px wide at 320px"
    assert not problems, problems


@pytest.mark.django_db(transaction=True)
def test_wide_tables_scroll_inside_a_keyboard_region(
    axe_page, live_server, overview_warehouse, rotherham, make_member
):
    """At 1200 px the explorer's ward table and the overview stay inside the page; the wide
    table scrolls in its own focusable, labelled region."""
    make_member(rotherham, "board")
    sign_in(axe_page, live_server, "rotherham-board", PASSWORD)
    for path in (
        "/p/rotherham/explore/?view=wards&period=2024/25",
        "/p/rotherham/overview/2024-25/",
    ):
        for width in WIDTHS:
            axe_page.set_viewport_size({"width": width, "height": 900})
            axe_page.goto(live_server.url + path)
            scroll, client = axe_page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert scroll <= client, f"{path} is {scroll}px wide at {width}px"
    region = axe_page.locator(".app-table-scroll").first
    assert region.get_attribute("role") == "region" and region.get_attribute("tabindex") == "0"
    assert region.get_attribute("aria-label")
