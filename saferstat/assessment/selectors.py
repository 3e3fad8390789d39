"""Reads of the strategic assessment. Every selector takes the partnership it reads for, so
another partnership's ids answer "not found"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from saferstat.analytics import assessment as calc
from saferstat.analytics.errors import AnalyticsError
from saferstat.core.models import Partnership

from .models import (
    Assessment,
    CandidateIssue,
    Consultation,
    ConsultationResponse,
    DocumentSection,
    FrozenView,
    PlanRefresh,
    ScoreSheet,
    TensionReport,
)


def _get(queryset, **kwargs):
    try:
        return queryset.get(**kwargs)
    except (queryset.model.DoesNotExist, ValueError, OverflowError):
        raise Http404("Not found") from None


def assessment_list(*, partnership: Partnership) -> list[Assessment]:
    return list(Assessment.objects.filter(partnership=partnership))


def assessment_get(*, partnership: Partnership, pk: int) -> Assessment:
    return _get(Assessment.objects.filter(partnership=partnership), pk=pk)


def issue_get(*, assessment: Assessment, pk: int) -> CandidateIssue:
    return _get(
        CandidateIssue.objects.filter(assessment=assessment).select_related("assessment"), pk=pk
    )


def submitted_sheets(issue: CandidateIssue) -> list[ScoreSheet]:
    """Submitted sheets on the assessment's current matrix."""
    return list(
        issue.sheets.filter(
            submitted_at__isnull=False, matrix_version=issue.assessment.matrix_version
        ).select_related("scorer")
    )


def earlier_sheets(issue: CandidateIssue) -> list[ScoreSheet]:
    """Submitted sheets scored on an earlier version of the matrix (kept, not ranked)."""
    return list(
        issue.sheets.filter(submitted_at__isnull=False)
        .exclude(matrix_version=issue.assessment.matrix_version)
        .select_related("scorer")
    )


@dataclass
class RankedIssue:
    issue: CandidateIssue
    ranked: calc.Ranked | None


def ranking(assessment: Assessment) -> list[RankedIssue]:
    """Every candidate issue: the scored ones in rank order (submitted sheets on the current
    matrix only), then those not scored yet."""
    matrix = assessment.scoring
    current = assessment.matrix_version
    issues = list(assessment.issues.prefetch_related("sheets"))
    sheets = {
        i.key: [
            s.values
            for s in i.sheets.all()
            if s.submitted_at is not None and s.matrix_version == current
        ]
        for i in issues
    }
    by_key = {r.key: r for r in calc.rank(sheets, matrix)}
    scored = sorted((i for i in issues if i.key in by_key), key=lambda i: by_key[i.key].rank)
    return [RankedIssue(i, by_key[i.key]) for i in scored] + [
        RankedIssue(i, None) for i in issues if i.key not in by_key
    ]


def consultation_get(*, partnership: Partnership, pk: int) -> Consultation:
    return _get(
        Consultation.objects.filter(assessment__partnership=partnership).select_related(
            "assessment"
        ),
        pk=pk,
    )


def census_file():
    return settings.SAFERSTAT_DEMO_DATA / "census" / "census2021_south_yorkshire.csv"


@dataclass
class Coverage:
    dimension: str
    label: str
    rows: list[calc.CoverageRow]
    unanswered: int
    message: str = ""


def coverage(consultation: Consultation) -> tuple[list[Coverage], str]:
    """Each question's coverage against the partnership's Census 2021 population, or a
    message saying why there is none."""
    partnership = consultation.assessment.partnership
    try:
        population = calc.census_population(census_file(), partnership.lad_codes)
    except AnalyticsError as exc:
        return [], str(exc)
    responses = list(consultation.responses.values(*calc.COVERAGE_GROUPS))
    out = []
    for dim, label in calc.DIMENSION_LABELS.items():
        counts = calc.counts_by(responses, dim)
        unanswered = len(responses) - sum(counts.values())
        try:
            rows = calc.coverage(
                counts,
                population.get(dim, {}),
                dimension=dim,
                margin=consultation.margin_points / 100,
            )
        except AnalyticsError as exc:
            out.append(Coverage(dim, label, [], unanswered, str(exc)))
        else:
            out.append(Coverage(dim, label, rows, unanswered))
    return out, ""


