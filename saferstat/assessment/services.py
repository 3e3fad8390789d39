"""Writes to the strategic assessment. Each checks its right in core/permissions.py and is
audited inside its transaction (docs/assessment.md)."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from saferstat.analytics import assessment as calc
from saferstat.analytics.errors import QueryError
from saferstat.core import audit
from saferstat.core.models import Partnership, User
from saferstat.core.permissions import can, require
from saferstat.core.sanitise import clean_plain
from saferstat.intelligence.models import PartnerDataset, SavedView
from saferstat.plan.models import Plan
from saferstat.plan.selectors import plan_snapshot
from saferstat.plan.services import plan_refresh, priority_upsert, theme_upsert

from .models import (
    Assessment,
    CandidateIssue,
    Consultation,
    ConsultationResponse,
    Evidence,
    PlanRefresh,
    ScoreSheet,
    TensionAction,
    TensionReport,
)

YEAR = re.compile(r"^(20\d\d)/(\d\d)$")
#: The plan theme the refresh puts the assessment's chosen priorities under.
REFRESH_THEME = "assessed-priorities"


def _required(value: str, field: str, message: str, limit: int = 200) -> str:
    text = clean_plain(value or "")[:limit]
    if not text:
        raise ValidationError({field: message})
    return text


@transaction.atomic
def assessment_create(
    *, partnership: Partnership, by: User, year: str, title: str = "", is_demo: bool = False
) -> Assessment:
    require(by, "assessment.manage", partnership)
    match = YEAR.match(year or "")
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValidationError({"year": "Give the financial year as 2025/26."})
    if Assessment.objects.filter(partnership=partnership, year=year).exists():
        raise ValidationError({"year": f"There is already an assessment for {year}."})
    assessment = Assessment.objects.create(
        partnership=partnership,
        year=year,
        title=clean_plain(title)[:200] or f"Strategic assessment {year}",
        is_demo=is_demo,
    )
    audit.record(
        actor=by,
        verb="assessment.create",
        obj=assessment,
        partnership=partnership,
        after=audit.snapshot(assessment),
    )
    return assessment


@transaction.atomic
def matrix_set(*, assessment: Assessment, by: User, data: dict) -> Assessment:
    """Replace the scoring matrix (only before anyone has scored: scores keep their meaning)."""
    require(by, "assessment.manage", assessment.partnership)
    try:
        matrix = calc.Matrix.from_data(data)
    except QueryError as exc:
        raise ValidationError({"matrix": str(exc)}) from None
    if ScoreSheet.objects.filter(issue__assessment=assessment).exists():
        raise ValidationError({"matrix": "Issues have been scored: the matrix cannot change."})
    before = audit.snapshot(assessment, ["matrix"])
    assessment.matrix = matrix.as_data()
    assessment.save(update_fields=["matrix"])
    audit.record(
        actor=by,
        verb="assessment.matrix_set",
        obj=assessment,
        partnership=assessment.partnership,
        before=before,
        after=audit.snapshot(assessment, ["matrix"]),
    )
    return assessment


@transaction.atomic
def issue_add(
    *, assessment: Assessment, by: User, name: str, description: str = ""
) -> CandidateIssue:
    require(by, "assessment.manage", assessment.partnership)
    name = _required(name, "name", "Name the issue, for example knife crime.")
    key = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "issue"
    if CandidateIssue.objects.filter(assessment=assessment, key=key).exists():
        raise ValidationError({"name": "This issue is already a candidate."})
    issue = CandidateIssue.objects.create(
        assessment=assessment, key=key, name=name, description=clean_plain(description)
    )
    audit.record(
        actor=by,
        verb="assessment.issue_add",
        obj=issue,
        partnership=assessment.partnership,
        after=audit.snapshot(issue),
    )
    return issue


@transaction.atomic
def evidence_add(
    *,
    issue: CandidateIssue,
    by: User,
    kind: str,
    title: str = "",
    saved_view: SavedView | None = None,
    dataset: PartnerDataset | None = None,
    url: str = "",
    note: str = "",
) -> Evidence:
    """Cite a saved explorer view, a partner dataset or a document for an issue; the view or
    dataset must be this partnership's."""
    partnership = issue.partnership
    require(by, "assessment.manage", partnership)
    if kind == Evidence.Kind.VIEW:
        if saved_view is None or saved_view.partnership_id != partnership.pk:
            raise ValidationError({"saved_view": "Choose one of this partnership's saved views."})
        title = title or saved_view.title
    elif kind == Evidence.Kind.DATASET:
        if dataset is None or dataset.partnership_id != partnership.pk:
            raise ValidationError({"dataset": "Choose one of this partnership's datasets."})
        title = title or dataset.name
    elif kind == Evidence.Kind.DOCUMENT:
        if not re.match(r"^https?://", url or ""):
            raise ValidationError({"url": "Give the document's web address (https://...)."})
    else:
        raise ValidationError({"kind": "Choose what kind of evidence this is."})
    evidence = Evidence(
        issue=issue,
        kind=kind,
        title=_required(title, "title", "Give the evidence a title."),
        saved_view=saved_view if kind == Evidence.Kind.VIEW else None,
        dataset=dataset if kind == Evidence.Kind.DATASET else None,
        url=url if kind == Evidence.Kind.DOCUMENT else "",
        note=clean_plain(note),
        added_by=by,
    )
    evidence.full_clean()
    evidence.save()
    audit.record(
        actor=by,
        verb="assessment.evidence_add",
        obj=evidence,
        partnership=partnership,
        after=audit.snapshot(evidence),
    )
    return evidence


