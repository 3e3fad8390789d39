"""Every page the access matrix lists passes axe-core (WCAG 2.2 A and AA) and does not run
wider than the window (WCAG 1.4.10 reflow), at 1200 px and at 320 px, visited by someone who may see it (a partnership admin for most, a force
administrator for the force pages, nobody signed in for the public ones), with real objects
behind every address. JSON endpoints, downloads and images are not pages and are skipped."""

from __future__ import annotations

import datetime
import os

import pytest

from tests.assessment.world import build as build_assessment
from tests.casereviews.world import build as build_casereviews
from tests.core.test_access_matrix import FORCE_MATRIX, MATRIX, ROLES
from tests.delivery.factories import delivery_world
from tests.django_fixtures import PASSWORD
from tests.e2e.conftest import axe_violations, sign_in
from tests.governance.world import build as build_governance
from tests.performance.factories import plan_world

WIDTHS = (1200, 320)
#: The elements that stick out past the window's right edge (for the failure message).
WIDEST = """() => [...document.querySelectorAll('main *')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(-3).map(el => el.tagName + '.' + el.className + ' ' + Math.round(
    el.getBoundingClientRect().width)).join('; ')"""
NOT_PAGES = (".svg", ".csv", ".json", ".png", ".pdf", ".ics", ".xml")
#: API endpoints answer JSON; their documentation page is a page.
API_PAGES = {"api:openapi-view"}
#: Answers for machines, not people: the health check is JSON for the proxy and monitoring;
#: a meeting paper and a communication's file are file downloads (attachments); a feed (.xml)
#: is for feed readers.
MACHINE_ANSWERS = {"health", "governance:paper_download", "delivery:communication_file"}


def page_plan() -> list[tuple[str, str, str]]:
    """(who, url name, path template) for every page, grouped by who visits it."""
    plan = []
    for name, (template, expected, anonymous, _other) in MATRIX.items():
        path = template.split("?")[0]
        download = "format=" in template or name in MACHINE_ANSWERS  # not a page
        if (
            path.endswith(NOT_PAGES)
            or download
            or (name.startswith("api:") and name not in API_PAGES)
        ):
            continue
        if name.startswith("force:"):
            if FORCE_MATRIX[name][1] == 200:
                plan.append(("force-admin", name, template))
            continue
        who = next((role for role in ROLES if expected[role] == 200), None)
        if who is None and anonymous == 200:
            who = "anonymous"
        if who is not None:
            plan.append((who, name, template))
    return sorted(plan, key=lambda item: item[0])


def test_the_plan_covers_the_pages():
    """The visit list is not empty-by-accident: the main kinds of page are in it."""
    names = {name for _, name, _ in page_plan()}
    for name in ("home", "login", "overview:year", "imports:detail", "force:imports",
                 "governance:meeting_detail", "performance:return", "api:openapi-view"):  # fmt: skip
        assert name in names
    assert len(names) >= 40


