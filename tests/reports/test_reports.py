"""Reports: who may start, write and publish; narrative is cleaned; publishing freezes the
report; the public version is disclosure-controlled (figures, annex); the PDF is tagged."""

from __future__ import annotations

import csv
import io
import subprocess

import pikepdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from saferstat.core.models import AuditEvent
from saferstat.plan.models import Priority
from saferstat.reports import render, selectors, services
from saferstat.reports.models import BuiltVersionError, Report, ReportVersion
from tests.governance.world import build as build_governance
from tests.performance.factories import plan_world
from tests.reports.world import build_version

ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]


@pytest.fixture
def world(rotherham, members):
    plan = plan_world(
        rotherham,
        admin=members["admin"],
        analyst=members["analyst"],
        lead=members["lead"],
        other_lead=None,
        value=5,
    )
    # A sensitive theme: the approved Q1 count (5) must never be published as it is.
    Priority.objects.filter(pk=plan["first"].pk).update(name="Child sexual exploitation")
    build_governance(rotherham, members["admin"], owner=members["board"])
    return plan


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_analysts_and_admins_start_and_write_and_only_admins_publish(role, rotherham, members):
    user = members[role]
    if role in ("admin", "analyst"):
        report = services.report_create(
            partnership=rotherham, by=user, kind="annual", period="2024/25"
        )
        services.report_narrative_set(report=report, by=user, texts={"foreword": "Thanks"})
    else:
        with pytest.raises(PermissionDenied):
            services.report_create(partnership=rotherham, by=user, kind="annual", period="2024/25")
        report = services.report_create(
            partnership=rotherham, by=members["analyst"], kind="annual", period="2024/25"
        )
        with pytest.raises(PermissionDenied):
            services.report_narrative_set(report=report, by=user, texts={"foreword": "x"})
    if role in ("admin", "analyst"):
        build_version(report, user)
    else:
        with pytest.raises(PermissionDenied):
            services.report_build(report=report, by=user)
        build_version(report, members["analyst"])
    if role == "admin":
        services.report_publish(report=report, by=user)
        assert Report.objects.get(pk=report.pk).is_published
    else:
        with pytest.raises(PermissionDenied):
            services.report_publish(report=report, by=user)
        assert not Report.objects.get(pk=report.pk).is_published


