"""Indicators computed from a partner dataset: their quarterly values are the one runner's
counts of the dataset for the partnership's area (checked independently against the rows of
the uploaded file), a quarter with no data loaded is a gap (never 0), a category filter counts
only its values, and a sensitive dataset's indicator is seen only by those who may see the
dataset and is disclosure-controlled on the public dashboard."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.analytics.periods import quarter_of
from saferstat.core.models import AuditEvent
from saferstat.intelligence import figures
from saferstat.intelligence.datasets.services import (
    partner_dataset_declare,
    partner_dataset_update,
    partner_upload_create,
    partner_upload_execute,
)
from saferstat.intelligence.models import ImportStatus
from saferstat.performance import selectors
from saferstat.performance.models import Indicator
from saferstat.performance.services import dashboard_publish, indicator_upsert

pytestmark = pytest.mark.django_db

# Three Rotherham wards (2024).
WARDS = ["E05012993", "E05012994", "E05012995"]
KNIFE = {
    "granularity": "month",
    "area_level": "ward",
    "columns": [
        {"name": "Month", "type": "period"},
        {"name": "Ward code", "type": "area"},
        {"name": "Offence", "type": "category", "allowed": ["Possession", "Robbery"]},
        {"name": "Offences", "type": "count"},
    ],
}
# 2024/25-Q1 and Q2 whole, Q3 only October (incomplete), Q4 nothing loaded.
ROWS = [
    ("2024-04", WARDS[0], "Possession", 3),
    ("2024-04", WARDS[1], "Robbery", 2),
    ("2024-05", WARDS[0], "Possession", 4),
    ("2024-06", WARDS[2], "Robbery", 0),
    ("2024-06", WARDS[2], "Possession", 6),
    ("2024-07", WARDS[1], "Possession", 7),
    ("2024-08", WARDS[0], "Robbery", 5),
    ("2024-09", WARDS[1], "Possession", 1),
    ("2024-09", WARDS[2], "Robbery", 9),
    ("2024-10", WARDS[0], "Possession", 8),
]


def file_sums(offences: set[str] | None = None) -> Counter:
    """The independent check: the uploaded file's counts summed per quarter."""
    sums: Counter = Counter()
    for month, _, offence, n in ROWS:
        if offences is None or offence in offences:
            sums[quarter_of(month).label] += n
    return sums


@pytest.fixture
def knife(world, rotherham, members, overview_warehouse, django_capture_on_commit_callbacks):
    dataset = partner_dataset_declare(
        partnership=rotherham,
        by=members["admin"],
        name="Knife crime",
        slug="knife-crime",
        schema=KNIFE,
        sensitive=True,
    )
    body = "\r\n".join(["Month,Ward code,Offence,Offences", *(",".join(map(str, r)) for r in ROWS)])
    with django_capture_on_commit_callbacks(execute=True):
        run = partner_upload_create(
            dataset=dataset,
            by=members["analyst"],
            upload=SimpleUploadedFile("knife.csv", (body + "\r\n").encode()),
        )
    run = partner_upload_execute(upload_id=run.pk)
    assert run.status == ImportStatus.SUCCEEDED, run.errors
    return dataset


def define(world, members, dataset, code="knife-possession", **kwargs):
    return indicator_upsert(
        partnership=world["plan"].partnership,
        by=members["analyst"],
        priority=world["second"],
        code=code,
        name=kwargs.pop("name", "Knife possession offences"),
        definition="Partner dataset counts",
        unit="count",
        polarity="decrease",
        source="partner",
        dataset=dataset,
        **kwargs,
    )


def row_of(partnership, period, code, user=None):
    rows = selectors.indicator_rows(partnership=partnership, period=period, user=user)
    return next((r for r in rows if r.indicator.code == code), None)