@pytest.mark.django_db(transaction=True)
def test_every_page_passes_axe_at_1200_and_320(
    axe_page, live_server, overview_warehouse, rotherham, members, make_force_admin
):
    from django.utils import timezone

    from saferstat.intelligence.fetch_models import FetchRun, FetchStatus
    from saferstat.intelligence.models import (
        DataRequest,
        ImportRun,
        ImportStatus,
        PartnerDataset,
        PartnerUpload,
    )

    make_force_admin("sy-force-admin")
    FetchRun.objects.create(  # the imports pages' "Scheduled fetches" table, with a refusal
        started_at=timezone.now(),
        actor_label="scheduled fetch",
        url="https://data.police.uk/data/archive/latest.zip",
        forces=["south-yorkshire"],
        status=FetchStatus.NEEDS_REVIEW,
        loaded=[{"force": "south-yorkshire", "month": "2025-08", "rows": 15000, "replaced": False}],
        left=[{"force": "south-yorkshire", "month": "2025-09", "reason": "A large change."}],
    )
    run = ImportRun.objects.create(
        partnership=rotherham,
        uploaded_by=members["analyst"],
        original_name="2024-12-south-yorkshire-street.csv",
        stored_path="/none",
        size_bytes=1,
        status=ImportStatus.SUCCEEDED,
        rows_loaded=12345,
        month="2024-12",
        force_slug="south-yorkshire",
    )
    dataset = PartnerDataset.objects.create(
        partnership=rotherham,
        slug="hate-incidents",
        name="Hate incidents",
        schema={
            "granularity": "month",
            "area_level": "ward",
            "columns": [{"name": "Month", "type": "period"}, {"name": "Ward code", "type": "area"}],
        },
    )
    upload = PartnerUpload.objects.create(
        partnership=rotherham,
        dataset=dataset,
        uploaded_by=members["analyst"],
        original_name="hate-incidents.csv",
        stored_path="/none",
        size_bytes=1,
    )
    data_request = DataRequest.objects.create(
        partnership=rotherham,
        raised_by=members["scrutiny"],
        question="Is knife crime going up?",
        due_date=datetime.date(2030, 1, 1),
    )
    governance = build_governance(rotherham, members["admin"], owner=members["board"])
    world = plan_world(
        rotherham,
        admin=members["admin"],
        analyst=members["analyst"],
        lead=members["lead"],
        other_lead=None,
    )
    fill = {
        "slug": "rotherham",
        "run": run.pk,
        "dataset": dataset.slug,
        "upload": upload.pk,
        "request": data_request.pk,
        "ret": world["approved"].pk,
        "indicator": world["missing"].code,
        **governance,
        **build_casereviews(rotherham, members["admin"]),
        **build_assessment(rotherham, members["admin"], members["analyst"], board=members["board"]),
    }
    delivery = delivery_world(
        rotherham, admin=members["admin"], analyst=members["analyst"], lead=members["lead"]
    )
    fill |= {
        "stream": delivery["stream"].pk,
        "project": delivery["project"].pk,
        "project_ret": delivery["submitted"].pk,
        "grant": delivery["grant"].pk,
        "communication": delivery["bulletin"].pk,
    }
    from tests.reports.world import build as build_reports

    fill |= build_reports(rotherham, members["analyst"])
    usernames = {"force-admin": "sy-force-admin", **{r: f"rotherham-{r}" for r in ROLES}}
    visits = page_plan() + [("anonymous", "not found", "/no-such-page/")]
    # For the edit-test loop only: SAFERSTAT_AXE_ONLY=performance: visits the names starting so.
    only = os.environ.get("SAFERSTAT_AXE_ONLY")
    if only:
        visits = [visit for visit in visits if visit[1].startswith(only)]
    problems: dict[str, list] = {}
    current = None
    for who, name, template in visits:
        if who != current:
            if who == "anonymous":
                axe_page.context.clear_cookies()
            else:
                sign_in(axe_page, live_server, usernames[who], PASSWORD)
            current = who
        url = live_server.url + template.format(**fill)
        # One load a page: axe at 1200 px, then the same page narrowed to 320 px (the layout
        # reflows by media queries, as it would on a phone) and axe again.
        axe_page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        response = axe_page.goto(url)
        want = 404 if name == "not found" else 200
        assert response.status == want, f"{name} as {who}: {response.status} ({url})"
        for width in WIDTHS:
            axe_page.set_viewport_size({"width": width, "height": 900})
            found = axe_violations(axe_page)
            if found:
                problems[f"{name} {template} as {who} @ {width}px"] = found
            # Nothing runs off the page: a wide table scrolls inside its own labelled region
            # (docs/frontend.md), so the document itself is never wider than the window.
            overflow = axe_page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 1:
                problems[f"{name} {template} as {who} @ {width}px"] = (
                    f"the page is {overflow} px wider than the window: " + axe_page.evaluate(WIDEST)
                )
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
