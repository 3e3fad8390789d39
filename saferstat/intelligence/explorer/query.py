"""The crime and data explorer: one page, every view at a stable URL.

The query string is the whole state (source, crime types, view, period, polarity,
comparators), so a view can be bookmarked, attached to a members' data request and reopened
later with the figures recomputed from the same rows. No figure is computed here: each view
asks `saferstat.analytics` and gets back a figure (chart spec + data table) and notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.http import QueryDict

from saferstat.analytics import figures as analytic_figures
from saferstat.analytics import hotspots, labels, maps, partner
from saferstat.analytics.errors import QueryError
from saferstat.analytics.partner_spc import before_start_note, dataset_start
from saferstat.analytics.periods import Period, latest_unbroken_run
from saferstat.analytics.query import VIEW_ANALYSIS, AnalysisQuery, parse_form, view_querystring
from saferstat.analytics.runner import DatasetEmpty
from saferstat.core.models import Partnership

from .. import figures
from ..datasets.models import PartnerDataset

POLICE = "police"
VIEWS = {
    "trend": "Trend with statistical process control (SPC)",
    "wards": "Wards: map and table",
    "compare": "Comparison with other areas",
    "harm": "Harm estimate",
    "periods": "Counts and changes by quarter, year or rolling 12 months",
}
PERIOD_KINDS = {
    "quarter": "Quarters",
    "financial_year": "Financial years",
    "rolling12": "Rolling 12 months",
    "month": "Months",
}
PARTNER_VIEWS = {
    "trend": "Trend with statistical process control (SPC)",
    "wards": "Wards: map and table",
}
POLARITIES = {
    "decrease": "Lower is better",
    "increase": "Higher is better",
    "neutral": "Neither",
}
FUNNEL_FROM_AREAS = 6
#: The form's fields the analysis query is read from (others in the address are ignored).
FIELDS = ("period", "from", "to", "crime_type", "compare", "kind", "polarity")


@dataclass
class Query:
    """What the explorer was asked for: the source and view it shows, the analysis query
    (:class:`saferstat.analytics.query.AnalysisQuery`, parsed by the one parser), and the
    form's refusals (`errors`: a field -> its message; `typed`: a refused text as typed)."""

    source: str = POLICE
    view: str = "trend"
    analysis: AnalysisQuery | None = None
    errors: dict[str, str] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)

    # The form's fields, read from the analysis query.
    @property
    def crime_types(self) -> list[str]:
        return list(self.analysis.crime_types or ())

    @property
    def start(self) -> str:
        return self.analysis.start

    @property
    def end(self) -> str:
        return self.analysis.end

    @property
    def period(self) -> Period | None:
        return self.analysis.period

    @property
    def polarity(self) -> str:
        return self.analysis.polarity

    @property
    def kind(self) -> str:
        return self.analysis.kind

    @property
    def compare_with(self) -> list[str]:
        return list(self.analysis.compare_with or ())

    def querystring(self) -> str:
        """The canonical query string of this view (stable parameter order)."""
        return view_querystring(self.source, self.view, self.analysis)


