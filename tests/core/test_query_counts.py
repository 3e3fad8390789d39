"""Query-count guards: a page's database queries must not grow with its rows (no N+1).

Each test opens a page once (warming per-process caches), counts its queries, adds more of
the rows the page lists (datasets, uploads, requests and their history, agenda items and
attendance, indicators, the user's partnerships), checks the new rows are on the page, and
asserts with ``django_assert_max_num_queries`` that the page needs no more queries than
before. A ceiling also catches a page that becomes expensive all at once.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saferstat.core.services import membership_set
from saferstat.intelligence.datasets.services import partner_dataset_declare, partner_upload_create
from saferstat.intelligence.imports.services import import_run_create
from saferstat.intelligence.requests.services import (
    data_request_answer,
    data_request_raise,
    saved_view_create,
)

pytestmark = pytest.mark.django_db

#: No page here should need more than this many queries, whatever its size.
CEILING = 40
KNIFE = {
    "granularity": "month",
    "area_level": "ward",
    "columns": [
        {"name": "Month", "type": "period"},
        {"name": "Ward code", "type": "area"},
        {"name": "Offences", "type": "count"},
    ],
}


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def assert_flat(client, url, grow, django_assert_max_num_queries, *, shows: list[str]) -> None:
    """The page's queries stay the same after ``grow()`` adds rows, and the rows it added
    (``shows``) are on the page (so the rows really were listed)."""
    from saferstat.analytics import runner

    client.get(url)  # warm per-process caches (content types)
    # Figures kept by the runner's cache are emptied before each count, so both counts are
    # of the page computing everything (where an N+1 would be), not of one kept and one not.
    runner.forget()
    before = count_queries(client, url)
    assert before <= CEILING, f"{url}: {before} queries"
    grow()
    runner.forget()
    with django_assert_max_num_queries(before):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for text in shows:
        assert text in page, f"{url}: {text!r} not on the page"


def declare(partnership, admin, n: int, *, organisation=None):
    return partner_dataset_declare(
        partnership=partnership,
        by=admin,
        name=f"Invented dataset {n}",
        slug=f"invented-{n}",
        schema=KNIFE,
        organisation=organisation,
    )


def upload(dataset, by, n: int):
    body = f"Month,Ward code,Offences\r\n2024-0{n % 9 + 1},E05012993,{n}\r\n".encode()
    return partner_upload_create(
        dataset=dataset, by=by, upload=SimpleUploadedFile(f"file-{n}.csv", body)
    )


def test_overview(
    client, overview_warehouse, rotherham, make_partnership, members, django_assert_max_num_queries
):
    """The overview, for a user in more and more partnerships (the switcher lists them)."""
    admin = members["admin"]
    client.force_login(admin)

    def grow():
        for n, code in enumerate(["E08000016", "E08000017", "E08000019"]):
            other = make_partnership(slug=f"invented-{n}", name=f"Invented {n}", code=code)
            membership_set(user=admin, partnership=other, role="board")

    assert_flat(
        client,
        "/p/rotherham/overview/2024-25/",
        grow,
        django_assert_max_num_queries,
        shows=["Invented 0", "Invented 2"],
    )


def test_explorer(client, overview_warehouse, rotherham, members, django_assert_max_num_queries):
    """The explorer lists the datasets the user may see and the open requests to save to."""
    admin = members["admin"]
    client.force_login(admin)
    declare(rotherham, admin, 0)
    data_request_raise(
        partnership=rotherham, by=admin, question="Question 0", due_date=dt.date(2099, 1, 1)
    )

    def grow():
        for n in range(1, 5):
            declare(rotherham, admin, n)
            data_request_raise(
                partnership=rotherham,
                by=members["board"],
                question=f"Question {n}",
                due_date=dt.date(2099, 1, n),
            )

    assert_flat(
        client,
        "/p/rotherham/explore/?view=compare",
        grow,
        django_assert_max_num_queries,
        shows=["Invented dataset 4", "Question 4"],
    )


def test_dataset_list(client, rotherham, members, django_assert_max_num_queries):
    from saferstat.core.services import organisation_upsert

    admin = members["admin"]
    client.force_login(admin)
    declare(rotherham, admin, 0)

    def grow():
        for n in range(1, 5):
            council = organisation_upsert(
                partnership=rotherham,
                name=f"Invented council {n}",
                kind="council",
                is_responsible_authority=False,
            )
            dataset = declare(rotherham, admin, n, organisation=council)
            upload(dataset, members["analyst"], n)

    assert_flat(
        client,
        "/p/rotherham/datasets/",
        grow,
        django_assert_max_num_queries,
        shows=["Invented dataset 4", "Invented council 4"],
    )


@pytest.mark.parametrize("page", ["", "upload/"])
def test_dataset_detail_and_uploads(
    page, client, rotherham, members, make_member, django_assert_max_num_queries
):
    """A dataset's page and its upload page list its uploads and who made each."""
    admin = members["admin"]
    client.force_login(admin)
    dataset = declare(rotherham, admin, 0)
    upload(dataset, members["analyst"], 0)

    def grow():
        for n in range(1, 6):
            upload(dataset, make_member(rotherham, "analyst", username=f"analyst-{n}"), n)

    assert_flat(
        client,
        f"/p/rotherham/datasets/{dataset.slug}/{page}",
        grow,
        django_assert_max_num_queries,
        shows=["file-5.csv"],
    )


