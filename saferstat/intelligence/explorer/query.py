"""The crime and data explorer: one page, every view at a stable URL.

The query string is the whole state (source, crime types, view, period, polarity,
comparators), so a view can be bookmarked, attached to a members' data request and reopened
later with the figures recomputed from the same rows. No figure is computed here: each view
asks `saferstat.analytics` and gets back a figure (chart spec + data table) and notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict

from saferstat.analytics import compare, harm, hotspots, labels, maps, partner
from saferstat.analytics import figures as analytic_figures
from saferstat.analytics.partner_spc import before_start_note, dataset_start, partner_spc_series
from saferstat.analytics.periods import (
    Period,
    PeriodError,
    latest_unbroken_run,
    parse_month_range,
    parse_period,
)
from saferstat.analytics.policeuk import CRIME_TYPES
from saferstat.analytics.series import time_series
from saferstat.analytics.spc import Polarity
from saferstat.analytics.spc_series import spc_series
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
LAD = re.compile(r"[EW]0[6-9][0-9]{6}")


@dataclass
class Query:
    """What the explorer was asked for, validated; `errors` maps a field to its message."""

    source: str = POLICE
    crime_types: list[str] = field(default_factory=list)
    view: str = "trend"
    start: str = ""
    end: str = ""
    period: Period | None = None
    polarity: str = "decrease"
    kind: str = "quarter"
    compare_with: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    #: What the user typed in a text field whose value was refused, shown back in the field.
    typed: dict[str, str] = field(default_factory=dict)

    def querystring(self) -> str:
        """The canonical query string of this view (stable parameter order)."""
        params: list[tuple[str, str]] = [("source", self.source), ("view", self.view)]
        params += [("crime_type", c) for c in self.crime_types]
        if self.view == "trend":
            params += [("from", self.start), ("to", self.end), ("polarity", self.polarity)]
        elif self.view == "periods":
            params += [("from", self.start), ("to", self.end), ("kind", self.kind)]
        elif self.period is not None:
            params.append(("period", self.period.label))
        if self.view == "compare" and self.compare_with:
            params.append(("compare", ",".join(self.compare_with)))
        return urlencode(params)


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
    """Read and check the query string; unknown values become errors, not exceptions."""
    q = Query()
    slugs = {d.slug for d in datasets}
    q.source = params.get("source") or POLICE
    if q.source != POLICE and q.source not in slugs:
        q.errors["source"] = "Choose police.uk crime or one of the partnership's datasets."
        q.source = POLICE
    views = VIEWS if q.source == POLICE else PARTNER_VIEWS
    q.view = params.get("view") or "trend"
    if q.view not in views:
        q.errors["view"] = "Choose one of the views listed."
        q.view = "trend"
    q.crime_types = [c for c in params.getlist("crime_type") if c]
    unknown = [c for c in q.crime_types if c not in CRIME_TYPES]
    if unknown or (q.crime_types and q.source != POLICE):
        q.errors["crime_type"] = "Choose crime types from the police.uk list."
        q.crime_types = [c for c in q.crime_types if c in CRIME_TYPES] if q.source == POLICE else []
    default_start, default_end = _latest_months(partnership)
    q.start = params.get("from") or default_start
    q.end = params.get("to") or default_end
    if q.view in ("trend", "periods"):
        try:
            q.start, q.end = parse_month_range(q.start, q.end)
        except PeriodError as exc:
            q.errors["from"] = (
                str(exc) if q.start and q.end else "Enter months as YYYY-MM, for example 2024-04."
            )
    text = params.get("period")
    if text:
        try:
            q.period = parse_period(text)
        except PeriodError as exc:
            q.errors["period"] = str(exc)
            q.typed["period"] = text
    if q.period is None and q.view not in ("trend", "periods") and q.source == POLICE:
        q.period = (
            figures.default_financial_year(partnership) if figures.warehouse_is_ready() else None
        )
        if q.period is None:
            q.errors.setdefault("period", "No data is loaded yet.")
    q.kind = params.get("kind") or "quarter"
    if q.kind not in PERIOD_KINDS:
        q.errors["kind"] = "Choose quarters, financial years, rolling 12 months or months."
        q.kind = "quarter"
    q.polarity = params.get("polarity") or "decrease"
    if q.polarity not in POLARITIES:
        q.errors["polarity"] = "Choose whether higher or lower is better."
        q.polarity = "decrease"
    codes = [
        c.strip().upper()
        for c in (params.get("compare") or "").replace(" ", ",").split(",")
        if c.strip()
    ]
    if any(not LAD.fullmatch(c) for c in codes):
        q.errors["compare"] = "Enter local authority codes such as E08000038, separated by commas."
        q.typed["compare"] = params.get("compare") or ""
        codes = [c for c in codes if LAD.fullmatch(c)]
    q.compare_with = codes[:50]
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
    """Run the analysis the query asks for."""
    codes = partnership.lad_codes
    forces = [partnership.force_slug]
    with figures.connect_for(partnership) as con:
        if q.source != POLICE:
            dataset = next(d for d in datasets if d.slug == q.source)
            return _partner(con, q, partnership, dataset)
        if q.view == "trend":
            series = spc_series(
                con,
                area_codes=codes,
                start=q.start,
                end=q.end,
                crime_types=q.crime_types or None,
                polarity=Polarity(q.polarity),
                force_slugs=forces,
            )
            return _spc_result(series, [])
        if q.view == "periods":
            ts = time_series(
                con,
                area_codes=codes,
                start=q.start,
                end=q.end,
                kind=q.kind,
                crime_types=q.crime_types or None,
                force_slugs=forces,
            )
            rows = ts.table()
            incomplete = [r["period"] for r in rows if not r["is_complete"]]
            warnings = (
                [
                    f"Incomplete periods (months missing, shown as gaps, never as zero): {', '.join(incomplete)}."
                ]
                if incomplete
                else []
            )
            title = f"{ts.label}, {ts.area_name}: {PERIOD_KINDS[q.kind].lower()} from {q.start} to {q.end}"
            columns = list(rows[0]) if rows else []
            return Result(title, [], None, columns, rows, _once(ts.notes), warnings)
        if q.view == "wards":
            spots = hotspots.hotspots(
                con,
                area_codes=codes,
                period=q.period,
                level="ward",
                rank_by="rate",
                crime_types=q.crime_types or None,
                force_slugs=forces,
            )
            return _wards_result(spots, [])
        if q.view == "compare":
            comparison = compare.compare_areas(
                con,
                area_code=codes[0],
                period=q.period,
                with_codes=q.compare_with or None,
                crime_types=q.crime_types or None,
                force_slugs=forces,
            )
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
        estimate = harm.harm(
            con,
            area_codes=codes,
            period=q.period,
            crime_types=q.crime_types or None,
            force_slugs=forces,
        )
        fig = analytic_figures.harm_chart(estimate)
        facts = {
            "harm_days": estimate.total_days,
            "harm_per_1000": estimate.per_1000,
            "crime_count": estimate.crime_count,
            "period": estimate.period.label if estimate.period else None,
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


def _partner(con, q: Query, partnership: Partnership, dataset: PartnerDataset) -> Result:
    name = partner.dataset_name(partnership.slug, dataset.slug)
    notes = ["Demo data: invented values."] if dataset.is_demo else []
    if dataset.description:
        notes.append(f"{dataset.name}: {dataset.description}")
    if q.view == "trend":
        first = dataset_start(con, name)
        if first and q.start < first <= q.end:
            notes.append(before_start_note(dataset.name, first))
        try:
            series = partner_spc_series(
                con,
                dataset=name,
                label=dataset.name,
                area_codes=partnership.lad_codes,
                start=q.start,
                end=q.end,
                polarity=q.polarity,
            )
        except ValueError as exc:
            return Result(
                f"{dataset.name}, {partnership.name}", [], None, [], [], notes, [str(exc)]
            )
        return _spc_result(series, notes)
    period = q.period or partner.latest_year(partner.loaded_periods(con, name))
    if period is None:
        return Result(
            f"{dataset.name}, {partnership.name}",
            [],
            None,
            [],
            [],
            notes,
            ["No data is loaded for this dataset yet."],
        )
    try:
        spots = hotspots.partner_hotspots(
            con,
            dataset=name,
            label=dataset.name,
            area_codes=partnership.lad_codes,
            period=period,
            level="ward",
            rank_by="rate",
        )
    except ValueError as exc:
        return Result(f"{dataset.name}, {partnership.name}", [], None, [], [], notes, [str(exc)])
    return _wards_result(spots, notes)