@transaction.atomic
def sheet_save(
    *,
    issue: CandidateIssue,
    by: User,
    values: dict[str, int],
    reasons: dict[str, str] | None = None,
    evidence: dict[str, list[int]] | None = None,
    submit: bool = False,
) -> ScoreSheet:
    """Save (and with ``submit``, submit) the user's own scores for an issue. Every dimension
    needs a score on its scale and at least one piece of evidence, and every score needs a
    reason. A submitted sheet may still be changed (the change is audited)."""
    partnership = issue.partnership
    require(by, "assessment.score", partnership)
    matrix = issue.assessment.scoring
    reasons, evidence = reasons or {}, evidence or {}
    own_evidence = set(issue.evidence.values_list("pk", flat=True))
    errors: dict[str, str] = {}
    clean_values, clean_reasons, clean_evidence = {}, {}, {}
    for d in matrix.dimensions:
        value = values.get(d.key)
        try:
            if value is None:
                raise QueryError(f"{d.label}: no score given")
            d.check(value)
        except QueryError as exc:
            errors[f"score-{d.key}"] = str(exc)
            continue
        clean_values[d.key] = value
        reason = clean_plain(reasons.get(d.key, ""))[:1000]
        if not reason:
            errors[f"reason-{d.key}"] = f"{d.label}: say why you gave this score."
        clean_reasons[d.key] = reason
        cited = sorted({int(e) for e in evidence.get(d.key, [])})
        if not cited or not set(cited) <= own_evidence:
            errors[f"evidence-{d.key}"] = f"{d.label}: cite at least one piece of evidence."
        clean_evidence[d.key] = cited
    if errors:
        raise ValidationError(errors)
    sheet = ScoreSheet.objects.filter(issue=issue, scorer=by).first()
    before = (
        audit.snapshot(sheet, ["values", "reasons", "evidence", "submitted_at"]) if sheet else None
    )
    sheet = sheet or ScoreSheet(issue=issue, scorer=by)
    sheet.values, sheet.reasons, sheet.evidence = clean_values, clean_reasons, clean_evidence
    if submit and sheet.submitted_at is None:
        sheet.submitted_at = timezone.now()
    sheet.save()
    audit.record(
        actor=by,
        verb="assessment.score" if before is None else "assessment.score_change",
        obj=sheet,
        partnership=partnership,
        before=before,
        after=audit.snapshot(sheet, ["values", "reasons", "evidence", "submitted_at"]),
    )
    return sheet


def sheets_visible(user: User, issue: CandidateIssue) -> bool:
    """Whether the user may see every scorer's sheet for the issue: a scorer once they have
    submitted their own (so scores are independent), anyone else who may read the
    assessment and may not score."""
    partnership = issue.partnership
    if not can(user, "assessment.view", partnership):
        return False
    if not can(user, "assessment.score", partnership):
        return True
    return ScoreSheet.objects.filter(issue=issue, scorer=user, submitted_at__isnull=False).exists()


@transaction.atomic
def issue_choose(*, issue: CandidateIssue, by: User, chosen: bool) -> CandidateIssue:
    require(by, "assessment.manage", issue.partnership)
    before = audit.snapshot(issue, ["chosen"])
    issue.chosen = chosen
    issue.save(update_fields=["chosen"])
    audit.record(
        actor=by,
        verb="assessment.issue_choose",
        obj=issue,
        partnership=issue.partnership,
        before=before,
        after=audit.snapshot(issue, ["chosen"]),
    )
    return issue