def test_import_list(client, rotherham, members, make_member, django_assert_max_num_queries):
    client.force_login(members["analyst"])

    def propose(n, by):
        import_run_create(
            partnership=rotherham,
            by=by,
            upload=SimpleUploadedFile(f"2024-0{n}-south-yorkshire-street.csv", b"x" * 10),
        )

    propose(1, members["analyst"])

    def grow():
        for n in range(2, 7):
            propose(n, make_member(rotherham, "analyst", username=f"analyst-{n}"))

    assert_flat(
        client,
        "/p/rotherham/imports/",
        grow,
        django_assert_max_num_queries,
        shows=["2024-06-south-yorkshire-street.csv"],
    )


def test_request_list(client, rotherham, members, make_member, django_assert_max_num_queries):
    client.force_login(members["analyst"])

    def raise_and_answer(n, by):
        req = data_request_raise(
            partnership=rotherham, by=by, question=f"Question {n}", due_date=dt.date(2099, 1, 1)
        )
        data_request_answer(request=req, by=members["analyst"], answer=f"Answer {n}")

    raise_and_answer(0, members["board"])

    def grow():
        for n in range(1, 6):
            raise_and_answer(n, make_member(rotherham, "board", username=f"board-{n}"))

    assert_flat(
        client,
        "/p/rotherham/requests/",
        grow,
        django_assert_max_num_queries,
        shows=["Question 5"],
    )


def test_request_detail(client, rotherham, members, make_member, django_assert_max_num_queries):
    """A request's history (who did each step) and its saved views (who saved each)."""
    analyst = members["analyst"]
    client.force_login(analyst)
    req = data_request_raise(
        partnership=rotherham,
        by=members["board"],
        question="Question",
        due_date=dt.date(2099, 1, 1),
    )

    def save(n, by):
        saved_view_create(
            partnership=rotherham, by=by, title=f"View {n}", query="view=compare", request=req
        )

    save(0, analyst)

    def grow():
        for n in range(1, 6):
            save(n, make_member(rotherham, "analyst", username=f"analyst-{n}"))
        data_request_answer(request=req, by=analyst, answer="An answer")

    assert_flat(
        client,
        f"/p/rotherham/requests/{req.pk}/",
        grow,
        django_assert_max_num_queries,
        shows=["View 5", "An answer"],
    )


def test_governance_meeting(client, rotherham, members, django_assert_max_num_queries):
    """A meeting's agenda, attendance by seat and resolutions."""
    from saferstat.governance import services
    from saferstat.governance.models import Meeting
    from tests.governance.world import build

    admin = members["admin"]
    client.force_login(admin)
    ids = build(rotherham, admin)
    meeting = Meeting.objects.get(pk=ids["meeting"])

    def grow():
        seats = [
            services.seat_add(body=meeting.body, by=admin, label=f"Invented seat {n}")
            for n in range(5)
        ]
        services.attendance_record(
            meeting=meeting, by=admin, records={seat.pk: ("Y", "") for seat in seats}
        )
        for n in range(5):
            item = services.agenda_item_add(meeting=meeting, by=admin, title=f"Invented item {n}")
            services.resolution_add(
                meeting=meeting, by=admin, kind="agreed", text=f"Invented resolution {n}", item=item
            )

    assert_flat(
        client,
        f"/p/rotherham/governance/meetings/{meeting.pk}/",
        grow,
        django_assert_max_num_queries,
        shows=["Invented item 4", "Invented resolution 4", "Invented seat 4"],
    )


