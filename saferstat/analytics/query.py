"""The one analysis query: what every front end asks, parsed and checked in one place.

A web query string (the explorer), a JSON API call and the CLI's options all become an
:class:`AnalysisQuery` through :func:`parse_query`, and :mod:`saferstat.analytics.runner`
answers it. Each front end only renames its own parameters to the names used here (the
explorer's: ``view``, ``period``, ``from``, ``to``, ``crime_type``, ``compare``, ...) and shows
a refusal its own way: the web a GOV.UK error summary (400), the API 422, the CLI exit
status 2, always with the same message (``docs/decisions/0004-one-analysis-query.md``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from .errors import QueryError
from .periods import Period, PeriodError, parse_month_range, parse_period
from .policeuk import CRIME_TYPES

#: The analyses, by the name a query gives them.
ANALYSES = ("counts", "overview", "spc", "periods", "compare", "hotspots", "harm")
#: The explorer's views and the analysis each one runs.
VIEW_ANALYSIS = {
    "trend": "spc",
    "wards": "hotspots",
    "compare": "compare",
    "harm": "harm",
    "periods": "periods",
}
#: What a partner dataset's counts may be counted by (``partner.COUNT_BY``).
DATASET_BY = ("period", "ward", "area", "category", "outcome")
#: Analyses that take a run of months (``from``/``to``) instead of a period.
RANGE_ANALYSES = ("spc", "periods")
#: What each choice-valued parameter may be, with the message for anything else.
CHOICES: dict[str, tuple[tuple[str, ...], str]] = {
    "by": (("crime_type", "ward", "month"), "Choose crime types, wards or months to count by."),
    "kind": (
        ("quarter", "financial_year", "rolling12", "month"),
        "Choose quarters, financial years, rolling 12 months or months.",
    ),
    "polarity": (
        ("decrease", "increase", "neutral"),
        "Choose whether higher or lower is better.",
    ),
    "level": (("ward", "lsoa"), "Choose wards or LSOAs."),
    "rank": (("count", "rate", "harm", "harm_rate"), "Rank by count, rate, harm or harm rate."),
    "gaps": (("split", "refuse"), "Choose whether a missing month splits the chart or is refused."),
}
DEFAULTS = {
    "by": "crime_type",
    "kind": "quarter",
    "polarity": "decrease",
    "level": "ward",
    "rank": "rate",
    "gaps": "split",
}
LAD = re.compile(r"[EW]0[6-9][0-9]{6}")
MAX_COMPARATORS = 50
MONTHS_HINT = "Enter months as YYYY-MM, for example 2024-04."
CRIME_TYPE_HINT = "Choose crime types from the police.uk list."
COMPARE_HINT = "Enter local authority codes such as E08000038, separated by commas."


class InvalidQuery(QueryError):
    """One or more parameters of a query are not valid.

    Attributes:
        errors: parameter name (this module's names) -> message, in the order found. The
            exception's message is the first of them.
        typed: what was given for a refused text parameter, to show back in its field.
    """

    def __init__(self, errors: Mapping[str, str], typed: Mapping[str, str] | None = None):
        self.errors = dict(errors)
        self.typed = dict(typed or {})
        super().__init__(next(iter(self.errors.values())))

    @property
    def field(self) -> str:
        """The first refused parameter."""
        return next(iter(self.errors))


@dataclass(frozen=True)
class AnalysisQuery:
    """One question for the runner: which analysis, of which area, over which months, of
    which forces' files, of which records, shown how. Hashable, so answers are cached on it.

    ``force_slugs`` scopes the question to the forces that police the area (the web: the
    partnership's force; the CLI: :func:`saferstat.analytics.coverage.area_forces`), so a
    month another force has never counts as loaded. ``dataset`` names a partner dataset in
    the warehouse instead of the police.uk records (``dataset_label`` is its name in words).
    """

    analysis: str
    area_codes: tuple[str, ...]
    force_slugs: tuple[str, ...] | None = None
    period: Period | None = None
    start: str = ""
    end: str = ""
    crime_types: tuple[str, ...] | None = None
    dataset: str | None = None
    dataset_label: str = ""
    by: str = DEFAULTS["by"]
    kind: str = DEFAULTS["kind"]
    polarity: str = DEFAULTS["polarity"]
    level: str = DEFAULTS["level"]
    rank: str = DEFAULTS["rank"]
    gaps: str = DEFAULTS["gaps"]
    target: float | None = None
    #: Comparators (local authority codes) for ``compare``: None is the area's neighbours.
    compare_with: tuple[str, ...] | None = None
    #: The area's neighbour group (the partnership's, from its data), the default comparators.
    neighbours: tuple[str, ...] | None = None
    #: A partner dataset's category column, counted by with ``by='category'``.
    category: str | None = None


def _one(params: Mapping[str, object], name: str) -> str:
    value = params.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return "" if value is None else str(value).strip()


def _many(params: Mapping[str, object], name: str) -> list[str]:
    value = params.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value if v]


def parse_codes(text: str) -> list[str]:
    """``'e08000038, E08000016'`` -> ``['E08000038', 'E08000016']`` (commas or spaces)."""
    return [c.strip().upper() for c in text.replace(" ", ",").split(",") if c.strip()]


def check_crime_types(values: Sequence[str]) -> tuple[str, ...] | None:
    """The crime types asked for (order kept, each once), or None for every record.

    Raises:
        QueryError: a name that is not a police.uk category.
    """
    unknown = [v for v in values if v not in CRIME_TYPES]
    if unknown:
        raise QueryError(f"Unknown crime type(s): {', '.join(unknown)}. {CRIME_TYPE_HINT}")
    return tuple(dict.fromkeys(values)) or None


def parse_query(
    params: Mapping[str, object],
    *,
    analysis: str,
    area_codes: Sequence[str],
    force_slugs: Sequence[str] | None = None,
    neighbours: Sequence[str] | None = None,
    dataset: str | None = None,
    dataset_label: str = "",
    default_period: Period | None = None,
    default_months: tuple[str, str] = ("", ""),
) -> AnalysisQuery:
    """Read and check a query's parameters: the one parser every front end uses.

    Args:
        params: parameter name -> a value or a list of values, under this module's names:
            ``period``; ``from`` and ``to`` (months); ``crime_type`` (several); ``compare``
            (local authority codes, commas); ``by``, ``kind``, ``polarity``, ``level``,
            ``rank``, ``gaps``; ``target`` (a number).
        analysis: one of :data:`ANALYSES`.
        area_codes: the area's local authority codes.
        force_slugs: the forces that police the area (None: every force's files).
        neighbours: the area's neighbour group (default comparators of ``compare``).
        dataset, dataset_label: a partner dataset's warehouse name and its name in words.
        default_period: the period when none is given (None: a period is required).
        default_months: the run of months when ``from``/``to`` are not given.

    Raises:
        InvalidQuery: every refused parameter with its message.
    """
    query, errors, _ = _parse(
        params,
        analysis=analysis,
        area_codes=area_codes,
        force_slugs=force_slugs,
        neighbours=neighbours,
        dataset=dataset,
        dataset_label=dataset_label,
        default_period=default_period,
        default_months=default_months,
    )
    if errors:
        raise InvalidQuery(errors)
    return query


def parse_form(
    params: Mapping[str, object], **kwargs
) -> tuple[AnalysisQuery, dict[str, str], dict[str, str]]:
    """:func:`parse_query` for a form that shows every refusal at once (the explorer): the
    query (a default in place of each refused parameter), every refusal (parameter ->
    message) and what was typed in the refused text fields. Same arguments."""
    return _parse(params, **kwargs)


def _parse(
    params: Mapping[str, object],
    *,
    analysis: str,
    area_codes: Sequence[str],
    force_slugs: Sequence[str] | None = None,
    neighbours: Sequence[str] | None = None,
    dataset: str | None = None,
    dataset_label: str = "",
    default_period: Period | None = None,
    default_months: tuple[str, str] = ("", ""),
) -> tuple[AnalysisQuery, dict[str, str], dict[str, str]]:
    if analysis not in ANALYSES:
        raise QueryError(f"Unknown analysis {analysis!r}: expected one of {', '.join(ANALYSES)}")
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for name, (allowed, message) in CHOICES.items():
        value = _one(params, name) or DEFAULTS[name]
        if name == "by" and dataset is not None and analysis == "counts":
            allowed = DATASET_BY
            message = "Choose periods, wards, areas, a category or outcomes to count by."
            value = _one(params, name) or "period"
        if value not in allowed:
            errors[name] = message
            value = DEFAULTS[name]
        chosen[name] = value
    types = _many(params, "crime_type")
    crime_types: tuple[str, ...] | None = None
    if types and dataset is not None:
        errors["crime_type"] = CRIME_TYPE_HINT
    elif types:
        try:
            crime_types = check_crime_types(types)
        except QueryError as exc:
            errors["crime_type"] = str(exc)
            crime_types = check_crime_types([t for t in types if t in CRIME_TYPES])
    start = _one(params, "from") or default_months[0]
    end = _one(params, "to") or default_months[1]
    if analysis in RANGE_ANALYSES:
        try:
            start, end = parse_month_range(start, end)
        except PeriodError as exc:
            errors["from"] = str(exc) if start and end else MONTHS_HINT
    period: Period | None = None
    text = _one(params, "period")
    if text:
        try:
            period = parse_period(text)
        except PeriodError as exc:
            errors["period"] = str(exc)
            typed["period"] = text
    if period is None and analysis not in RANGE_ANALYSES:
        period = default_period
        if period is None and dataset is None:
            errors.setdefault("period", "No data is loaded yet.")
    compare_text = _one(params, "compare")
    codes = parse_codes(compare_text)
    if any(not LAD.fullmatch(c) for c in codes):
        errors["compare"] = COMPARE_HINT
        typed["compare"] = compare_text
        codes = [c for c in codes if LAD.fullmatch(c)]
    category = _one(params, "category") or None
    partner_counts = dataset is not None and analysis == "counts"
    if partner_counts and (chosen["by"] == "category") != (category is not None):
        errors["category"] = "Give the category column to count by, and only when counting by it."
    target: float | None = None
    if _one(params, "target"):
        try:
            target = float(_one(params, "target"))
        except ValueError:
            errors["target"] = "Enter the target as a number of records a month."
    query = AnalysisQuery(
        analysis=analysis,
        area_codes=tuple(area_codes),
        force_slugs=None if force_slugs is None else tuple(force_slugs),
        period=period,
        start=start,
        end=end,
        crime_types=crime_types,
        dataset=dataset,
        dataset_label=dataset_label,
        target=target,
        compare_with=tuple(codes[:MAX_COMPARATORS]) or None,
        neighbours=None if neighbours is None else tuple(neighbours),
        category=category if partner_counts else None,
        **chosen,
    )
    return query, errors, typed


def view_querystring(source: str, view: str, q: AnalysisQuery) -> str:
    """The explorer's canonical query string of a view (stable parameter order)."""
    params: list[tuple[str, str]] = [("source", source), ("view", view)]
    params += [("crime_type", c) for c in q.crime_types or ()]
    if view == "trend":
        params += [("from", q.start), ("to", q.end), ("polarity", q.polarity)]
    elif view == "periods":
        params += [("from", q.start), ("to", q.end), ("kind", q.kind)]
    elif q.period is not None:
        params.append(("period", q.period.label))
    if view == "compare" and q.compare_with:
        params.append(("compare", ",".join(q.compare_with)))
    return urlencode(params)
