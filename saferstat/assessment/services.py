"""Writes to the strategic assessment. Each checks its right in core/permissions.py and is
audited inside its transaction (docs/assessment.md)."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from saferstat.analytics import assessment as calc
from saferstat.analytics.errors import AnalyticsError, QueryError
from saferstat.analytics.policeuk import CRIME_TYPES
from saferstat.core import audit
from saferstat.core.models import Partnership, User
from saferstat.core.permissions import can, require
from saferstat.core.sanitise import clean_plain
from saferstat.intelligence.models import PartnerDataset, SavedView
from saferstat.plan.models import Plan
from saferstat.plan.selectors import plan_snapshot
from saferstat.plan.services import plan_refresh, priority_upsert, theme_upsert

from . import frozen, selectors
from .models import (
    Assessment,
    CandidateIssue,
    Consultation,
    ConsultationResponse,
    DocumentSection,
    Evidence,
    FrozenView,
    MatrixVersion,
    PlanRefresh,
    ScoreProposal,
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


def _fields_set(obj, *, by: User, verb: str, partnership: Partnership, **values):
    """Set the given fields of ``obj``, save only them and audit them before and after."""
    fields = list(values)
    before = audit.snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save(update_fields=fields)
    audit.record(
        actor=by,
        verb=verb,
        obj=obj,
        partnership=partnership,
        before=before,
        after=audit.snapshot(obj, fields),
    )
    return obj


def _themes(themes: list[str], field: str, message: str) -> list[str]:
    """The themes given, cleaned, each once, in order; at most 50."""
    chosen = list(dict.fromkeys(clean_plain(t)[:100] for t in themes if clean_plain(t or "")))
    if len(chosen) > 50:
        raise ValidationError({field: message})
    return chosen


def _proposal_store(
    *,
    issue: CandidateIssue,
    by: User,
    key: str,
    proposal: calc.Proposal,
    evidence: Evidence,
    **facts,
) -> ScoreProposal:
    """Keep ``proposal`` as the issue's proposed score for dimension ``key``, citing
    ``evidence``, and audit it with ``facts`` (where its figures came from)."""
    old = ScoreProposal.objects.filter(issue=issue, dimension=key).first()
    before = audit.snapshot(old, ["points", "reasoning", "evidence"]) if old else None
    item, _ = ScoreProposal.objects.update_or_create(
        issue=issue,
        dimension=key,
        defaults={"points": proposal.points, "reasoning": proposal.reasoning, "evidence": evidence},
    )
    audit.record(
        actor=by,
        verb="assessment.propose",
        obj=item,
        partnership=issue.partnership,
        before=before,
        after={**audit.snapshot(item, ["dimension", "points", "reasoning", "evidence"]), **facts},
    )
    return item


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
    MatrixVersion.objects.create(
        assessment=assessment, number=1, data=assessment.matrix, created_by=by
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
def matrix_set(*, assessment: Assessment, by: User, data: dict, note: str = "") -> MatrixVersion:
    """Make ``data`` the assessment's scoring matrix, as its next version. Sheets keep the
    version they were scored under (their scores keep their meaning); the ranked list counts
    only sheets on the current version, so once scoring has started the change needs a
    reason and every scorer scores again."""
    require(by, "assessment.matrix_edit", assessment.partnership)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    try:
        matrix = calc.Matrix.from_data(data)
    except QueryError as exc:
        raise ValidationError({"matrix": str(exc)}) from None
    if matrix.as_data() == assessment.scoring.as_data():
        raise ValidationError({"matrix": "Nothing changed: the matrix is as it was."})
    note = clean_plain(note)[:2000]
    scored = ScoreSheet.objects.filter(issue__assessment=assessment).exists()
    if scored and not note:
        raise ValidationError(
            {"note": "Issues have been scored on this matrix: say why it changes."}
        )
    before = {"matrix": assessment.matrix, "matrix_version": assessment.matrix_version}
    number = assessment.matrix_version + 1
    version = MatrixVersion.objects.create(
        assessment=assessment, number=number, data=matrix.as_data(), note=note, created_by=by
    )
    assessment.matrix = matrix.as_data()
    assessment.matrix_version = number
    assessment.save(update_fields=["matrix", "matrix_version"])
    audit.record(
        actor=by,
        verb="assessment.matrix_set",
        obj=assessment,
        partnership=assessment.partnership,
        before=before,
        after={"matrix": assessment.matrix, "matrix_version": number, "note": note},
    )
    return version


def matrix_of(assessment: Assessment, number: int) -> calc.Matrix:
    """The matrix a sheet was scored under (version ``number``)."""
    if number == assessment.matrix_version:
        return assessment.scoring
    version = MatrixVersion.objects.filter(assessment=assessment, number=number).first()
    return version.scoring if version else assessment.scoring


@transaction.atomic
def _crime_types(crime_types) -> list[str]:
    chosen = [c for c in (crime_types or []) if c]
    if any(c not in CRIME_TYPES for c in chosen):
        raise ValidationError({"crime_types": "Choose crime types from the police.uk list."})
    return sorted(set(chosen))


@transaction.atomic
def issue_add(
    *,
    assessment: Assessment,
    by: User,
    name: str,
    description: str = "",
    crime_types: list[str] | None = None,
) -> CandidateIssue:
    require(by, "assessment.manage", assessment.partnership)
    crime_types = _crime_types(crime_types)
    name = _required(name, "name", "Name the issue, for example knife crime.")
    key = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "issue"
    if CandidateIssue.objects.filter(assessment=assessment, key=key).exists():
        raise ValidationError({"name": "This issue is already a candidate."})
    issue = CandidateIssue.objects.create(
        assessment=assessment,
        key=key,
        name=name,
        description=clean_plain(description),
        crime_types=crime_types,
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
    overrides: dict[str, str] | None = None,
    submit: bool = False,
) -> ScoreSheet:
    """Save (and with ``submit``, submit) the user's own scores for an issue, on the
    assessment's current matrix. Every dimension needs a score on its scale and at least one
    piece of evidence, and every score needs a reason. Where a score was proposed from the
    data, giving the proposed points accepts it (its reasoning and frozen evidence are
    cited); any other points override it, and an override needs its own reason
    (``overrides``), which is kept on the sheet and audited. A submitted sheet may still be
    changed (the change is audited)."""
    partnership = issue.partnership
    require(by, "assessment.score", partnership)
    assessment = issue.assessment
    matrix = assessment.scoring
    reasons, evidence, overrides = reasons or {}, evidence or {}, overrides or {}
    own_evidence = set(issue.evidence.values_list("pk", flat=True))
    proposals = {p.dimension: p for p in issue.proposals.all()}
    errors: dict[str, str] = {}
    clean_values, clean_reasons, clean_evidence, clean_overrides = {}, {}, {}, {}
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
        cited = sorted({int(e) for e in evidence.get(d.key, [])})
        proposal = proposals.get(d.key)
        if proposal is not None and value == proposal.points:
            reason = reason or f"Accepted the score proposed from the data: {proposal.reasoning}"
            cited = sorted({*cited, proposal.evidence_id})
        elif proposal is not None:
            cited = sorted({*cited, proposal.evidence_id})  # the data considered, overridden
            why = clean_plain(overrides.get(d.key, ""))[:1000]
            if not why:
                errors[f"override-{d.key}"] = (
                    f"{d.label}: the data propose {proposal.points}; say why you score "
                    f"{value} instead."
                )
            clean_overrides[d.key] = {
                "proposed": proposal.points,
                "value": value,
                "reason": why,
                "evidence": proposal.evidence_id,
            }
            reason = reason or why
        if not reason:
            errors[f"reason-{d.key}"] = f"{d.label}: say why you gave this score."
        clean_reasons[d.key] = reason
        if not cited or not set(cited) <= own_evidence:
            errors[f"evidence-{d.key}"] = f"{d.label}: cite at least one piece of evidence."
        clean_evidence[d.key] = cited
    if errors:
        raise ValidationError(errors)
    fields = ["values", "reasons", "evidence", "overrides", "matrix_version", "submitted_at"]
    sheet = ScoreSheet.objects.filter(issue=issue, scorer=by).first()
    before = audit.snapshot(sheet, fields) if sheet else None
    previous_overrides = dict(sheet.overrides) if sheet else {}
    sheet = sheet or ScoreSheet(issue=issue, scorer=by)
    sheet.values, sheet.reasons, sheet.evidence = clean_values, clean_reasons, clean_evidence
    sheet.overrides = clean_overrides
    if sheet.matrix_version != assessment.matrix_version:
        sheet.submitted_at = None  # scored again on a new matrix: submitted afresh
    sheet.matrix_version = assessment.matrix_version
    if submit and sheet.submitted_at is None:
        sheet.submitted_at = timezone.now()
    sheet.save()
    audit.record(
        actor=by,
        verb="assessment.score" if before is None else "assessment.score_change",
        obj=sheet,
        partnership=partnership,
        before=before,
        after=audit.snapshot(sheet, fields),
    )
    for key, override in clean_overrides.items():
        if previous_overrides.get(key) != override:
            audit.record(
                actor=by,
                verb="assessment.score_override",
                obj=sheet,
                partnership=partnership,
                before={"dimension": key, "proposed": override["proposed"]},
                after={"dimension": key, "value": override["value"], "reason": override["reason"]},
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
    return _fields_set(
        issue, by=by, verb="assessment.issue_choose", partnership=issue.partnership, chosen=chosen
    )


@transaction.atomic
def issue_crime_types_set(
    *, issue: CandidateIssue, by: User, crime_types: list[str]
) -> CandidateIssue:
    """Say which police.uk crime types the issue covers (scores are proposed from them)."""
    require(by, "assessment.manage", issue.partnership)
    return _fields_set(
        issue,
        by=by,
        verb="assessment.issue_crime_types",
        partnership=issue.partnership,
        crime_types=_crime_types(crime_types),
    )


# --- scores proposed from the data ----------------------------------------------------------


def _proposal_queries(issue: CandidateIssue, year) -> list[tuple[str, str, str]]:
    """(dimension key, explorer query, evidence title) of each score the data can propose."""
    from urllib.parse import urlencode

    types = [("crime_type", c) for c in issue.crime_types]
    months = year.months
    return [
        (
            "volume",
            urlencode(
                [("source", "police"), ("view", "periods"), *types]
                + [("from", months[0]), ("to", months[-1]), ("kind", "financial_year")]
            ),
            f"{issue.name}: records and rate, {year.label}",
        ),
        (
            "trend",
            urlencode([("source", "police"), ("view", "trend"), *types]),
            f"{issue.name}: monthly trend with statistical process control",
        ),
        (
            "harm_individual",
            urlencode([("source", "police"), ("view", "harm"), *types, ("period", year.label)]),
            f"{issue.name}: harm estimate, {year.label}",
        ),
    ]


def _propose(d: calc.Dimension, figures: dict, year_label: str) -> calc.Proposal:
    if d.key == "volume":
        row = next((r for r in figures["rows"] if r.get("period") == year_label), None)
        if row is None or row.get("count") is None:
            raise AnalyticsError(f"No count for {year_label}")
        return calc.propose_volume(
            d, count=row["count"], rate=row["rate_per_1000"], period=year_label
        )
    if d.key == "trend":
        return calc.propose_trend(
            d,
            variation=figures["facts"].get("variation"),
            monthly=[r.get("count") for r in figures["rows"]],
        )
    facts = figures["facts"]
    return calc.propose_harm(
        d,
        harm_days=facts.get("harm_days") or 0.0,
        crime_count=facts.get("crime_count") or 0,
        period=year_label,
    )


@transaction.atomic
def proposals_make(*, issue: CandidateIssue, by: User) -> tuple[list[ScoreProposal], list[str]]:
    """Propose volume, trend and harm to individuals from the data for the issue's police.uk
    crime types: the latest complete financial year's records and rate, the SPC verdict of
    the latest months, and the average harm of a record. Each proposal cites its explorer
    view, frozen with the warehouse version it came from. A dimension the matrix does not
    have, or the data cannot answer, is skipped with the reason. Returns the proposals made
    and the reasons for those skipped."""
    from saferstat.intelligence import figures as bridge

    partnership = issue.partnership
    require(by, "assessment.manage", partnership)
    has_responses = ConsultationResponse.objects.filter(
        consultation__assessment=issue.assessment
    ).exists()
    if not issue.crime_types and not has_responses:
        raise ValidationError(
            {
                "crime_types": "Say which police.uk crime types the issue covers, or import "
                "the consultation's responses, first."
            }
        )
    matrix = issue.assessment.scoring
    keys = {d.key for d in matrix.dimensions}
    made, skipped = [], []
    year = None
    if issue.crime_types:
        year = bridge.default_financial_year(partnership) if bridge.warehouse_is_ready() else None
        if year is None:
            skipped.append("Volume, trend and harm: no police.uk data is loaded yet.")
    else:
        skipped.append("Volume, trend and harm: no police.uk crime types are named.")
    for key, query, title in _proposal_queries(issue, year) if year else []:
        if key not in keys:
            skipped.append(f"The matrix has no {key.replace('_', ' ')} dimension.")
            continue
        d = matrix.get(key)
        try:
            figures, version = frozen.compute_versioned(partnership, query)
            proposal = _propose(d, figures, year.label)
        except (AnalyticsError, ValidationError) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            skipped.append(f"{d.label}: {text}")
            continue
        view = FrozenView.objects.create(
            partnership=partnership,
            title=title,
            query=query,
            figures=figures,
            warehouse_version=version,
            frozen_at=timezone.now(),
        )
        evidence = Evidence.objects.create(
            issue=issue,
            kind=Evidence.Kind.DATA,
            title=title,
            frozen_view=view,
            note=proposal.reasoning,
            added_by=by,
        )
        made.append(
            _proposal_store(
                issue=issue,
                by=by,
                key=key,
                proposal=proposal,
                evidence=evidence,
                warehouse_version=version,
            )
        )
    if has_responses:
        try:
            made.append(concern_propose(issue=issue, by=by))
        except ValidationError as exc:
            skipped.extend(exc.messages)
    return made, skipped


def concern_themes_of(issue: CandidateIssue) -> list[str]:
    """The consultation themes that count as concern about the issue: those chosen, or a
    theme named as the issue."""
    return list(issue.concern_themes) or [issue.name]


def _concern_counts(assessment: Assessment) -> dict:
    """Every consultation's responses counted for every issue of the assessment (each
    respondent once per issue), as the evidence of a public concern proposal keeps them."""
    issues = list(assessment.issues.all())
    consultations = list(assessment.consultations.all())
    responses = ConsultationResponse.objects.filter(consultation__in=consultations).values(
        "concern_theme", "tags"
    )
    counts, n = calc.concern_raised(responses, {i.key: concern_themes_of(i) for i in issues})
    return {
        "responses": n,
        "raised": counts,
        "themes": {i.key: concern_themes_of(i) for i in issues},
        "names": {i.key: i.name for i in issues},
        "consultations": [
            {"id": c.pk, "title": c.title, "responses": c.responses.count()} for c in consultations
        ],
        "counted_at": timezone.now().isoformat(timespec="seconds"),
    }


@transaction.atomic
def concern_propose(
    *, issue: CandidateIssue, by: User, counts: dict | None = None
) -> ScoreProposal:
    """Propose the public concern dimension from the consultations' responses: the share of
    respondents who raised the issue (named it as their concern, or wrote free text tagged
    with one of its themes), against the issue raised most. The counts are kept, frozen,
    with the evidence the proposal cites; a scorer accepts or overrides it as any other."""
    partnership = issue.partnership
    require(by, "assessment.manage", partnership)
    matrix = issue.assessment.scoring
    key = "public_concern"
    if key not in {d.key for d in matrix.dimensions}:
        raise ValidationError({"form": "The matrix has no public concern dimension."})
    counts = counts or _concern_counts(issue.assessment)
    d = matrix.get(key)
    raised = counts["raised"].get(issue.key, 0)
    try:
        proposal = calc.propose_concern(
            d,
            raised=raised,
            responses=counts["responses"],
            most=max(counts["raised"].values(), default=0),
            themes=concern_themes_of(issue),
        )
    except AnalyticsError as exc:
        raise ValidationError({"form": f"{d.label}: {exc}"}) from None
    titles = ", ".join(c["title"] for c in counts["consultations"])
    evidence = Evidence.objects.create(
        issue=issue,
        kind=Evidence.Kind.CONSULTATION,
        title=f"{issue.name}: raised by {raised:,} of {counts['responses']:,} respondents "
        f"({titles})"[:200],
        figures=counts,
        note=proposal.reasoning,
        added_by=by,
    )
    return _proposal_store(
        issue=issue,
        by=by,
        key=key,
        proposal=proposal,
        evidence=evidence,
        raised=raised,
        responses=counts["responses"],
    )


def concern_propose_all(*, assessment: Assessment, by: User) -> list[ScoreProposal]:
    """Propose public concern for every candidate issue from the same counts."""
    require(by, "assessment.manage", assessment.partnership)
    if not ConsultationResponse.objects.filter(consultation__assessment=assessment).exists():
        raise ValidationError({"form": "No consultation responses to count yet."})
    counts = _concern_counts(assessment)
    return [concern_propose(issue=issue, by=by, counts=counts) for issue in assessment.issues.all()]


@transaction.atomic
def issue_concern_themes_set(
    *, issue: CandidateIssue, by: User, themes: list[str]
) -> CandidateIssue:
    """Say which consultation themes count as concern about the issue."""
    require(by, "assessment.manage", issue.partnership)
    return _fields_set(
        issue,
        by=by,
        verb="assessment.issue_concern_themes",
        partnership=issue.partnership,
        concern_themes=_themes(themes, "concern_themes", "Choose at most 50 themes."),
    )


# --- free text tagged by theme --------------------------------------------------------------


@transaction.atomic
def consultation_themes_set(
    *, consultation: Consultation, by: User, themes: list[str]
) -> Consultation:
    """Set the consultation's own list of themes (blank: the plan's themes). A theme some
    response is tagged with cannot be taken off the list."""
    partnership = consultation.assessment.partnership
    require(by, "assessment.free_text", partnership)
    chosen = _themes(themes, "themes", "Give at most 50 themes.")
    kept = set(chosen) or set(selectors.plan_themes(partnership))
    in_use = {
        tag
        for tags in consultation.responses.exclude(tags=[]).values_list("tags", flat=True)
        for tag in tags
    }
    dropped = sorted(in_use - kept)
    if dropped:
        raise ValidationError(
            {"themes": f"Responses are tagged {', '.join(dropped)}: untag them first."}
        )
    return _fields_set(
        consultation,
        by=by,
        verb="assessment.consultation_themes",
        partnership=partnership,
        themes=chosen,
    )


@transaction.atomic
def response_tag(
    *, response: ConsultationResponse, by: User, tags: list[str]
) -> ConsultationResponse:
    """Tag a response's free text with themes of its consultation. Audited with the tags
    only: the text is personal data and is never logged."""
    consultation = response.consultation
    partnership = consultation.assessment.partnership
    require(by, "assessment.free_text", partnership)
    if not response.free_text:
        raise ValidationError({"tags": "This response has no free text to tag."})
    known = selectors.themes_for(consultation)
    chosen = list(dict.fromkeys(t for t in tags if t))
    unknown = [t for t in chosen if t not in known]
    if unknown:
        raise ValidationError({"tags": f"Not a theme of this consultation: {unknown[0][:100]}"})
    before = {"tags": list(response.tags)}
    response.tags = [t for t in known if t in chosen]
    response.save(update_fields=["tags"])
    audit.record(
        actor=by,
        verb="assessment.response_tag",
        obj=response,
        partnership=partnership,
        before=before,
        after={"tags": response.tags},
    )
    return response


# --- the assessment document ----------------------------------------------------------------


def sections_of(assessment: Assessment) -> list[DocumentSection]:
    """The document's sections in order, made on first use (a read: no audit needed)."""
    existing = {s.key: s for s in assessment.sections.all()}
    out = []
    for key in DocumentSection.Key.values:
        if key not in existing:
            existing[key], _ = DocumentSection.objects.get_or_create(assessment=assessment, key=key)
        out.append(existing[key])
    return out