# --- consultations --------------------------------------------------------------------------


@transaction.atomic
def consultation_create(
    *,
    assessment: Assessment,
    by: User,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    methods: str = "",
    margin_points: int = 2,
    is_demo: bool = False,
) -> Consultation:
    require(by, "assessment.manage", assessment.partnership)
    title = _required(title, "title", "Give the consultation a title.")
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The consultation must end after it starts."})
    if not 0 <= margin_points <= 20:
        raise ValidationError({"margin_points": "The margin must be from 0 to 20 points."})
    consultation = Consultation.objects.create(
        assessment=assessment,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        methods=clean_plain(methods)[:300],
        margin_points=margin_points,
        is_demo=is_demo,
    )
    audit.record(
        actor=by,
        verb="assessment.consultation_create",
        obj=consultation,
        partnership=assessment.partnership,
        after=audit.snapshot(consultation),
    )
    return consultation


@transaction.atomic
def responses_import(
    *, consultation: Consultation, by: User, text: str, areas: list[str], themes: list[str]
) -> int:
    """Add the respondents of a survey export (CSV text). Every bad row is reported by line
    and nothing is stored until the file is clean. Returns how many were added."""
    partnership = consultation.assessment.partnership
    require(by, "assessment.manage", partnership)
    parsed = calc.parse_responses(text, areas=areas, themes=themes)
    if parsed.errors:
        raise ValidationError({"file": parsed.errors})
    ConsultationResponse.objects.bulk_create(
        ConsultationResponse(consultation=consultation, **row) for row in parsed.rows
    )
    audit.record(
        actor=by,
        verb="assessment.responses_import",
        obj=consultation,
        partnership=partnership,
        after={"responses_added": len(parsed.rows), "total": consultation.responses.count()},
    )
    return len(parsed.rows)


# --- community tension ----------------------------------------------------------------------


@transaction.atomic
def tension_report_create(
    *,
    partnership: Partnership,
    by: User,
    reported_on: dt.date,
    area: str,
    community: str,
    source: str,
    description: str,
    level: str,
    reasons: str,
    is_demo: bool = False,
) -> TensionReport:
    require(by, "tension.record", partnership)
    errors = {}
    if level not in calc.TENSION_LEVELS:
        errors["level"] = "Choose a risk rating."
    for field, value, message in (
        ("area", area, "Say which area."),
        ("community", community, "Say which community is affected."),
        ("source", source, "Say where the report came from."),
        ("description", description, "Describe what was reported."),
        ("reasons", reasons, "Give the reasons for the rating."),
    ):
        if not clean_plain(value or ""):
            errors[field] = message
    if reported_on > timezone.localdate():
        errors["reported_on"] = "The report date cannot be in the future."
    if errors:
        raise ValidationError(errors)
    report = TensionReport.objects.create(
        partnership=partnership,
        reported_on=reported_on,
        area=clean_plain(area)[:100],
        community=clean_plain(community)[:200],
        source=clean_plain(source)[:200],
        description=clean_plain(description),
        level=level,
        reasons=clean_plain(reasons),
        recorded_by=by,
        is_demo=is_demo,
    )
    audit.record(
        actor=by,
        verb="tension.create",
        obj=report,
        partnership=partnership,
        after=audit.snapshot(report),
    )
    return report


@transaction.atomic
def tension_action_add(
    *, report: TensionReport, by: User, text: str, owner_role: str, review_on: dt.date
) -> TensionAction:
    require(by, "tension.record", report.partnership)
    action = TensionAction.objects.create(
        report=report,
        text=_required(text, "text", "Say what will be done.", 2000),
        owner_role=_required(owner_role, "owner_role", "Name the owner's role."),
        review_on=review_on,
    )
    audit.record(
        actor=by,
        verb="tension.action_add",
        obj=action,
        partnership=report.partnership,
        after=audit.snapshot(action),
    )
    return action


@transaction.atomic
def tension_report_read(*, report: TensionReport, by: User) -> TensionReport:
    """Open a confidential report: checks `tension.view` and records the read."""
    require(by, "tension.view", report.partnership)
    audit.record(actor=by, verb="tension.read", obj=report, partnership=report.partnership)
    return report


# --- the annual refresh ---------------------------------------------------------------------


