"""Free-text answers tagged by theme: read and tagged by analysts and admins only (personal
data, never published or logged), counted for everyone, and counted into the public concern
proposal, which a scorer accepts or overrides with a reason like any other; headline figures
reweighted to the Census on the consultation page."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from saferstat.assessment import selectors, services
from saferstat.assessment.models import ConsultationResponse, ScoreProposal, ScoreSheet
from saferstat.core.models import AuditEvent
from saferstat.dataprotection import services as dp
from saferstat.dataprotection.declaration import personal_fields
from saferstat.plan.services import plan_upsert, theme_upsert
from tests.assessment.world import HEADER, build

TEXT = "Marker Bikes on the park at night"
KEYS = ("harm_individual", "harm_community", "volume", "trend", "public_concern", "capacity_gap")


@pytest.fixture
def world(rotherham, members):
    return build(rotherham, members["admin"], members["analyst"], mark="Marker ")


@pytest.mark.django_db
def test_free_text_is_for_analysts_and_admins_only_and_never_logged(client, members, world):
    consultation_url = f"/p/rotherham/assessment/consultations/{world['consultation']}/"
    responses_url = consultation_url + "responses/"
    for role in ("lead", "board", "scrutiny"):
        client.force_login(members[role])
        page = client.get(consultation_url).content.decode()
        assert TEXT not in page and "Bikes on the park" not in page, role
        # the counts by theme are for everyone
        assert 'id="tagged"' in page and "Marker Knife crime" in page, role
        assert responses_url not in page, role
        assert client.get(responses_url).status_code == 403, role
    for role in ("analyst", "admin"):
        client.force_login(members[role])
        assert responses_url in client.get(consultation_url).content.decode()
        page = client.get(responses_url).content.decode()
        assert TEXT in page and "never published" in page, role
    # the audit log holds counts and tags, never the words
    events = AuditEvent.objects.filter(verb__startswith="assessment.")
    assert events.filter(verb="assessment.response_tag").exists()
    assert all("Bikes on the park" not in json.dumps([e.before, e.after]) for e in events)
    assert "free_text" in personal_fields("assessment.ConsultationResponse")


@pytest.mark.django_db
def test_a_subject_access_search_finds_a_response_by_its_free_text(rotherham, members, world):
    found = dp.search(partnership=rotherham, by=members["admin"], term="Bikes on the park")
    assert [m.obj.pk for m in found] == [world["response"]]
    assert found[0].matched == ("free_text",)


@pytest.mark.django_db
def test_tagging_counts_themes_and_refuses_unknown_ones(client, members, world):
    url = f"/p/rotherham/assessment/consultations/{world['consultation']}/responses/"
    client.force_login(members["analyst"])
    response = ConsultationResponse.objects.get(pk=world["response"])
    bad = client.post(url, {"form": "tag", "response": response.pk, "tag": "Unicorns"})
    assert bad.status_code == 400 and "Not a theme of this consultation" in bad.content.decode()
    ok = client.post(url, {"form": "tag", "response": response.pk, "tag": ["Speeding"]})
    assert ok.status_code == 302
    response.refresh_from_db()
    assert response.tags == ["Speeding"]
    consultation = response.consultation
    assert dict(selectors.theme_counts(consultation)) == {"Speeding": 1, "Marker Knife crime": 0}
    # a theme in use cannot be dropped from the list; an unused one can
    refused = client.post(url, {"form": "themes", "themes": "Marker Knife crime"})
    assert refused.status_code == 400 and "untag them first" in refused.content.decode()
    assert client.post(url, {"form": "themes", "themes": "Speeding\nLitter"}).status_code == 302
    consultation.refresh_from_db()
    assert consultation.themes == ["Speeding", "Litter"]
    # only answers with free text are tagged
    blank = consultation.responses.filter(free_text="").first()
    assert (
        client.post(url, {"form": "tag", "response": blank.pk, "tag": "Litter"}).status_code == 400
    )
    page = client.get(url + "?untagged=1").content.decode()
    assert "Every free-text answer is tagged." in page


@pytest.mark.django_db
def test_without_its_own_list_a_consultation_tags_with_the_plans_themes(rotherham, members, world):
    analyst = members["analyst"]
    plan = plan_upsert(
        partnership=rotherham,
        by=analyst,
        title="Plan",
        start_date=dt.date(2025, 4, 1),
        end_date=dt.date(2028, 3, 31),
    )
    theme_upsert(plan=plan, by=analyst, key="violence", name="Reducing violence", order=1)
    consultation = services.consultation_create(
        assessment=services.Assessment.objects.get(pk=world["assessment"]),
        by=analyst,
        title="Second survey",
        starts_on=dt.date(2025, 3, 1),
        ends_on=dt.date(2025, 3, 31),
    )
    assert selectors.themes_for(consultation) == ["Reducing violence"]
    services.responses_import(
        consultation=consultation,
        by=analyst,
        text=f"{HEADER},free_text\n40,,,,,,Fights outside the takeaway\n",
        areas=[],
        themes=[],
    )
    response = consultation.responses.get()
    services.response_tag(response=response, by=analyst, tags=["Reducing violence"])
    assert dict(selectors.theme_counts(consultation)) == {"Reducing violence": 1}


@pytest.mark.django_db
def test_public_concern_is_proposed_from_the_counts_and_overridden_with_a_reason(
    client, members, world
):
    # Three respondents; one wrote free text tagged "Marker Knife crime", the issue's name:
    # 1 of 3 (33%) raised it, the issue raised most, so the top of the scale (5).
    client.force_login(members["analyst"])
    consultation_url = f"/p/rotherham/assessment/consultations/{world['consultation']}/"
    assert client.post(consultation_url, {"form": "propose_concern"}).status_code == 302
    proposal = ScoreProposal.objects.get(issue_id=world["issue"], dimension="public_concern")
    assert proposal.points == 5
    assert "1 of 3 consultation respondents (33%)" in proposal.reasoning
    assert proposal.evidence.kind == "consultation"
    assert proposal.evidence.figures["raised"] == {"marker-knife-crime": 1}
    assert AuditEvent.objects.filter(verb="assessment.propose").exists()
    issue_url = f"/p/rotherham/assessment/{world['assessment']}/issues/{world['issue']}/"
    page = client.get(issue_url).content.decode()
    assert 'id="proposal-public_concern"' in page and "consultation counts, frozen" in page

    # The Board member scores public concern 3: an override, which needs a reason.
    client.force_login(members["board"])
    data = {"form": "score", "submit": "1"}
    for key in KEYS:
        data |= {
            f"score-{key}": "3",
            f"reason-{key}": "From the needs assessment",
            f"evidence-{key}": world["evidence"],
        }
    refused = client.post(issue_url, data)
    assert refused.status_code == 400
    assert "the data propose 5; say why you score 3 instead" in refused.content.decode()
    data["override-public_concern"] = "The survey under-represents the young"
    assert client.post(issue_url, data).status_code == 302
    sheet = ScoreSheet.objects.get(issue_id=world["issue"], scorer=members["board"])
    assert sheet.overrides["public_concern"]["proposed"] == 5
    assert sheet.evidence["public_concern"] == sorted({world["evidence"], proposal.evidence_id})
    assert AuditEvent.objects.filter(verb="assessment.score_override").count() == 1

    # A theme chosen for the issue counts too: untagged, nobody raised it (1 point).
    issue = services.CandidateIssue.objects.get(pk=world["issue"])
    services.issue_concern_themes_set(issue=issue, by=members["analyst"], themes=["Speeding"])
    item = services.concern_propose(issue=issue, by=members["analyst"])
    assert item.points == 1 and "0 of 3" in item.reasoning


@pytest.mark.django_db
def test_the_consultation_page_reweights_the_headline_to_the_census(client, members, world):
    analyst = members["analyst"]
    consultation = services.Consultation.objects.get(pk=world["consultation"])
    lines = [f"{HEADER}"] + ["30,Female,,White,,Knife crime"] * 6 + ["30,Male,,White,,ASB"] * 2
    services.responses_import(
        consultation=consultation,
        by=analyst,
        text="\n".join(lines) + "\n",
        areas=[],
        themes=[],
    )
    client.force_login(members["scrutiny"])
    url = f"/p/rotherham/assessment/consultations/{world['consultation']}/"
    page = client.get(url + "?weight_by=sex").content.decode()
    assert 'id="headline"' in page and "effective sample size" in page and "raking" in page
    shown = selectors.reweighted(consultation, ["sex"])
    # Weights come from everyone who gave their sex: 7 women and 3 men (the world's two
    # respondents too), so a woman counts Census share / (7/10), a man (1 - it) / (3/10).
    # Of those, 6 women and 2 men named a concern (the world's named none).
    female = 135547 / (135547 + 130260)
    w_f, w_m = female / 0.7, (1 - female) / 0.3
    knife = next(r for r in shown.rows if r.answer == "Knife crime")
    assert (knife.count, knife.share) == (6, 0.75)
    assert knife.weighted == pytest.approx(6 * w_f / (6 * w_f + 2 * w_m))
    assert shown.answered == 8
    assert shown.n_eff == pytest.approx((6 * w_f + 2 * w_m) ** 2 / (6 * w_f**2 + 2 * w_m**2))
    assert f"{shown.n_eff:.1f}" in page
    both = selectors.reweighted(consultation, ["age", "sex"])
    assert both.dimensions == ("age", "sex") and both.weighting.left_out == 1  # no age given