def test_partner_indicator_quarters_equal_the_runner_and_the_file(world, members, knife):
    define(world, members, knife, category_column="offence", categories=["possession"])
    define(world, members, knife, code="knife-all", name="Knife offences")
    partnership = world["plan"].partnership
    stored = Indicator.objects.get(code="knife-possession")
    # The filter is kept as the dataset spells it.
    assert (stored.category_column, stored.categories) == ("Offence", ["Possession"])
    q4 = world["periods"]["2024/25-Q4"]
    for code, offences in (("knife-possession", {"Possession"}), ("knife-all", None)):
        row = row_of(partnership, q4, code)
        expected = file_sums(offences)
        assert [(p.period, p.value, p.status) for p in row.points] == [
            ("2024/25-Q1", float(expected["2024/25-Q1"]), "computed"),
            ("2024/25-Q2", float(expected["2024/25-Q2"]), "computed"),
            ("2024/25-Q3", None, "incomplete"),  # November, December not loaded: a gap
            ("2024/25-Q4", None, "no_data"),  # nothing loaded: a gap, never 0
        ], code
        for point in row.points[:2]:
            by_category = figures.run(
                figures.analysis_query(
                    partnership,
                    "counts",
                    {"period": point.period, "by": "category", "category": "Offence"},
                    dataset=knife.warehouse_dataset,
                )
            )
            counted = sum(n for k, n in by_category.rows if offences is None or k in offences)
            assert point.value == counted
    assert (file_sums({"Possession"})["2024/25-Q1"], file_sums()["2024/25-Q2"]) == (13, 22)
    # The verdicts run on its series like any other: SPC on the values, the gaps named.
    verdict = row_of(partnership, q4, "knife-all").verdict
    assert verdict.spc is not None and verdict.spc.latest.months == ("2024-04", "2024-07")
    assert "No value for 2024/25-Q3, 2024/25-Q4: shown as a gap" in " ".join(verdict.warnings)
    q2 = row_of(partnership, world["periods"]["2024/25-Q2"], "knife-all")
    assert q2.verdict.latest.value == 22.0 and q2.status_text == "Computed from a partner dataset"


def test_partner_source_is_checked(world, members, knife, sheffield, make_member):
    with pytest.raises(ValidationError, match="Choose the partner dataset"):
        define(world, members, None)
    with pytest.raises(ValidationError, match="no category column 'Ward'"):
        define(world, members, knife, category_column="Ward", categories=["x"])
    with pytest.raises(ValidationError, match="has no value 'Theft'"):
        define(world, members, knife, category_column="Offence", categories=["Theft"])
    with pytest.raises(ValidationError, match="Give the values of Offence"):
        define(world, members, knife, category_column="Offence")
    other = partner_dataset_declare(
        partnership=sheffield,
        by=make_member(sheffield, "admin", username="sheffield-admin-x"),
        name="Knife",
        slug="knife-crime",
        schema=KNIFE,
    )
    with pytest.raises(ValidationError, match="another partnership"):
        define(world, members, other)
    with pytest.raises(ValidationError, match="Only an indicator computed from a partner"):
        indicator_upsert(
            partnership=world["plan"].partnership,
            by=members["analyst"],
            priority=world["second"],
            code="entered-with-dataset",
            name="x",
            definition="x",
            unit="count",
            polarity="decrease",
            dataset=knife,
        )
    assert not Indicator.objects.filter(source="partner").exists()