def _refuse_if_signed(assessment: Assessment) -> None:
    if assessment.is_signed_off:
        raise ValidationError({"form": "The document is signed off: it is frozen."})


@transaction.atomic
def section_text_set(*, assessment: Assessment, by: User, key: str, text: str) -> DocumentSection:
    require(by, "assessment.manage", assessment.partnership)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _refuse_if_signed(assessment)
    if key not in DocumentSection.Key.values:
        raise ValidationError({"section": "Choose a section of the document."})
    section = next(s for s in sections_of(assessment) if s.key == key)
    return _fields_set(
        section,
        by=by,
        verb="assessment.section_text",
        partnership=assessment.partnership,
        text=clean_plain(text)[:20000],
    )


@transaction.atomic
def view_embed(*, assessment: Assessment, by: User, key: str, title: str, query: str) -> FrozenView:
    """Embed an explorer view (its address or query string) in a section of the document.
    It shows today's figures until the document is signed off, then its frozen ones."""
    partnership = assessment.partnership
    require(by, "assessment.manage", partnership)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _refuse_if_signed(assessment)
    if key not in DocumentSection.Key.values:
        raise ValidationError({"section": "Choose a section of the document."})
    query = frozen.clean_query(query)
    if not query:
        raise ValidationError({"query": "Paste the address of an explorer view."})
    refused = frozen.query_errors(partnership, query)
    if refused:
        raise ValidationError({"query": refused})
    section = next(s for s in sections_of(assessment) if s.key == key)
    view = FrozenView.objects.create(
        partnership=partnership,
        section=section,
        title=_required(title, "title", "Give the view a title."),
        query=query,
    )
    audit.record(
        actor=by,
        verb="assessment.view_embed",
        obj=view,
        partnership=partnership,
        after=audit.snapshot(view, ["section", "title", "query"]),
    )
    return view


