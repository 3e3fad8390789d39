"""Scores proposed from the data (volume, trend, harm) with their frozen evidence, accepted
or overridden with a reason (audited); the priority matrix chart; the matrix edit page; the
XLSX survey import."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.analytics import assessment as calc
from saferstat.analytics.errors import NoDataError
from saferstat.assessment import services
from saferstat.assessment.models import (
    Assessment,
    ConsultationResponse,
    Evidence,
    ScoreProposal,
    ScoreSheet,
)
from saferstat.core.models import AuditEvent
from tests.assessment.world import HEADER, build

OTHER = {"harm_community": 3, "public_concern": 4, "capacity_gap": 2}


@pytest.fixture
def world(rotherham, members):
    return build(rotherham, members["admin"], members["analyst"], mark="Marker ")


@pytest.mark.django_db
def test_scores_are_proposed_from_the_data_and_an_override_needs_a_reason(
    client, overview_warehouse, rotherham, members
):
    analyst, lead = members["analyst"], members["lead"]
    assessment = services.assessment_create(partnership=rotherham, by=analyst, year="2025/26")
    issue = services.issue_add(
        assessment=assessment, by=analyst, name="Burglary", crime_types=["Burglary"]
    )
    with pytest.raises(ValidationError):
        services.issue_add(
            assessment=assessment, by=analyst, name="Unicorns", crime_types=["Unicorn theft"]
        )
    made, skipped = services.proposals_make(issue=issue, by=analyst)
    assert skipped == []
    proposals = {p.dimension: p for p in made}
    assert set(proposals) == {"volume", "trend", "harm_individual"}
    # volume: the explorer's own count and rate for 2024/25, banded as documented
    volume = proposals["volume"]
    rows = volume.evidence.frozen_view.figures["rows"]
    year = next(r for r in rows if r["period"] == "2024/25")
    expected = calc.propose_volume(
        assessment.scoring.get("volume"),
        count=year["count"],
        rate=year["rate_per_1000"],
        period="2024/25",
    )
    assert volume.points == expected.points and f"{year['count']:,} records" in volume.reasoning
    for p in made:
        assert p.evidence.kind == Evidence.Kind.DATA
        assert p.evidence.frozen_view.is_frozen
        assert p.evidence.frozen_view.warehouse_version["latest_month"] == "2025-03"
    assert AuditEvent.objects.filter(verb="assessment.propose").count() == 3

    values = {k: p.points for k, p in proposals.items()} | OTHER
    document = services.evidence_add(
        issue=issue, by=analyst, kind="document", title="Survey", url="https://example.org/s"
    )
    cite = {k: [document.pk] for k in OTHER}
    reasons = {k: "Local view" for k in OTHER}
    # accepting the proposals: no reason needed, the frozen evidence is cited
    sheet = services.sheet_save(
        issue=issue, by=analyst, values=values, reasons=reasons, evidence=cite, submit=True
    )
    assert sheet.overrides == {}
    assert sheet.evidence["volume"] == [volume.evidence_id]
    assert sheet.reasons["volume"].startswith("Accepted the score proposed from the data")
    # overriding: refused without a reason, kept and audited with one
    other_volume = 1 if volume.points != 1 else 2
    with pytest.raises(ValidationError) as refused:
        services.sheet_save(
            issue=issue,
            by=lead,
            values=values | {"volume": other_volume},
            reasons=reasons,
            evidence=cite,
            submit=True,
        )
    assert "override-volume" in refused.value.message_dict
    assert not ScoreSheet.objects.filter(scorer=lead).exists()
    sheet = services.sheet_save(
        issue=issue,
        by=lead,
        values=values | {"volume": other_volume},
        reasons=reasons,
        evidence=cite,
        overrides={"volume": "Under-reported: the refuge sees far more"},
        submit=True,
    )
    assert sheet.overrides["volume"] == {
        "proposed": volume.points,
        "value": other_volume,
        "reason": "Under-reported: the refuge sees far more",
        "evidence": volume.evidence_id,
    }
    event = AuditEvent.objects.get(verb="assessment.score_override")
    assert event.actor == lead and event.after["reason"].startswith("Under-reported")
    assert event.before == {"dimension": "volume", "proposed": volume.points}
    # the issue page shows the proposals and the override (to scrutiny, who do not score)
    client.force_login(members["scrutiny"])
    page = client.get(
        f"/p/rotherham/assessment/{assessment.pk}/issues/{issue.pk}/"
    ).content.decode()
    assert 'id="proposals"' in page and "Under-reported" in page
    assert f"Overrides the proposed {volume.points}" in page


@pytest.mark.django_db
def test_the_issue_page_proposes_and_asks_for_the_override_reason(
    client, overview_warehouse, rotherham, members
):
    analyst = members["analyst"]
    assessment = services.assessment_create(partnership=rotherham, by=analyst, year="2025/26")
    issue = services.issue_add(assessment=assessment, by=analyst, name="Robbery")
    url = f"/p/rotherham/assessment/{assessment.pk}/issues/{issue.pk}/"
    client.force_login(analyst)
    refused = client.post(url, {"form": "propose"})
    assert refused.status_code == 400 and "crime types" in refused.content.decode()
    assert client.post(url, {"form": "crime_types", "crime_type": ["Robbery"]}).status_code == 302
    assert client.post(url, {"form": "propose"}).status_code == 302
    assert ScoreProposal.objects.filter(issue=issue).count() == 3
    page = client.get(url).content.decode()
    assert 'id="proposal-volume"' in page and 'name="override-volume"' in page
    volume = ScoreProposal.objects.get(issue=issue, dimension="volume")
    data = {"form": "score", "submit": "1"}
    doc = services.evidence_add(
        issue=issue, by=analyst, kind="document", title="Doc", url="https://example.org/d"
    )
    for d in assessment.scoring.dimensions:
        proposal = ScoreProposal.objects.filter(issue=issue, dimension=d.key).first()
        data[f"score-{d.key}"] = str(proposal.points if proposal else 3)
        if not proposal:
            data |= {f"reason-{d.key}": "Because", f"evidence-{d.key}": str(doc.pk)}
    data["score-volume"] = str(5 if volume.points != 5 else 4)
    bad = client.post(url, data)
    assert bad.status_code == 400 and 'href="#override-volume"' in bad.content.decode()
    assert client.post(url, data | {"override-volume": "Rising locally"}).status_code == 302
    assert ScoreSheet.objects.get(issue=issue).overrides["volume"]["reason"] == "Rising locally"


def test_proposals_arithmetic_by_hand():
    m = calc.DEFAULT_MATRIX
    assert calc.propose_volume(m.get("volume"), count=120, rate=0.45, period="x").points == 1
    assert calc.propose_volume(m.get("volume"), count=900, rate=3.4, period="x").points == 3
    assert calc.propose_volume(m.get("volume"), count=9000, rate=15.0, period="x").points == 5
    trend = m.get("trend")
    assert calc.propose_trend(trend, variation="concern_high", monthly=[]).points == 5
    assert calc.propose_trend(trend, variation="improvement_low", monthly=[]).points == 1
    flat = [100] * 12
    assert calc.propose_trend(trend, variation="common_cause", monthly=flat + flat).points == 3
    # 12 x 100 then 12 x 111: +11% is rising; 12 x 89: -11% is falling
    assert (
        calc.propose_trend(trend, variation="common_cause", monthly=flat + [111] * 12).points == 4
    )
    assert calc.propose_trend(trend, variation="common_cause", monthly=flat + [89] * 12).points == 2
    harm = m.get("harm_individual")
    # 5,000 days over 100 records = 50 days a record: 10 to 100 is 3
    assert calc.propose_harm(harm, harm_days=5000, crime_count=100, period="x").points == 3
    with pytest.raises(NoDataError):
        calc.propose_harm(harm, harm_days=0, crime_count=0, period="x")
    # a 1-10 scale gets the same position on its own scale
    wide = calc.Dimension("volume", "Volume", "likelihood", low=1, high=9)
    assert calc.propose_volume(wide, count=9000, rate=20, period="x").points == 9


@pytest.mark.django_db
def test_priority_matrix_chart_and_its_table(client, members, world):
    from saferstat.analytics.figures import priority_matrix_chart

    rows = [
        {"rank": 1, "issue": "Knife crime", "risk": 16.0, "capacity_gap": 3.0, "median_total": 48},
        {"rank": 2, "issue": "ASB", "risk": 9.0, "capacity_gap": 2.0, "median_total": 18},
    ]
    figure = priority_matrix_chart(rows, risk_max=25, capacity_max=5)
    assert figure.columns == ("rank", "issue", "risk", "capacity_gap", "median_total")
    assert figure.rows[0]["issue"] == "Knife crime" and "table below" in figure.description
    layers = figure.spec["layer"]
    assert any(layer["mark"]["type"] == "circle" for layer in layers)
    client.force_login(members["scrutiny"])
    base = f"/p/rotherham/assessment/{world['assessment']}/"
    page = client.get(base).content.decode()
    assert 'src="' + base + 'priority-matrix.svg"' in page and 'id="priority-matrix"' in page
    assert "Marker Knife crime" in page.split('id="priority-matrix"')[1]
    svg = client.get(base + "priority-matrix.svg")
    assert svg.status_code == 200 and b"Priority matrix" in svg.content


@pytest.mark.django_db
def test_matrix_page_edits_a_weight_as_a_new_version(client, members, world):
    url = f"/p/rotherham/assessment/{world['assessment']}/matrix/"
    assessment = Assessment.objects.get(pk=world["assessment"])
    data = {"disagreement": "2", "note": "Harm counts double"}
    for i, d in enumerate(assessment.scoring.dimensions):
        data |= {
            f"label-{i}": d.label,
            f"group-{i}": d.group,
            f"weight-{i}": "2" if d.key == "harm_individual" else f"{d.weight:g}",
            f"scale-{i}": "\n".join(d.scale),
        }
    client.force_login(members["analyst"])
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 403
    client.force_login(members["admin"])
    bad = client.post(url, data | {"weight-0": "heavy"})
    assert bad.status_code == 400 and "as a number" in bad.content.decode()
    no_reason = client.post(url, data | {"note": ""})
    assert no_reason.status_code == 400 and "say why" in no_reason.content.decode()
    assert client.post(url, data).status_code == 302
    assessment.refresh_from_db()
    assert assessment.matrix_version == 2
    assert assessment.scoring.get("harm_individual").weight == 2.0
    page = client.get(url).content.decode()
    assert "Harm counts double" in page
    # the analyst's sheet keeps version 1
    assert set(ScoreSheet.objects.values_list("matrix_version", flat=True)) == {1}


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_xlsx_survey_import_names_file_line_and_column_and_stores_nothing(client, members, world):
    url = f"/p/rotherham/assessment/consultations/{world['consultation']}/"
    client.force_login(members["analyst"])
    before = ConsultationResponse.objects.count()
    header = HEADER.split(",")
    bad = _xlsx(
        [header, [34, "Female", None, None, None, None], [9, "Robot", None, None, None, None]]
    )
    response = client.post(url, {"file": SimpleUploadedFile("survey.xlsx", bad)})
    page = response.content.decode()
    assert response.status_code == 400 and "nothing was imported" in page
    assert "survey.xlsx: line 3: age: &#x27;9&#x27; is not an age" in page
    assert "survey.xlsx: line 3: sex:" in page
    assert ConsultationResponse.objects.count() == before
    wrong = _xlsx([["name", "age"], ["x", 3]])
    response = client.post(url, {"file": SimpleUploadedFile("wrong.xlsx", wrong)})
    assert response.status_code == 400 and "wrong.xlsx: line 1: the file has no column" in (
        response.content.decode()
    )
    good = _xlsx([header, [34.0, "Female", "Disabled", "White", None, None], [70, "male"]])
    assert client.post(url, {"file": SimpleUploadedFile("ok.xlsx", good)}).status_code == 302
    assert ConsultationResponse.objects.count() == before + 2
    added = ConsultationResponse.objects.order_by("-pk")[:2]
    assert {r.age for r in added} == {"25-34", "65-74"} and {r.sex for r in added} == {
        "Female",
        "Male",
    }