def test_the_form_defines_a_partner_indicator(client, world, members, knife):
    client.force_login(members["analyst"])
    page = client.get("/p/rotherham/performance/indicators/new/")
    assert b"Partner dataset" in page.content and b"Knife crime" in page.content
    response = client.post(
        "/p/rotherham/performance/indicators/new/",
        {
            "code": "knife-robbery",
            "name": "Knife robberies",
            "definition": "Robberies with a knife",
            "priority": world["second"].pk,
            "unit": "count",
            "polarity": "decrease",
            "frequency": "quarterly",
            "source": "partner",
            "dataset": knife.pk,
            "category_column": "Offence",
            "categories": "Robbery",
            "order": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    indicator = Indicator.objects.get(code="knife-robbery")
    assert (indicator.dataset, indicator.categories) == (knife, ["Robbery"])
    assert AuditEvent.objects.filter(verb="indicator.create", object_id=str(indicator.pk)).exists()
    detail = client.get("/p/rotherham/performance/indicators/knife-robbery/").content.decode()
    assert "Computed from a partner dataset: Knife crime (Offence: Robbery)" in detail
    # Each point of its data tables says where it was computed from: never police.uk.
    board = client.get("/p/rotherham/performance/?period=2024/25-Q2").content.decode()
    for page in (detail, board.split('id="indicator-knife-robbery"', 1)[1].split("</table>")[0]):
        assert '<td class="govuk-table__cell">Computed from a partner dataset</td>' in page
        assert "Computed from police.uk</td>" not in page
    row = row_of(world["plan"].partnership, world["periods"]["2024/25-Q2"], "knife-robbery")
    assert (
        [p.value for p in row.points]
        == [2.0, 14.0]
        == [float(file_sums({"Robbery"})[q]) for q in ("2024/25-Q1", "2024/25-Q2")]
    )


def test_a_sensitive_datasets_indicator_is_hidden_from_scrutiny(
    client, world, members, knife, rotherham
):
    define(world, members, knife)
    q2 = world["periods"]["2024/25-Q2"]
    assert row_of(rotherham, q2, "knife-possession", user=members["board"]) is not None
    assert row_of(rotherham, q2, "knife-possession", user=members["scrutiny"]) is None
    client.force_login(members["scrutiny"])
    assert client.get("/p/rotherham/performance/indicators/knife-possession/").status_code == 404
    assert b"knife-possession" not in client.get("/p/rotherham/performance/indicators/").content
    assert b"Knife possession" not in client.get("/p/rotherham/performance/").content
    api = client.get("/api/partnerships/rotherham/indicators?period=2024/25-Q2").json()
    assert "knife-possession" not in {i["code"] for i in api["indicators"]}
    assert "asb-policeuk" in {i["code"] for i in api["indicators"]}
    client.force_login(members["board"])
    assert client.get("/p/rotherham/performance/indicators/knife-possession/").status_code == 200
    api = client.get("/api/partnerships/rotherham/indicators?period=2024/25-Q2").json()
    listed = next(i for i in api["indicators"] if i["code"] == "knife-possession")
    assert (listed["source"], listed["dataset"], listed["value"]) == ("partner", "knife-crime", 22)
    assert [(p["period"], p["value"]) for p in listed["series"]] == [
        ("2024/25-Q1", 15),
        ("2024/25-Q2", 22),
    ]
    csv_text = client.get(
        "/api/partnerships/rotherham/indicators/knife-possession/series.csv?period=2024/25-Q3"
    ).content.decode()
    assert csv_text.splitlines()[1:] == [
        "2024/25-Q1,15.0,computed",
        "2024/25-Q2,22.0,computed",
        "2024/25-Q3,,incomplete",
    ]
    client.force_login(members["scrutiny"])
    assert (
        client.get("/api/partnerships/rotherham/indicators/knife-possession/series.csv").status_code
        == 404
    )
    # Shared with scrutiny: seen.
    knife.shared_with_scrutiny = True
    knife.save()
    client.force_login(members["scrutiny"])
    assert client.get("/p/rotherham/performance/indicators/knife-possession/").status_code == 200


def test_a_sensitive_datasets_indicator_is_disclosure_controlled_in_public(
    world, members, knife, rotherham
):
    define(world, members, knife, public=True)  # Q1: 15 -> "15"; Q2: 22 -> "20"
    dashboard_publish(partnership=rotherham, by=members["admin"], published=True)
    groups = selectors.public_dashboard(
        partnership=rotherham, period=world["periods"]["2024/25-Q2"]
    )
    public = next(r for g in groups for p in g.priorities for r in p.rows if r.indicator.dataset)
    assert public.controlled
    assert [p.shown for p in public.points] == ["15", "20"]
    assert public.change_words == ""
    partner_dataset_update(  # the audited service: the kept definitions notice it at once
        dataset=knife, by=members["admin"], name=knife.name, sensitive=False
    )
    groups = selectors.public_dashboard(
        partnership=rotherham, period=world["periods"]["2024/25-Q2"]
    )
    public = next(r for g in groups for p in g.priorities for r in p.rows if r.indicator.dataset)
    assert not public.controlled and [p.shown for p in public.points] == ["15", "22"]


@pytest.mark.slow
def test_the_demo_indicator_from_a_partner_dataset_sums_the_uploaded_file(overview_warehouse):
    import csv
    from pathlib import Path

    from saferstat.core.demo import demo_install
    from saferstat.intelligence.datasets.demo import demo_partner_install
    from saferstat.intelligence.models import PartnerUpload
    from saferstat.performance.demo import KNIFE_CODE, demo_plan_install

    demo_install()
    demo_partner_install(("rotherham",))
    demo_plan_install("rotherham")
    indicator = Indicator.objects.get(code=KNIFE_CODE)
    assert indicator.is_demo and indicator.dataset.slug == "knife-crime"
    # Independently: the uploaded demo file's counts summed per quarter.
    (upload,) = PartnerUpload.objects.filter(dataset=indicator.dataset)
    sums: Counter = Counter()
    with Path(upload.stored_path).open(encoding="utf-8-sig", newline="") as fh:
        for line in csv.DictReader(fh):
            sums[quarter_of(line["Month"]).label] += int(line["Offences"])
    partnership = indicator.partnership
    period = selectors.period_get(partnership=partnership, label="2024/25-Q4")
    row = row_of(partnership, period, KNIFE_CODE)
    by_period = {p.period: (p.value, p.status) for p in row.points}
    for label in ("2024/25-Q1", "2024/25-Q2", "2024/25-Q3", "2024/25-Q4"):
        assert by_period[label] == (float(sums[label]), "computed"), label
    # The calendar's 2023/24 is before the demo data: gaps, never 0.
    assert by_period["2023/24-Q4"] == (None, "no_data")
