"""The assessment's pages: independence of scores, the tension log's restriction, the
survey import's refusal with line numbers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.assessment.models import ConsultationResponse, ScoreSheet
from saferstat.core.models import AuditEvent
from tests.assessment.world import HEADER, build


@pytest.fixture
def world(rotherham, members):
    return build(rotherham, members["admin"], members["analyst"], mark="Marker ")


@pytest.mark.django_db
def test_a_scorer_sees_the_others_only_after_submitting(client, members, world):
    url = f"/p/rotherham/assessment/{world['assessment']}/issues/{world['issue']}/"
    client.force_login(members["lead"])
    page = client.get(url).content.decode()
    assert "Marker Reason for volume" not in page and "once you have submitted" in page
    data = {"form": "score", "submit": "1"}
    for key in (
        "harm_individual",
        "harm_community",
        "volume",
        "trend",
        "public_concern",
        "capacity_gap",
    ):
        data |= {
            f"score-{key}": "3",
            f"reason-{key}": "Seen it",
            f"evidence-{key}": world["evidence"],
        }
    bad = client.post(url, {**data, "reason-trend": ""})
    assert bad.status_code == 400 and "say why" in bad.content.decode()
    assert client.post(url, data).status_code == 302
    page = client.get(url).content.decode()
    assert "Marker Reason for volume" in page and 'id="spread"' in page
    assert ScoreSheet.objects.filter(scorer=members["lead"], submitted_at__isnull=False).exists()


@pytest.mark.django_db
def test_scrutiny_sees_the_tension_summary_only(client, members, world):
    client.force_login(members["scrutiny"])
    page = client.get("/p/rotherham/assessment/tension/").content.decode()
    assert 'id="tension-summary"' in page and "Marker" not in page
    assert client.get(f"/p/rotherham/assessment/tension/{world['tension']}/").status_code == 403
    client.force_login(members["board"])
    page = client.get("/p/rotherham/assessment/tension/").content.decode()
    assert "Marker Town centre" in page
    before = AuditEvent.objects.filter(verb="tension.read").count()
    page = client.get(f"/p/rotherham/assessment/tension/{world['tension']}/").content.decode()
    assert "Marker Graffiti" in page
    assert AuditEvent.objects.filter(verb="tension.read").count() == before + 1


@pytest.mark.django_db
def test_survey_import_page_lists_every_bad_row_and_stores_nothing(client, members, world):
    url = f"/p/rotherham/assessment/consultations/{world['consultation']}/"
    client.force_login(members["analyst"])
    before = ConsultationResponse.objects.count()
    upload = SimpleUploadedFile("s.csv", f"{HEADER}\n200,Female,,,,\n30,Robot,,,,\n".encode())
    response = client.post(url, {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400 and "nothing was imported" in page
    assert "line 2: age" in page and "line 3: sex" in page
    assert ConsultationResponse.objects.count() == before
    upload = SimpleUploadedFile("s.csv", f"{HEADER}\n30,Male,,,,\n".encode())
    assert client.post(url, {"file": upload}).status_code == 302
    assert ConsultationResponse.objects.count() == before + 1
    page = client.get(url).content.decode()
    assert 'id="coverage-sex"' in page and "95% interval" in page