def plan_themes(partnership: Partnership) -> list[str]:
    """The names of the themes of the partnership's current plan."""
    from saferstat.plan.selectors import plan_current

    plan = plan_current(partnership=partnership)
    return [t.name for t in plan.themes.all()] if plan else []


def themes_for(consultation: Consultation) -> list[str]:
    """The themes free-text answers are tagged with: the consultation's own list, else the
    themes of the partnership's current plan."""
    return list(consultation.themes) or plan_themes(consultation.assessment.partnership)


def theme_counts(consultation: Consultation) -> list[tuple[str, int]]:
    """How many responses' free text is tagged with each theme (every theme of the
    consultation, 0 when none), most first: counts, not text, so every member sees them."""
    counts = dict.fromkeys(themes_for(consultation), 0)
    for tags in consultation.responses.exclude(tags=[]).values_list("tags", flat=True):
        for tag in tags:
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def response_get(*, consultation: Consultation, pk: int):
    return _get(consultation.responses.all(), pk=pk)


def assessment_themes(assessment: Assessment, also=()) -> list[str]:
    """Every theme a response to the assessment's consultations can name or be tagged with,
    and its issues' names (the themes public concern can count)."""
    names = [i.name for i in assessment.issues.all()]
    for consultation in assessment.consultations.all():
        names += themes_for(consultation)
    names += list(
        ConsultationResponse.objects.filter(consultation__assessment=assessment)
        .exclude(concern_theme="")
        .values_list("concern_theme", flat=True)
        .distinct()
    )
    return sorted(dict.fromkeys([*names, *also]), key=str.lower)


def free_text_responses(consultation: Consultation, *, untagged: bool = False):
    """The responses with free text (for `assessment.free_text` roles only), oldest first."""
    rows = consultation.responses.exclude(free_text="")
    return rows.filter(tags=[]) if untagged else rows


#: Groups headline figures may be weighted on, and those weighted on unless chosen.
WEIGHT_BY_DEFAULT = ("age", "sex")


@dataclass
class Reweighted:
    dimensions: tuple[str, ...]
    weighting: calc.Weighting | None
    rows: list[calc.HeadlineRow]
    answered: int
    n_eff: float
    message: str = ""

    @property
    def labels(self) -> list[str]:
        return [calc.DIMENSION_LABELS[d] for d in self.dimensions]

    @property
    def missing(self) -> list[tuple[str, tuple[str, ...]]]:
        if not self.weighting:
            return []
        return [
            (calc.DIMENSION_LABELS[d], groups)
            for d, groups in self.weighting.missing.items()
            if groups
        ]


def reweighted(consultation: Consultation, dimensions=WEIGHT_BY_DEFAULT) -> Reweighted:
    """The headline question (each respondent's concern) with the shares reweighted to the
    partnership's Census 2021 population on ``dimensions`` (raking; post-stratification on
    one), or a message saying why it cannot be."""
    dims = tuple(d for d in calc.COVERAGE_GROUPS if d in set(dimensions)) or WEIGHT_BY_DEFAULT
    partnership = consultation.assessment.partnership
    try:
        population = calc.census_population(census_file(), partnership.lad_codes)
        responses = list(consultation.responses.values(*calc.COVERAGE_GROUPS, "concern_theme"))
        weighting = calc.rake(responses, population, dims)
        rows, answered, n_eff = calc.headline([r["concern_theme"] for r in responses], weighting)
    except AnalyticsError as exc:
        return Reweighted(dims, None, [], 0, 0.0, str(exc))
    return Reweighted(dims, weighting, rows, answered, n_eff)