@pytest.mark.django_db
def test_period_is_checked_and_narrative_is_sanitised_and_audited(rotherham, members):
    analyst = members["analyst"]
    with pytest.raises(ValidationError):
        services.report_create(partnership=rotherham, by=analyst, kind="annual", period="2024")
    with pytest.raises(ValidationError):
        services.report_create(
            partnership=rotherham, by=analyst, kind="quarterly", period="2024/25"
        )
    report = services.report_create(
        partnership=rotherham, by=analyst, kind="annual", period="2024/25"
    )
    services.report_narrative_set(
        report=report,
        by=analyst,
        texts={"introduction": '<p onclick="x()">Safer <script>alert(1)</script>streets</p>'},
    )
    report.refresh_from_db()
    assert report.narrative["introduction"] == "<p>Safer streets</p>"
    with pytest.raises(ValidationError):
        services.report_narrative_set(report=report, by=analyst, texts={"nonsense": "x"})
    verbs = list(
        AuditEvent.objects.filter(object_type="reports.Report", object_id=str(report.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["create", "edit narrative"]


@pytest.mark.django_db
def test_a_published_version_never_changes_and_stays_until_replaced(world, rotherham, members):
    analyst, admin = members["analyst"], members["admin"]
    report = services.report_create(
        partnership=rotherham, by=analyst, kind="annual", period="2024/25"
    )
    services.report_narrative_set(report=report, by=analyst, texts={"foreword": "Old"})
    with pytest.raises(ValidationError):
        services.report_publish(report=report, by=admin)  # nothing built yet
    first = build_version(report, analyst)
    services.report_publish(report=report, by=admin)
    report.refresh_from_db()
    assert report.published_version == first and first.number == 1
    with pytest.raises(ValidationError):
        services.report_publish(report=report, by=admin, version=first)  # already published
    # The records and the narrative change after publication...
    Priority.objects.filter(pk=world["first"].pk).update(name="Renamed later")
    services.report_narrative_set(report=report, by=analyst, texts={"foreword": "New"})
    # ...the published version does not, and it cannot be changed by saving it either.
    first.refresh_from_db()
    assert "Child sexual exploitation" in str(first.sections) and "Renamed" not in str(
        first.sections
    )
    assert first.narrative["foreword"] == "<p>Old</p>"
    first.sections = []
    with pytest.raises(BuiltVersionError):
        first.save()
    # Rebuilding makes version 2 with today's records; version 1 stays published until an
    # admin publishes version 2.
    second = build_version(report, analyst)
    report.refresh_from_db()
    assert second.number == 2 and "Renamed later" in str(second.sections)
    assert report.published_version_id == first.pk
    diff = selectors.version_diff(first, second)
    assert any(d["change"] == "narrative edited" and d["row"] == "foreword" for d in diff)
    services.report_publish(report=report, by=admin, version=second)
    report.refresh_from_db()
    assert report.published_version_id == second.pk
    assert ReportVersion.objects.filter(report=report).count() == 2
    verbs = list(
        AuditEvent.objects.filter(object_type="reports.Report", object_id=str(report.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs.count("publish") == 2 and verbs.count("build") == 2 and "built" in verbs
    # The stored sections: the Delivery ones built (with nothing recorded, they say so),
    # and the board table is there.
    first.refresh_from_db()
    keys = {s["key"]: s for s in first.sections}
    assert keys["projects"]["available"] is True
    assert keys["projects"]["data"]["paragraphs"][0].startswith("No project is recorded")
    assert keys["attendance"]["data"]["tables"][0]["columns"][0] == "Date"


def _cells(sections, caption_part):
    for section in sections:
        data = section["data"]
        tables = list(data.get("tables", []))
        for theme in data.get("themes", []):
            for p in theme["priorities"]:
                tables += p["tables"]
        for table in tables:
            if caption_part in table["caption"]:
                return table
    raise AssertionError(f"no table {caption_part}")


@pytest.mark.django_db
def test_public_version_hides_small_sensitive_counts_and_the_annex_too(world, rotherham, members):
    report = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="quarterly", period="2024/25-Q1"
    )
    internal = selectors.draft_sections(report, public=False)
    public = selectors.draft_sections(report, public=True)
    true_row = _cells(internal, "Child sexual exploitation")["rows"][0]
    public_row = _cells(public, "Child sexual exploitation")["rows"][0]
    assert true_row["cells"][0]["value"] == 5
    assert public_row["cells"][0]["value"] == "*"
    assert public_row["cells"][0]["suppressed"] is True
    # The percentage (not a count) and the target are published as they are.
    assert public_row["cells"][1]["value"] == 50
    version = build_version(report, members["analyst"])
    assert version.suppressions, "the pre-publication check lists the suppression"
    annex = render.annex(report, version.public_sections, "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(annex)))
    assert list(rows[0]) == selectors.ANNEX_HEADER
    for row in rows:
        if row["sensitive"] == "TRUE" and row["unit"] == "count":
            assert row["value"] in ("*", "", "0") or int(float(row["value"])) > 7, row
    assert any(r["suppressed"] == "TRUE" for r in rows)
    assert all(r["source"] for r in rows if r["value"] != "")


@pytest.mark.django_db
def test_the_pdf_is_tagged_and_the_annex_opens(world, rotherham, members, tmp_path):
    report = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="annual", period="2024/25"
    )
    version = build_version(report, members["analyst"])
    content = render.pdf_bytes(report, version.public_sections, public=True, version=version)
    pdf = pikepdf.open(io.BytesIO(content))
    assert "/StructTreeRoot" in pdf.Root
    assert bool(pdf.Root.MarkInfo.Marked)
    assert str(pdf.Root.Lang) == "en-GB"
    assert len(pdf.pages) >= 5  # cover, contents and a page per section
    # Every page renders (poppler's pdftoppm, Debian poppler-utils) to an image with ink on it.
    (tmp_path / "report.pdf").write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "24", "-png", "report.pdf", "page"], cwd=tmp_path, check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(pdf.pages)
    for page in pages:
        darkest, _ = Image.open(page).convert("L").getextrema()
        assert darkest < 128, f"{page.name} is blank"
    for fmt, magic in (("xlsx", b"PK"), ("ods", b"PK")):
        assert render.annex(report, version.public_sections, fmt, version)[:2] == magic


@pytest.mark.django_db
def test_anyone_reads_a_published_report_and_no_one_outside_a_draft(
    client, world, rotherham, members
):
    report = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="quarterly", period="2024/25-Q1"
    )
    url = f"/p/rotherham/reports/{report.pk}/"
    assert client.get(url).status_code == 302  # to sign in
    assert client.get("/p/rotherham/reports/published/").status_code == 302
    build_version(report, members["analyst"])
    services.report_publish(report=report, by=members["admin"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Child sexual exploitation" in html and "hidden by disclosure control" in html
    assert client.get(url + "report.pdf").status_code == 200
    assert client.get(url + "annex/?format=csv").status_code == 200
    assert client.post(url).status_code == 405
    archive = client.get("/p/rotherham/reports/published/")
    assert archive.status_code == 200 and report.title in archive.content.decode()
    # A Board member sees the true value.
    client.force_login(members["board"])
    html = client.get(url).content.decode()
    assert "internal version" in html
