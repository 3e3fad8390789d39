"""The bridge from the web app to `saferstat.analytics`: opens the warehouse and asks it.

No figure is computed here; this module only chooses the partnership's area codes, the
period, and caches answers until the warehouse changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from saferstat.analytics import charts, measures, runner, warehouse
from saferstat.analytics import wards as analytic_wards
from saferstat.analytics.periods import Period, financial_year_of, parse_period
from saferstat.analytics.policeuk import UnpackLimits
from saferstat.analytics.query import AnalysisQuery, parse_query
from saferstat.core.models import Partnership


def warehouse_root() -> Path:
    return _root()


def _root() -> Path:
    return Path(settings.SAFERSTAT_WAREHOUSE)


def cached(key: tuple, compute):
    """``compute()`` kept until the warehouse changes (the runner's cache, bounded, in each
    process), for figures computed from it here and in other apps (the Board dashboard's).
    ``key`` must hold everything else the figures depend on."""
    return runner.cached(_root(), key, compute)


def analysis_query(
    partnership: Partnership,
    analysis: str,
    params: Mapping[str, object],
    **kwargs,
) -> AnalysisQuery:
    """Parse a query about the partnership's area, scoped to its force (the one parser,
    :func:`saferstat.analytics.query.parse_query`; raises ``InvalidQuery``)."""
    return parse_query(params, analysis=analysis, **partnership_scope(partnership), **kwargs)


def partnership_scope(partnership: Partnership) -> dict:
    """The area, forces and neighbour group every query about the partnership has. The
    neighbour group is the partnership's own (its admin sets it); without one, comparisons
    fall back to the area's group in ``analytics.compare.NEIGHBOUR_GROUPS``."""
    return {
        "area_codes": tuple(partnership.lad_codes),
        "force_slugs": (partnership.force_slug,),
        "neighbours": tuple(partnership.neighbour_codes()) or None,
    }


def run(q: AnalysisQuery):
    """The runner's answer to ``q`` from the app's warehouse (cached on its version)."""
    return runner.run(_root(), q)


def unpack_limits() -> UnpackLimits:
    """How far a police.uk .csv.gz may unpack (settings), for checking and loading alike."""
    return UnpackLimits(
        max_bytes=settings.SAFERSTAT_MAX_UNPACKED_BYTES,
        max_ratio=settings.SAFERSTAT_MAX_UNPACK_RATIO,
    )


def load_warehouse() -> warehouse.Warehouse:
    """The warehouse that loads write to (police.uk imports, partner uploads)."""
    return warehouse.Warehouse(settings.SAFERSTAT_WAREHOUSE, unpack_limits=unpack_limits())


def warehouse_is_ready() -> bool:
    return (_root() / "manifest.json").exists()


def loaded_months(partnership: Partnership) -> list[str]:
    def compute():
        with connect_for(partnership) as con:
            return measures.street_months(con, [partnership.force_slug])

    return cached(("months", partnership.force_slug), compute)


def financial_years(partnership: Partnership) -> list[Period]:
    """Financial years with any data, newest first."""

    def compute():
        seen: dict[str, Period] = {}
        for month in loaded_months(partnership):
            fy = financial_year_of(month)
            seen[fy.label] = fy
        return tuple(sorted(seen.values(), key=lambda p: p.start, reverse=True))

    return list(cached(("years", partnership.force_slug), compute))


def default_financial_year(partnership: Partnership) -> Period | None:
    """The latest complete financial year with data, else the latest with any."""
    months = set(loaded_months(partnership))
    years = financial_years(partnership)
    for fy in years:
        if all(m in months for m in fy.months):
            return fy
    return years[0] if years else None


def parse_fy_slug(text: str) -> Period:
    """`2024-25` in a URL is the financial year 2024/25.

    Raises:
        PeriodError: anything else (views answer 404).
    """
    return parse_period(
        text.replace("-", "/", 1)
        if len(text) == 7 and text[4] == "-" and "/" not in text
        else text,
        kinds=("financial_year",),
    )


def fy_slug(period: Period) -> str:
    return period.label.replace("/", "-")


def overview(partnership: Partnership, period: Period) -> measures.Overview:
    """The overview figures of the partnership for a period (the runner, cached)."""
    return run(analysis_query(partnership, "overview", {"period": period.label}))


def _overview_key(partnership: Partnership, period: Period) -> tuple:
    return (tuple(partnership.lad_codes), period.label, partnership.force_slug)


def overview_html(partnership: Partnership, period: Period) -> SafeString:
    """The overview page's figures (tables, chart, notes) as HTML, rendered once per
    partnership, period and warehouse version: they are the same for every reader and most
    of the page's cost. The template depends on nothing but these arguments.

    The figures are read inside ``compute``, after the cache key's warehouse version: read
    before it, a load in between could store the old figures under the new version."""

    def compute() -> SafeString:
        years = [(fy_slug(y), y.label) for y in financial_years(partnership)]
        html = render_to_string(
            "intelligence/overview/partials/_overview_figures.html",
            {
                "partnership": partnership,
                "period": period,
                "data": overview(partnership, period),
                "years": years,
                "fy_slug": fy_slug(period),
            },
        )
        return mark_safe(html)  # noqa: S308 - our own template's output, autoescaped

    return cached(("overview-html", partnership.slug, *_overview_key(partnership, period)), compute)


def counts(partnership: Partnership, period: Period, by: str) -> measures.CountsResult:
    """`measures.counts` for the partnership, through the runner (cached)."""
    return run(analysis_query(partnership, "counts", {"period": period.label, "by": by}))


def connect_for(partnership: Partnership):
    """A warehouse connection whose views hold only the partnership's force's files (much
    less to plan over on a national warehouse)."""
    return warehouse.connect(_root(), force_slugs=[partnership.force_slug])


def overview_trend_svg(partnership: Partnership, period: Period) -> str:
    return cached(
        ("trend-svg", *_overview_key(partnership, period)),
        lambda: charts.render_svg(charts.monthly_trend_chart(overview(partnership, period))),
    )


def wards(partnership: Partnership) -> list[tuple[str, str]]:
    """``(code, name)`` of the partnership's wards (2024), by name."""
    codes = tuple(partnership.lad_codes)

    def compute():
        with connect_for(partnership) as con:
            return analytic_wards.ward_list(con, codes)

    return cached(("wards", codes), compute)


def ward_profile(partnership: Partnership, ward: str, period: Period) -> analytic_wards.WardProfile:
    """`analytics.wards.ward_profile` for one ward of the partnership, cached until the
    warehouse changes."""
    codes = tuple(partnership.lad_codes)

    def compute():
        with connect_for(partnership) as con:
            return analytic_wards.ward_profile(
                con,
                area_codes=codes,
                ward=ward,
                period=period,
                force_slugs=[partnership.force_slug],
            )

    return cached(("ward-profile", codes, ward, period.label, partnership.force_slug), compute)


def compare(partnership: Partnership, period: Period):
    """The partnership compared with its neighbour group, as the explorer's comparison view
    asks it (all records): the one runner's answer."""
    return run(analysis_query(partnership, "compare", {"period": period.label}))
