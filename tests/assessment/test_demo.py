"""`manage.py demo_assessment`: Rotherham's 2025/26 assessment, labelled demo, with two
scorers, a disagreement, a consultation flagged against the Census, a tension log and a
plan version refreshed from it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from saferstat.assessment import selectors
from saferstat.assessment.models import Assessment, PlanRefresh, ScoreSheet, TensionReport
from saferstat.core.demo import demo_install
from saferstat.core.models import User
from saferstat.plan.models import Plan
from saferstat.plan.services import plan_upsert


@pytest.mark.django_db
def test_demo_assessment_is_built_once_and_labelled(overview_warehouse):
    demo_install()
    admin = User.objects.get(username="rotherham-admin")
    plan_upsert(
        partnership=admin.memberships.get().partnership,
        by=admin,
        title="Demo plan",
        start_date=dt.date(2025, 4, 1),
        end_date=dt.date(2028, 3, 31),
    )
    call_command("demo_assessment", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_assessment", stdout=out)  # again: nothing doubled
    assert "already there" in out.getvalue()
    assessment = Assessment.objects.get(partnership__slug="rotherham")
    assert assessment.is_demo and "demo" in assessment.title
    ranking = selectors.ranking(assessment)
    assert len(ranking) == 7 and all(r.ranked and r.ranked.scorers == 2 for r in ranking)
    asb = next(r for r in ranking if r.issue.name == "Anti-social behaviour")
    assert asb.ranked.flagged >= 1
    assert all(i.evidence.exists() for i in assessment.issues.all())
    consultation = assessment.consultations.get()
    assert consultation.is_demo and consultation.responses.count() == 420
    assert consultation.responses.exclude(area="").exists()  # wards from the warehouse
    groups, _ = selectors.coverage(consultation)
    flagged = {
        (g.dimension, r.group) for g in groups for r in g.rows if r.verdict == "under-represented"
    }
    assert ("disability", "Disabled") in flagged and ("age", "16-24") in flagged
    # free text on some invented responses, most tagged by theme; public concern proposed
    # from the counts for every issue, accepted by the analyst, overridden by the Board
    with_text = consultation.responses.exclude(free_text="")
    assert 60 < with_text.count() < 200
    assert 0 < with_text.filter(tags=[]).count() < with_text.count() / 2
    assert all(r.free_text.endswith("(demo)") for r in with_text)
    counts = dict(selectors.theme_counts(consultation))
    assert counts["Anti-social behaviour"] > 0 and counts["Drug dealing"] > 0
    concern = {i.name: i.proposals.get(dimension="public_concern") for i in assessment.issues.all()}
    assert len(concern) == 7 and all(p.evidence.kind == "consultation" for p in concern.values())
    assert concern["Anti-social behaviour"].points == 5  # raised most
    assert concern["Modern slavery"].points == 1  # never raised
    analyst = User.objects.get(username="rotherham-analyst")
    asb_sheets = ScoreSheet.objects.filter(issue__name="Anti-social behaviour")
    assert asb_sheets.get(scorer=analyst).values["public_concern"] == 5
    assert "public_concern" in asb_sheets.exclude(scorer=analyst).get().overrides
    # the headline reweighted to the Census: young respondents are few, so weights spread
    # and the effective sample is smaller than the respondents weighted
    shown = selectors.reweighted(consultation)
    assert shown.rows and shown.dimensions == ("age", "sex")
    assert shown.n_eff < shown.answered * 0.9
    assert any(abs(r.weighted - r.share) > 0.001 for r in shown.rows)
    assert TensionReport.objects.filter(is_demo=True).count() == 6
    plan = Plan.objects.get(title="Demo plan")
    assert plan.version == 2
    refresh = PlanRefresh.objects.get()
    assert refresh.status == "applied" and refresh.reviewed_by == admin
    chosen = assessment.issues.filter(chosen=True)
    assert chosen.count() == 4 and all(i.plan_priority_id for i in chosen)
    # scores proposed from the data with frozen evidence; the document signed off, frozen
    knife = assessment.issues.get(name="Knife crime")
    data = knife.proposals.exclude(dimension="public_concern")
    assert {p.dimension for p in data} == {"volume", "trend", "harm_individual"}
    assert all(p.evidence.frozen_view.is_frozen for p in data)
    assert assessment.is_signed_off or Assessment.objects.get(pk=assessment.pk).is_signed_off
    from saferstat.assessment.models import FrozenView

    views = FrozenView.objects.filter(section__assessment=assessment)
    assert views.count() == 3 and all(v.is_frozen and v.warehouse_version for v in views)