@dataclass
class Result:
    """What a view shows: a heading, verdicts, an optional chart, a table, notes."""

    title: str
    verdicts: list[str] = field(default_factory=list)
    figure: analytic_figures.Figure | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Headline facts for other apps (the assessment's proposed scores): the SPC variation
    #: icon of a trend, the harm estimate's total and rate. Not shown on the page.
    facts: dict = field(default_factory=dict)


def _latest_months(partnership: Partnership) -> tuple[str, str]:
    """The latest complete range: up to 36 months, never starting with months of no data."""
    return latest_unbroken_run(figures.loaded_months(partnership), 36)


def parse_query(
    params: QueryDict, partnership: Partnership, datasets: list[PartnerDataset]
) -> Query:
    """Read and check the query string; unknown values become errors, not exceptions.

    The source and the view are the explorer's own; everything else is read by the one
    parser (:func:`saferstat.analytics.query.parse_form`), as the API and the CLI read it."""
    q = Query()
    by_slug = {d.slug: d for d in datasets}
    q.source = params.get("source") or POLICE
    if q.source != POLICE and q.source not in by_slug:
        q.errors["source"] = "Choose police.uk crime or one of the partnership's datasets."
        q.source = POLICE
    views = VIEWS if q.source == POLICE else PARTNER_VIEWS
    q.view = params.get("view") or "trend"
    if q.view not in views:
        q.errors["view"] = "Choose one of the views listed."
        q.view = "trend"
    dataset = by_slug.get(q.source)
    police = dataset is None
    default_period = None
    if police and q.view not in ("trend", "periods") and figures.warehouse_is_ready():
        default_period = figures.default_financial_year(partnership)
    q.analysis, errors, q.typed = parse_form(
        {name: params.getlist(name) for name in FIELDS if name in params},
        analysis=VIEW_ANALYSIS[q.view],
        **figures.partnership_scope(partnership),
        dataset=None if police else partner.dataset_name(partnership.slug, dataset.slug),
        dataset_label="" if police else dataset.name,
        default_period=default_period,
        default_months=_latest_months(partnership),
    )
    q.errors.update(errors)
    return q


def error_field(q: Query) -> str:
    """The form field an analysis error is about (the error summary links to it)."""
    if q.view == "compare" and q.compare_with:
        return "compare"
    return "from" if q.view in ("trend", "periods") else "period"


def _boundaries(level: str) -> Path:
    folder = Path(settings.SAFERSTAT_BOUNDARIES_DIR)
    name = (
        "south_yorkshire_E47000002_wards.geojson"
        if level == "ward"
        else "south_yorkshire_E47000002_lsoa21.geojson"
    )
    return folder / name


def build(q: Query, partnership: Partnership, datasets: list[PartnerDataset]) -> Result:
    """Run the analysis the query asks for (the one runner, as the API and the CLI do)."""
    if q.source != POLICE:
        dataset = next(d for d in datasets if d.slug == q.source)
        return _partner(q, partnership, dataset)
    answer = figures.run(q.analysis)
    if q.view == "trend":
        return _spc_result(answer, [])
    if q.view == "periods":
        rows = answer.table()
        incomplete = [r["period"] for r in rows if not r["is_complete"]]
        warnings = (
            [
                f"Incomplete periods (months missing, shown as gaps, never as zero): {', '.join(incomplete)}."
            ]
            if incomplete
            else []
        )
        title = f"{answer.label}, {answer.area_name}: {PERIOD_KINDS[q.kind].lower()} from {q.start} to {q.end}"
        columns = list(rows[0]) if rows else []
        return Result(title, [], None, columns, rows, _once(answer.notes), warnings)
    if q.view == "wards":
        return _wards_result(answer, [])
    if q.view == "compare":
        comparison = answer
        # Many areas read better as a funnel plot (95% and 99.8% limits around the group rate).
        many = len(comparison.areas) > FUNNEL_FROM_AREAS
        fig = (analytic_figures.funnel_chart if many else analytic_figures.comparison_chart)(
            comparison
        )
        focus = comparison.focus
        verdicts = [
            f"{focus.name}: {focus.rate_per_1000:.2f} per 1,000 residents, "
            f"{COMPARED[str(focus.significance)]} the group rate of "
            f"{comparison.group_rate_per_1000:.2f} (95% confidence interval, {focus.method}: "
            f"{focus.lower:.2f} to {focus.upper:.2f})."
        ]
        return Result(
            fig.title,
            verdicts,
            fig,
            list(fig.columns),
            list(fig.rows),
            _once([*comparison.notes, *fig.notes]),
            _missing(comparison.missing_months),
        )
    fig = analytic_figures.harm_chart(answer)
    facts = {
        "harm_days": answer.total_days,
        "harm_per_1000": answer.per_1000,
        "crime_count": answer.crime_count,
        "period": answer.period.label if answer.period else None,
    }
    return Result(
        fig.title, [], fig, list(fig.columns), list(fig.rows), _once(fig.notes), [], facts
    )


def _wards_result(spots: hotspots.Hotspots, notes: list[str]) -> Result:
    """The wards view: the rate map, its verdict, the hotspot table, a warning for gaps."""
    fig = maps.hotspot_map(spots, _boundaries("ward"))
    verdicts = [
        f"{len(spots.above)} ward(s) significantly above the {spots.area_name} rate, "
        f"{len(spots.below)} significantly below (95% intervals: exact Poisson below 10 records, "
        "Byar's approximation from 10)."
    ]
    return Result(
        fig.title,
        verdicts,
        fig,
        list(fig.columns),
        list(fig.rows),
        _once([*notes, *fig.notes]),
        _missing(spots.missing_months),
    )


#: The comparison verdict's words for `compare.AreaRate.significance`.
COMPARED = {
    "above": "significantly above",
    "below": "significantly below",
    "similar": "not significantly different from",
}


def _once(notes) -> list[str]:
    """Method notes in order, each once (a figure often repeats its analysis's notes)."""
    return list(dict.fromkeys(notes))


def _missing(months) -> list[str]:
    if not months:
        return []
    return [
        f"Incomplete period: no data for {len(months)} month(s) ({', '.join(months)}); shown as gaps, not zeros."
    ]


def _spc_result(series, notes: list[str]) -> Result:
    """The trend view: the SPC chart, its verdict, its table, and a warning for gaps."""
    fig = analytic_figures.spc_chart(series)
    warnings = list(series.warnings)
    if series.missing_months:
        warnings.append(
            f"No data for {len(series.missing_months)} period(s) in this range: shown as gaps, "
            "never as zero; the SPC verdict uses the latest unbroken run."
        )
    icon = series.variation_icon
    return Result(
        fig.title,
        [_spc_verdict(series)],
        fig,
        list(fig.columns),
        list(fig.rows),
        _once([*notes, *fig.notes]),
        warnings,
        {"variation": str(icon) if icon is not None else None},
    )


def _spc_verdict(series) -> str:
    """The statistical process control verdict in words, with what it means."""
    if series.latest is None:
        return "Not enough data for a statistical process control (SPC) chart."
    icon = str(series.variation_icon)
    text = f"SPC verdict for the latest run of months: {labels.value(icon).lower()}."
    if icon in labels.MEANINGS:
        text += f" {labels.MEANINGS[icon]}"
    if series.assurance_icon is not None:
        assurance = str(series.assurance_icon)
        text += f" Against the target: {labels.value(assurance).lower()}."
    return text


def _partner(q: Query, partnership: Partnership, dataset: PartnerDataset) -> Result:
    notes = ["Demo data: invented values."] if dataset.is_demo else []
    if dataset.description:
        notes.append(f"{dataset.name}: {dataset.description}")
    title = f"{dataset.name}, {partnership.name}"
    if q.view == "trend":
        with figures.connect_for(partnership) as con:
            first = dataset_start(con, q.analysis.dataset)
        if first and q.start < first <= q.end:
            notes.append(before_start_note(dataset.name, first))
    try:
        answer = figures.run(q.analysis)
    except DatasetEmpty:
        return Result(title, [], None, [], [], notes, ["No data is loaded for this dataset yet."])
    except QueryError as exc:
        return Result(title, [], None, [], [], notes, [str(exc)])
    if q.view == "trend":
        return _spc_result(answer, notes)
    return _wards_result(answer, notes)
