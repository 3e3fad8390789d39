"""No horizontal document overflow (WCAG 1.4.10 reflow) on the explorer's wards and periods
views and the overview, at 1200 px and at 320 px; wide tables scroll in their own region."""

from __future__ import annotations

import pytest

from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import sign_in

PAGES = (
    "/p/rotherham/explore/?view=wards&period=2024/25",
    "/p/rotherham/explore/?view=periods&kind=quarter&from=2024-04&to=2025-03",
    "/p/rotherham/overview/2024-25/",
)


@pytest.mark.django_db(transaction=True)
def test_explorer_views_and_overview_fit_at_1200_and_320(
    axe_page, live_server, overview_warehouse, rotherham, make_member
):
    make_member(rotherham, "board")
    sign_in(axe_page, live_server, "rotherham-board", PASSWORD)
    wide = {}
    for path in PAGES:
        for width in (1200, 320):
            axe_page.set_viewport_size({"width": width, "height": 900})
            response = axe_page.goto(live_server.url + path)
            assert response.status == 200, path
            scroll, client = axe_page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if scroll > client:
                wide[f"{path} @ {width}px"] = scroll
            # Every table wider than its column sits in a focusable, labelled scroll region.
            loose = axe_page.evaluate(
                """() => [...document.querySelectorAll('main table')]
                    .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
                    .filter(t => !t.closest('.app-table-scroll[role=region][tabindex="0"][aria-label]'))
                    .map(t => t.id || t.className)"""
            )
            assert not loose, f"{path} @ {width}px: tables overflow outside a region: {loose}"
    assert not wide, f"pages wider than the window: {wide}"