@transaction.atomic
def view_remove(*, view: FrozenView, by: User) -> None:
    assessment = view.section.assessment
    require(by, "assessment.manage", assessment.partnership)
    _refuse_if_signed(Assessment.objects.select_for_update().get(pk=assessment.pk))
    audit.record(
        actor=by,
        verb="assessment.view_remove",
        obj=view,
        partnership=assessment.partnership,
        before=audit.snapshot(view, ["section", "title", "query"]),
    )
    view.delete()


@transaction.atomic
def sign_off(*, assessment: Assessment, by: User) -> Assessment:
    """Sign the document off: every embedded view is computed now by the explorer and
    stored with the warehouse version it came from, so the signed document never changes
    when data is loaded later. A view the data cannot answer refuses the sign-off."""
    partnership = assessment.partnership
    require(by, "assessment.sign_off", partnership)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _refuse_if_signed(assessment)
    views = list(FrozenView.objects.filter(section__assessment=assessment))
    errors = []
    now = timezone.now()
    for view in views:
        try:
            view.figures, view.warehouse_version = frozen.compute_versioned(partnership, view.query)
        except ValidationError as exc:
            errors.append(f"{view.title}: {'; '.join(exc.messages)}")
        except AnalyticsError as exc:
            errors.append(f"{view.title}: {exc}")
        view.frozen_at = now
    if errors:
        raise ValidationError({"form": errors})
    for view in views:
        view.save(update_fields=["figures", "warehouse_version", "frozen_at"])
    assessment.signed_off_at, assessment.signed_off_by = now, by
    assessment.save(update_fields=["signed_off_at", "signed_off_by"])
    audit.record(
        actor=by,
        verb="assessment.sign_off",
        obj=assessment,
        partnership=partnership,
        before={"signed_off_at": None},
        after={
            "signed_off_at": now.isoformat(),
            "views": {v.pk: v.warehouse_version for v in views},
        },
    )
    return assessment


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
    *,
    consultation: Consultation,
    by: User,
    areas: list[str],
    themes: list[str],
    text: str | None = None,
    path=None,
    name: str = "",
) -> int:
    """Add the respondents of a survey export: CSV text, or a CSV or XLSX file at ``path``
    (``name`` is its name as the user knows it; it is read as partner files are, by
    `analytics.partner.files.read_table`). Every bad row is reported by file, line and
    column, and nothing is stored until the file is clean. Returns how many were added."""
    partnership = consultation.assessment.partnership
    require(by, "assessment.manage", partnership)
    if path is None:
        parsed = calc.parse_responses(text or "", areas=areas, themes=themes, source=name)
    else:
        from saferstat.analytics.importing import FileValidationError
        from saferstat.analytics.partner.files import read_table

        try:
            table = read_table(path, name=name or None)
        except FileValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
        if table.issues:
            raise ValidationError({"file": [str(i) for i in table.issues]})
        parsed = calc.check_responses(
            table.header, table.rows, areas=areas, themes=themes, source=table.name
        )
    if parsed.errors:
        raise ValidationError({"file": parsed.errors})
    for row in parsed.rows:
        if "free_text" in row:
            row["free_text"] = clean_plain(row["free_text"])
    ConsultationResponse.objects.bulk_create(
        ConsultationResponse(consultation=consultation, **row) for row in parsed.rows
    )
    audit.record(  # counts only: the free text is personal data and is never logged
        actor=by,
        verb="assessment.responses_import",
        obj=consultation,
        partnership=partnership,
        after={
            "responses_added": len(parsed.rows),
            "with_free_text": sum(1 for r in parsed.rows if r.get("free_text")),
            "total": consultation.responses.count(),
        },
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