def test_governance_item_papers_and_public_meetings(
    client, rotherham, members, django_assert_max_num_queries
):
    """An agenda item's papers; the public list of meetings; meeting pages with papers."""
    from saferstat.governance import services
    from saferstat.governance.clock import LONDON
    from saferstat.governance.models import AgendaItem, Body, Meeting
    from tests.governance.world import PDF, build

    admin = members["admin"]
    client.force_login(admin)
    ids = build(rotherham, admin)
    item = AgendaItem.objects.get(pk=ids["item"])
    scrutiny = Body.objects.get(pk=ids["scrutiny"])

    def grow():
        for n in range(4):
            services.paper_add(
                item=item,
                by=admin,
                upload=SimpleUploadedFile(f"paper-{n}.pdf", PDF),
                title=f"Invented paper {n}",
            )
            services.meeting_create(
                body=scrutiny,
                by=admin,
                starts_at=dt.datetime(2031, 1, 1 + n, 10, tzinfo=LONDON),
                location=f"Invented room {n}",
            )

    assert_flat(
        client,
        f"/p/rotherham/governance/items/{item.pk}/",
        grow,
        django_assert_max_num_queries,
        shows=["Invented paper 3"],
    )
    assert_flat(
        client,
        f"/p/rotherham/governance/meetings/{Meeting.objects.get(pk=ids['meeting']).pk}/",
        lambda: services.paper_add(
            item=item, by=admin, upload=SimpleUploadedFile("more.pdf", PDF), title="More paper"
        ),
        django_assert_max_num_queries,
        shows=["Invented paper 3", "More paper"],
    )
    assert_flat(
        client,
        "/p/rotherham/governance/public/",
        lambda: services.meeting_create(
            body=scrutiny,
            by=admin,
            starts_at=dt.datetime(2032, 1, 1, 10, tzinfo=LONDON),
            location="Invented hall",
        ),
        django_assert_max_num_queries,
        shows=["Invented room 3", "Invented hall"],
    )


def test_delivery_projects_with_several_priorities(
    client, rotherham, members, django_assert_max_num_queries
):
    """The project list and the funding page, projects serving two priorities each."""
    import datetime as _dt

    from saferstat.delivery import services
    from saferstat.plan.models import Priority
    from tests.delivery.factories import delivery_world

    world = delivery_world(
        rotherham, admin=members["admin"], analyst=members["analyst"], lead=members["lead"]
    )
    client.force_login(members["analyst"])
    priorities = list(Priority.objects.filter(theme__plan__partnership=rotherham)[:2])

    def grow(first: int = 0):
        for n in range(first, first + 4):
            project = services.project_upsert(
                partnership=rotherham,
                by=members["analyst"],
                name=f"Invented project {n}",
                organisation=world["organisation"],
                priorities=priorities,
                start_date=_dt.date(2024, 4, 1),
                end_date=_dt.date(2025, 3, 31),
            )
            services.grant_set(
                project=project, stream=world["stream"], by=members["analyst"], amount_pence=100
            )

    assert_flat(
        client,
        "/p/rotherham/delivery/projects/",
        grow,
        django_assert_max_num_queries,
        shows=["Invented project 3"],
    )
    assert_flat(
        client,
        "/p/rotherham/delivery/",
        lambda: grow(4),
        django_assert_max_num_queries,
        shows=["Invented project 7", priorities[1].name],
    )


def test_performance_dashboard(
    client, overview_warehouse, rotherham, members, make_member, django_assert_max_num_queries
):
    """The dashboard: one card per indicator, with its lead, values and targets."""
    from saferstat.performance.services import indicator_upsert
    from tests.performance.factories import plan_world

    world = plan_world(
        rotherham,
        admin=members["admin"],
        analyst=members["analyst"],
        lead=members["lead"],
        other_lead=make_member(rotherham, "lead", username="rotherham-lead-2"),
    )
    client.force_login(members["board"])

    def grow():
        for n in range(5):
            indicator_upsert(
                partnership=rotherham,
                by=members["analyst"],
                priority=world["first"],
                code=f"invented-{n}",
                name=f"Invented indicator {n}",
                definition="Invented",
                unit="count",
                polarity="decrease",
                targets={"2024/25-Q1": 10 + n},
                order=10 + n,
            )

    assert_flat(
        client,
        "/p/rotherham/performance/?period=2024/25-Q1",
        grow,
        django_assert_max_num_queries,
        shows=["Invented indicator 4"],
    )
