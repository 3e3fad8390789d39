"""The assessment's services: who may take each, what they refuse, what they record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from saferstat.assessment import selectors, services
from saferstat.assessment.models import (
    Assessment,
    CandidateIssue,
    ConsultationResponse,
    PlanRefresh,
    ScoreSheet,
    TensionReport,
)
from saferstat.core.models import AuditEvent
from saferstat.intelligence.models import SavedView
from saferstat.plan.models import Priority
from saferstat.plan.services import plan_upsert, priority_upsert, theme_upsert
from tests.assessment.world import HEADER, build

ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]
VALUES = {
    "harm_individual": 4,
    "harm_community": 3,
    "volume": 5,
    "trend": 3,
    "public_concern": 4,
    "capacity_gap": 2,
}


@pytest.fixture
def outsider(sheffield, make_member):
    return make_member(sheffield, "admin", username="sheffield-admin")


@pytest.fixture
def world(rotherham, members):
    return build(rotherham, members["admin"], members["analyst"], board=members["board"])


def sheet_args(issue, evidence_pk):
    return {
        "values": VALUES,
        "reasons": {k: "Because" for k in VALUES},
        "evidence": {k: [evidence_pk] for k in VALUES},
    }


def refused(fn, **kwargs) -> bool:
    try:
        fn(**kwargs)
    except PermissionDenied:
        return True
    return False


@pytest.mark.django_db
def test_assessment_create_by_role_and_not_for_another_partnership(rotherham, members, outsider):
    allowed = {}
    for i, role in enumerate(ROLES):
        year = f"20{30 + i}/{31 + i}"
        allowed[role] = not refused(
            services.assessment_create, partnership=rotherham, by=members[role], year=year
        )
    assert allowed == {
        "admin": True,
        "analyst": True,
        "lead": False,
        "board": False,
        "scrutiny": False,
    }
    assert refused(services.assessment_create, partnership=rotherham, by=outsider, year="2040/41")
    assert Assessment.objects.filter(partnership=rotherham).count() == 2
    assert AuditEvent.objects.filter(verb="assessment.create").count() == 2
    for bad in ("2025", "2025/27", "25/26"):
        with pytest.raises(ValidationError):
            services.assessment_create(partnership=rotherham, by=members["analyst"], year=bad)
    with pytest.raises(ValidationError, match="already"):
        services.assessment_create(partnership=rotherham, by=members["analyst"], year="2030/31")


@pytest.mark.django_db
def test_issue_and_evidence_need_manage_and_own_partnership_objects(
    rotherham, sheffield, members, outsider, world
):
    assessment = Assessment.objects.get(pk=world["assessment"])
    for role in ("lead", "board", "scrutiny"):
        assert refused(services.issue_add, assessment=assessment, by=members[role], name="ASB")
    assert refused(services.issue_add, assessment=assessment, by=outsider, name="ASB")
    issue = services.issue_add(assessment=assessment, by=members["admin"], name="Hate crime")
    assert issue.key == "hate-crime"
    theirs = SavedView.objects.create(
        partnership=sheffield, title="Theirs", query="view=trend", created_by=outsider
    )
    with pytest.raises(ValidationError, match="saved views"):
        services.evidence_add(issue=issue, by=members["analyst"], kind="view", saved_view=theirs)
    with pytest.raises(ValidationError, match="address"):
        services.evidence_add(issue=issue, by=members["analyst"], kind="document", url="ftp://x")
    ours = SavedView.objects.create(
        partnership=rotherham,
        title="Hate crime trend",
        query="view=trend",
        created_by=members["analyst"],
    )
    ev = services.evidence_add(issue=issue, by=members["analyst"], kind="view", saved_view=ours)
    assert ev.title == "Hate crime trend" and ev.saved_view == ours
    assert AuditEvent.objects.filter(verb="assessment.evidence_add", object_id=str(ev.pk)).exists()


@pytest.mark.django_db
def test_scoring_by_role_and_every_score_needs_a_reason_and_evidence(members, outsider, world):
    issue = CandidateIssue.objects.get(pk=world["issue"])
    args = sheet_args(issue, world["evidence"])
    for role in ("scrutiny",):
        assert refused(services.sheet_save, issue=issue, by=members[role], **args)
    assert refused(services.sheet_save, issue=issue, by=outsider, **args)
    sheet = services.sheet_save(issue=issue, by=members["lead"], **args)
    assert sheet.submitted_at is None and sheet.values == VALUES
    with pytest.raises(ValidationError) as err:
        services.sheet_save(
            issue=issue,
            by=members["lead"],
            values={**VALUES, "volume": 9},
            reasons={**args["reasons"], "trend": ""},
            evidence={**args["evidence"], "capacity_gap": []},
        )
    assert set(err.value.message_dict) == {"score-volume", "reason-trend", "evidence-capacity_gap"}
    # evidence of another issue does not count
    other = services.issue_add(
        assessment=issue.assessment, by=members["analyst"], name="Fly-tipping"
    )
    foreign = services.evidence_add(
        issue=other, by=members["analyst"], kind="document", title="x", url="https://example.org"
    )
    with pytest.raises(ValidationError):
        services.sheet_save(
            issue=issue,
            by=members["lead"],
            values=VALUES,
            reasons=args["reasons"],
            evidence={k: [foreign.pk] for k in VALUES},
        )


@pytest.mark.django_db
def test_scorers_see_the_others_only_after_submitting_and_changes_are_audited(members, world):
    issue = CandidateIssue.objects.get(pk=world["issue"])
    lead = members["lead"]
    assert not services.sheets_visible(lead, issue)
    assert services.sheets_visible(members["scrutiny"], issue)  # reads, does not score
    assert services.sheets_visible(members["analyst"], issue)  # submitted in the world
    args = sheet_args(issue, world["evidence"])
    services.sheet_save(issue=issue, by=lead, **args)
    assert not services.sheets_visible(lead, issue)  # a draft is not enough
    services.sheet_save(issue=issue, by=lead, **args, submit=True)
    assert services.sheets_visible(lead, issue)
    services.sheet_save(issue=issue, by=lead, **{**args, "values": {**VALUES, "volume": 1}})
    change = AuditEvent.objects.filter(verb="assessment.score_change").latest("pk")
    assert change.before["values"]["volume"] == 5 and change.after["values"]["volume"] == 1
    # the world's analyst and Board member differ by 3 on harm to individuals: flagged
    ranked = selectors.ranking(issue.assessment)
    assert ranked[0].ranked.scorers == 3 and ranked[0].ranked.flagged >= 1
    assert ScoreSheet.objects.get(issue=issue, scorer=lead).submitted_at is not None


@pytest.mark.django_db
def test_survey_import_refuses_bad_rows_and_stores_nothing(members, outsider, world):
    from saferstat.assessment.models import Consultation

    consultation = Consultation.objects.get(pk=world["consultation"])
    before = consultation.responses.count()
    bad = f"{HEADER}\n34,Female,,White,Maltby,\n8,Female,,White,Nowhere,\n"
    with pytest.raises(ValidationError) as err:
        services.responses_import(
            consultation=consultation, by=members["analyst"], text=bad, areas=["Maltby"], themes=[]
        )
    assert err.value.message_dict["file"] == [
        "line 3: age: '8' is not an age from 16 to 110",
        "line 3: area: 'Nowhere' is not a ward here",
    ]
    with pytest.raises(ValidationError, match="no column"):
        services.responses_import(
            consultation=consultation, by=members["analyst"], text="a,b\n1,2\n", areas=[], themes=[]
        )
    assert consultation.responses.count() == before
    for who in (members["board"], members["scrutiny"], outsider):
        assert refused(
            services.responses_import,
            consultation=consultation,
            by=who,
            text=f"{HEADER}\n34,Female,,,,\n",
            areas=[],
            themes=[],
        )
    added = services.responses_import(
        consultation=consultation,
        by=members["admin"],
        text=f"{HEADER}\n34,Female,,White,Maltby,\n",
        areas=["Maltby"],
        themes=[],
    )
    assert added == 1 and consultation.responses.count() == before + 1
    assert ConsultationResponse.objects.filter(area="Maltby").count() == 1


@pytest.mark.django_db
def test_coverage_against_rotherham_census_flags_groups_not_heard(members, world):
    from saferstat.assessment.models import Consultation

    consultation = Consultation.objects.get(pk=world["consultation"])
    rows = "\n".join(
        ["50,Female,Not disabled,White,,"] * 60 + ["30,Male,Not disabled,White,,"] * 40
    )
    services.responses_import(
        consultation=consultation,
        by=members["analyst"],
        text=f"{HEADER}\n{rows}\n",
        areas=[],
        themes=[],
    )
    groups, message = selectors.coverage(consultation)
    assert message == ""
    by = {g.dimension: {r.group: r for r in g.rows} for g in groups}
    # 1 of 102 (the world has 2 answers) disabled against 56,177 of 265,807 (21.1%) in Rotherham
    disabled = by["disability"]["Disabled"]
    assert disabled.responses == 1 and disabled.answered == 102
    assert disabled.population_share == pytest.approx(56177 / 265807)
    assert disabled.verdict == "under-represented"
    asian = by["ethnic_group"]["Asian, Asian British or Asian Welsh"]
    # none heard, but 102 responses cannot show it beyond the 2-point margin: 0 to 3.6%
    # against 5.3% of the population
    assert asian.responses == 0 and asian.high == pytest.approx(0.0363, abs=1e-4)
    assert asian.verdict == "in line"
    assert by["ethnic_group"]["White"].verdict == "over-represented"
    assert by["age"]["16-24"].verdict == "under-represented"


@pytest.mark.django_db
def test_tension_reports_are_recorded_by_analysts_and_read_by_named_roles(
    rotherham, members, outsider, world
):
    report = TensionReport.objects.get(pk=world["tension"])
    args = {
        "partnership": rotherham,
        "reported_on": dt.date(2025, 6, 3),
        "area": "Park",
        "community": "Roma families",
        "source": "School",
        "description": "Name calling",
        "level": "low",
        "reasons": "Isolated",
    }
    for who in (members["lead"], members["board"], members["scrutiny"], outsider):
        assert refused(services.tension_report_create, by=who, **args)
    with pytest.raises(ValidationError) as err:
        services.tension_report_create(
            by=members["analyst"], **{**args, "level": "dire", "reasons": ""}
        )
    assert set(err.value.message_dict) == {"level", "reasons"}
    services.tension_report_create(by=members["admin"], **args)
    reads = {}
    for role in ROLES:
        reads[role] = not refused(services.tension_report_read, report=report, by=members[role])
    assert reads == {
        "admin": True,
        "analyst": True,
        "lead": False,
        "board": True,
        "scrutiny": False,
    }
    assert refused(services.tension_report_read, report=report, by=outsider)
    assert AuditEvent.objects.filter(verb="tension.read", object_id=str(report.pk)).count() == 3
    summary = selectors.tension_summary(partnership=rotherham, today=dt.date(2025, 6, 8))
    assert summary[-1]["week"] == dt.date(2025, 6, 2)
    assert summary[-1]["medium"] == 1 and summary[-1]["low"] == 1 and summary[-1]["total"] == 2
    assert set(summary[-1]) == {"week", "low", "medium", "high", "critical", "total", "highest"}


@pytest.fixture
def plan(rotherham, members):
    plan = plan_upsert(
        partnership=rotherham,
        by=members["analyst"],
        title="Partnership Plan 2025-28",
        start_date=dt.date(2025, 4, 1),
        end_date=dt.date(2028, 3, 31),
    )
    theme = theme_upsert(plan=plan, by=members["analyst"], key="people", name="Protecting people")
    priority_upsert(theme=theme, by=members["analyst"], key="da", name="Domestic abuse")
    return plan


@pytest.mark.django_db
def test_refresh_is_proposed_reviewed_by_someone_else_and_makes_a_plan_version(
    rotherham, sheffield, members, outsider, world, plan
):
    assessment = Assessment.objects.get(pk=world["assessment"])
    issue = CandidateIssue.objects.get(pk=world["issue"])
    with pytest.raises(ValidationError, match="Choose at least one"):
        services.refresh_propose(
            assessment=assessment, plan=plan, by=members["analyst"], label="2025 refresh", ranked={}
        )
    assert refused(services.issue_choose, issue=issue, by=members["board"], chosen=True)
    services.issue_choose(issue=issue, by=members["analyst"], chosen=True)
    for who in (members["lead"], members["board"], outsider):
        assert refused(
            services.refresh_propose,
            assessment=assessment,
            plan=plan,
            by=who,
            label="x",
            ranked={},
        )
    refresh = services.refresh_propose(
        assessment=assessment,
        plan=plan,
        by=members["admin"],
        label="2025 refresh",
        ranked={issue.key: 1},
    )
    # the proposer may not review their own proposal; only admins review
    with pytest.raises(ValidationError, match="other than the proposer"):
        services.refresh_review(refresh=refresh, by=members["admin"], approve=True)
    assert refused(services.refresh_review, refresh=refresh, by=members["analyst"], approve=True)
    assert refused(services.refresh_review, refresh=refresh, by=outsider, approve=True)
    second_admin = members["analyst"].__class__.objects.create_user(
        username="second-admin", password="x-long-password-1"
    )
    from saferstat.core.services import membership_set

    membership_set(user=second_admin, partnership=rotherham, role="admin")
    with pytest.raises(ValidationError, match="why"):
        services.refresh_review(refresh=refresh, by=second_admin, approve=False)
    services.refresh_review(refresh=refresh, by=second_admin, approve=True)
    plan.refresh_from_db()
    issue.refresh_from_db()
    assert plan.version == 2 and plan.version_label == "2025 refresh"
    assert plan.versions.get(number=1).snapshot["themes"][0]["key"] == "people"
    priority = Priority.objects.get(theme__plan=plan, key=issue.key)
    assert issue.plan_priority == priority
    assert "ranked 1" in priority.description and assessment.title in priority.description
    assert Priority.objects.filter(theme__plan=plan, key="da").exists()  # kept
    refresh.refresh_from_db()
    assert refresh.status == PlanRefresh.Status.APPLIED and refresh.reviewed_by == second_admin
    with pytest.raises(ValidationError, match="already"):
        services.refresh_review(refresh=refresh, by=second_admin, approve=True)
    assert AuditEvent.objects.filter(verb="assessment.refresh_apply").count() == 1
    # another partnership's plan cannot be the target
    s_plan = plan_upsert(
        partnership=sheffield,
        by=outsider,
        title="Theirs",
        start_date=dt.date(2025, 4, 1),
        end_date=dt.date(2026, 3, 31),
    )
    with pytest.raises(PermissionDenied):
        services.refresh_propose(
            assessment=assessment, plan=s_plan, by=members["analyst"], label="x", ranked={}
        )


@pytest.mark.django_db
def test_matrix_edits_are_versions_and_old_scores_keep_their_matrix(rotherham, members, world):
    fresh = services.assessment_create(partnership=rotherham, by=members["analyst"], year="2026/27")
    data = fresh.matrix | {"disagreement": 3}
    # only the partnership admin edits the matrix
    for role in ("analyst", "board", "lead", "scrutiny"):
        assert refused(services.matrix_set, assessment=fresh, by=members[role], data=data)
    version = services.matrix_set(assessment=fresh, by=members["admin"], data=data)
    assert version.number == 2
    assert Assessment.objects.get(pk=fresh.pk).scoring.disagreement == 3
    assert [v.number for v in fresh.matrix_versions.all()] == [1, 2]
    with pytest.raises(ValidationError, match="needs at least one"):
        services.matrix_set(
            assessment=fresh,
            by=members["admin"],
            data={"dimensions": [{"key": "h", "label": "H", "group": "harm"}]},
        )
    # once scored, a change needs a reason; old sheets keep version 1 and their meaning
    assessment = Assessment.objects.get(pk=world["assessment"])
    issue = CandidateIssue.objects.get(pk=world["issue"])
    before = {r.issue.key: r.ranked.totals.median for r in selectors.ranking(assessment)}
    heavier = assessment.matrix | {
        "dimensions": [
            d | {"weight": 3.0} if d["key"] == "harm_individual" else d
            for d in assessment.matrix["dimensions"]
        ]
    }
    with pytest.raises(ValidationError, match="say why"):
        services.matrix_set(assessment=assessment, by=members["admin"], data=heavier)
    services.matrix_set(
        assessment=assessment, by=members["admin"], data=heavier, note="Harm counts more"
    )
    assessment.refresh_from_db()
    assert assessment.matrix_version == 2
    old = ScoreSheet.objects.get(issue=issue, scorer=members["analyst"])
    assert old.matrix_version == 1
    old_matrix = services.matrix_of(assessment, old.matrix_version)
    assert old_matrix.get("harm_individual").weight == 1.0
    assert assessment.scoring.get("harm_individual").weight == 3.0
    # the ranked list counts only sheets on the current matrix: none until rescored
    assert before and all(r.ranked is None for r in selectors.ranking(assessment))
    args = sheet_args(issue, world["evidence"])
    services.sheet_save(issue=issue, by=members["analyst"], submit=True, **args)
    old.refresh_from_db()
    assert old.matrix_version == 2 and old.submitted_at is not None
    event = AuditEvent.objects.filter(verb="assessment.matrix_set").latest("pk")
    assert event.before["matrix_version"] == 1 and event.after["note"] == "Harm counts more"