def refresh_snapshot(assessment: Assessment, plan: Plan, ranked: dict[str, int]) -> dict:
    """The plan as it would be: its current snapshot with the chosen issues as priorities
    under the refresh theme (each carrying its rank and the assessment it came from)."""
    snap = plan_snapshot(plan)
    priorities = []
    for issue in assessment.issues.filter(chosen=True).order_by("name"):
        rank = ranked.get(issue.key)
        priorities.append(
            {
                "key": issue.key,
                "name": issue.name,
                "description": (
                    f"Chosen in the {assessment.title}"
                    + (f" (ranked {rank})" if rank else "")
                    + (f": {issue.description}" if issue.description else "")
                ),
                "lead": "No lead named",
                "objectives": [],
                "issue": issue.pk,
            }
        )
    themes = [t for t in snap["themes"] if t["key"] != REFRESH_THEME]
    themes.append(
        {
            "key": REFRESH_THEME,
            "name": f"Priorities from the {assessment.year} strategic assessment",
            "priorities": priorities,
        }
    )
    return {**snap, "themes": themes}


@transaction.atomic
def refresh_propose(
    *, assessment: Assessment, plan: Plan, by: User, label: str, ranked: dict[str, int]
) -> PlanRefresh:
    """Propose the chosen issues as the plan's next version; someone else reviews it."""
    partnership = assessment.partnership
    require(by, "assessment.manage", partnership)
    if plan.partnership_id != partnership.pk:
        raise PermissionDenied("The plan belongs to another partnership")
    label = _required(label, "label", "Name the new version, for example 2025 refresh.", 100)
    if not assessment.issues.filter(chosen=True).exists():
        raise ValidationError({"label": "Choose at least one issue as a priority first."})
    if assessment.refreshes.filter(status=PlanRefresh.Status.PROPOSED).exists():
        raise ValidationError({"label": "A refresh is already awaiting review."})
    refresh = PlanRefresh.objects.create(
        assessment=assessment,
        plan=plan,
        label=label,
        proposal=refresh_snapshot(assessment, plan, ranked),
        proposed_by=by,
    )
    audit.record(
        actor=by,
        verb="assessment.refresh_propose",
        obj=refresh,
        partnership=partnership,
        after=audit.snapshot(refresh),
    )
    return refresh


@transaction.atomic
def refresh_review(*, refresh: PlanRefresh, by: User, approve: bool, note: str = "") -> PlanRefresh:
    """Apply the proposal as a new plan version (the current one is kept, frozen), or send
    it back with a note. The proposer may not review their own proposal."""
    assessment = refresh.assessment
    partnership = assessment.partnership
    require(by, "assessment.approve_refresh", partnership)
    require(by, "plan.edit", partnership)
    if refresh.status != PlanRefresh.Status.PROPOSED:
        raise ValidationError({"decision": "This proposal has already been reviewed."})
    if refresh.proposed_by_id == by.pk:
        raise ValidationError({"decision": "Someone other than the proposer must review it."})
    note = clean_plain(note)
    if not approve and not note:
        raise ValidationError({"note": "Say why it is sent back."})
    before = audit.snapshot(refresh, ["status", "reviewed_by", "review_note"])
    if approve:
        plan = refresh.plan
        plan_refresh(plan=plan, by=by, label=refresh.label)
        proposed = next(t for t in refresh.proposal["themes"] if t["key"] == REFRESH_THEME)
        theme = theme_upsert(
            plan=plan,
            by=by,
            key=REFRESH_THEME,
            name=proposed["name"],
            order=len(refresh.proposal["themes"]),
        )
        for order, item in enumerate(proposed["priorities"]):
            priority = priority_upsert(
                theme=theme,
                by=by,
                key=item["key"],
                name=item["name"],
                description=item["description"],
                order=order,
            )
            CandidateIssue.objects.filter(pk=item["issue"], assessment=assessment).update(
                plan_priority=priority
            )
    refresh.status = PlanRefresh.Status.APPLIED if approve else PlanRefresh.Status.RETURNED
    refresh.reviewed_by, refresh.review_note = by, note
    refresh.save(update_fields=["status", "reviewed_by", "review_note"])
    audit.record(
        actor=by,
        verb="assessment.refresh_apply" if approve else "assessment.refresh_return",
        obj=refresh,
        partnership=partnership,
        before=before,
        after=audit.snapshot(refresh, ["status", "reviewed_by", "review_note"]),
    )
    return refresh