def ward_names(partnership: Partnership) -> list[str]:
    """The partnership's ward names (from the warehouse's reference tables); none when no
    reference data is loaded."""
    from saferstat.analytics import measures, warehouse
    from saferstat.intelligence import figures

    try:
        with warehouse.connect(figures.warehouse_root()) as con:
            return sorted(
                name for _c, name, _p in measures.ward_populations(con, partnership.lad_codes)
            )
    except Exception:  # no warehouse or no reference tables yet: no wards to check against
        return []


def tension_list(*, partnership: Partnership) -> list[TensionReport]:
    return list(TensionReport.objects.filter(partnership=partnership).prefetch_related("actions"))


def tension_get(*, partnership: Partnership, pk: int) -> TensionReport:
    return _get(TensionReport.objects.filter(partnership=partnership), pk=pk)


def tension_summary(*, partnership: Partnership, weeks: int = 12, today: dt.date | None = None):
    """Reports per week by level over the last ``weeks`` weeks: no area, community, source
    or text (what scrutiny members and leads see)."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(weeks=weeks - 1)
    reports = TensionReport.objects.filter(partnership=partnership, reported_on__gte=start)
    return calc.tension_trend(reports.values_list("reported_on", "level"), start=start, end=today)


def refresh_get(*, assessment: Assessment, pk: int) -> PlanRefresh:
    return _get(
        PlanRefresh.objects.filter(assessment=assessment).select_related(
            "plan", "proposed_by", "reviewed_by"
        ),
        pk=pk,
    )


# --- the assessment document ----------------------------------------------------------------


@dataclass
class ShownView:
    view: FrozenView
    figures: dict | None  # frozen, or today's for a draft
    message: str  # why there are no figures
    as_now: str  # the explorer address of the view as asked, with today's data
    as_frozen: str  # the explorer address of the exact months frozen


@dataclass
class ShownSection:
    key: str
    title: str
    text: str
    views: list[ShownView]


def document(assessment: Assessment, *, compute: bool = True) -> list[ShownSection]:
    """The document's sections in order, each with its views' figures: frozen once signed
    off, today's before (``compute=False`` leaves a draft's figures out)."""
    from . import frozen

    slug = assessment.partnership.slug
    stored = {
        s.key: s
        for s in DocumentSection.objects.filter(assessment=assessment).prefetch_related("views")
    }
    out = []
    for key, title in DocumentSection.Key.choices:
        section = stored.get(key)
        shown = []
        for view in section.views.all() if section else []:
            view.partnership = assessment.partnership
            if view.figures is not None or compute:
                figures, message = frozen.figures_of(view)
            else:
                figures, message = None, ""
            shown.append(
                ShownView(
                    view,
                    figures,
                    message,
                    frozen.explorer_url(slug, view.query),
                    frozen.explorer_url(slug, figures["resolved_query"]) if figures else "",
                )
            )
        out.append(ShownSection(key, title, section.text if section else "", shown))
    return out


def document_view_get(*, assessment: Assessment, pk: int) -> FrozenView:
    return _get(
        FrozenView.objects.filter(section__assessment=assessment).select_related("partnership"),
        pk=pk,
    )


def priority_rows(ranking_rows: list[RankedIssue]) -> list[dict]:
    """The priority matrix's points: each scored issue's rank, risk and capacity gap."""
    return [
        {
            "rank": r.ranked.rank,
            "issue": r.issue.name,
            "risk": round(r.ranked.risk, 2),
            "capacity_gap": round(r.ranked.capacity, 2),
            "median_total": round(r.ranked.totals.median, 2),
        }
        for r in ranking_rows
        if r.ranked
    ]


def matrix_limits(matrix: calc.Matrix) -> tuple[float, float]:
    """The top of the risk and capacity axes (every dimension at the top of its scale)."""
    top = calc.score({d.key: d.high for d in matrix.dimensions}, matrix)
    return top.risk, top.capacity
