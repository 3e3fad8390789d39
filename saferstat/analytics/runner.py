"""The one runner: answers an :class:`~saferstat.analytics.query.AnalysisQuery`.

The explorer, the JSON API, the CLI and the overview page all call :func:`run`, so a
question gets the same answer whichever way it is asked. Answers are cached on the query
and the warehouse's version (its manifest file: a load replaces it), so a figure is never
served from before a load. Errors are the :mod:`saferstat.analytics.errors` family:
``QueryError`` for a question that cannot be answered as asked, ``NoDataError`` for a
question about data that is not loaded (never answered with zeros).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

import duckdb

from . import compare, harm, hotspots, measures, partner
from .errors import NoDataError
from .partner_spc import partner_spc_series
from .query import AnalysisQuery
from .series import time_series
from .spc_series import spc_series
from .warehouse import connect

_CACHE: OrderedDict[tuple, object] = OrderedDict()
_LOCK = threading.Lock()
CACHE_SIZE = 128


class DatasetEmpty(NoDataError):
    """A partner dataset with no period loaded at all (asked without a period)."""


def warehouse_version(root: str | os.PathLike) -> tuple[int, int, int] | None:
    """The version of the warehouse's files: its manifest's (inode, size, mtime), or None
    when nothing is loaded. The manifest is only ever replaced, never edited in place."""
    try:
        st = (Path(root) / "manifest.json").stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def cached(root: str | os.PathLike, key: tuple, compute):
    """``compute()``, kept under ``key`` until the warehouse at ``root`` changes.

    The version is read before computing: a load in between stores the old answer under
    the old version, never the other way round."""
    full = (str(Path(root).resolve()), warehouse_version(root), *key)
    with _LOCK:
        if full in _CACHE:
            _CACHE.move_to_end(full)
            return _CACHE[full]
    value = compute()
    with _LOCK:
        _CACHE[full] = value
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def forget() -> None:
    """Empty the cache (tests that count the work a page does when nothing is kept)."""
    with _LOCK:
        _CACHE.clear()


def run(root: str | os.PathLike, q: AnalysisQuery):
    """The answer to ``q`` from the warehouse at ``root`` (cached on the warehouse version).

    Returns the analysis's own result: ``CountsResult`` (``PartnerCountsResult`` for a
    partner dataset), ``Overview``, ``SpcSeries``,
    ``TimeSeries``, ``Comparison``, ``Hotspots`` or ``HarmEstimate``.
    """

    def compute():
        with connect(root, force_slugs=q.force_slugs) as con:
            return answer(con, q)

    return cached(root, ("run", q), compute)


def answer(con: duckdb.DuckDBPyConnection, q: AnalysisQuery):
    """Run ``q`` on an open connection (no cache): the one place each analysis is called."""
    forces = q.force_slugs
    types = q.crime_types
    if q.analysis == "counts":
        if q.dataset is not None:
            if q.period is None:
                raise DatasetEmpty(f"No data is loaded for {q.dataset_label or q.dataset} yet.")
            return partner.partner_counts(
                con,
                dataset=q.dataset,
                area_codes=q.area_codes,
                period=q.period,
                by=q.by,
                category=q.category,
            )
        return measures.counts(
            con, area_codes=q.area_codes, period=q.period, by=q.by, force_slugs=forces
        )
    if q.analysis == "overview":
        return measures.overview(con, area_codes=q.area_codes, period=q.period, force_slugs=forces)
    if q.analysis == "spc":
        if q.dataset is not None:
            return partner_spc_series(
                con,
                dataset=q.dataset,
                label=q.dataset_label,
                area_codes=q.area_codes,
                start=q.start,
                end=q.end,
                polarity=q.polarity,
            )
        return spc_series(
            con,
            area_codes=q.area_codes,
            start=q.start,
            end=q.end,
            crime_types=types,
            polarity=q.polarity,
            target=q.target,
            gaps=q.gaps,
            force_slugs=forces,
        )
    if q.analysis == "periods":
        return time_series(
            con,
            area_codes=q.area_codes,
            start=q.start,
            end=q.end,
            kind=q.kind,
            crime_types=types,
            force_slugs=forces,
        )
    if q.analysis == "compare":
        return compare.compare_areas(
            con,
            area_code=q.area_codes[0],
            period=q.period,
            with_codes=q.compare_with or q.neighbours,
            crime_types=types,
            force_slugs=forces,
        )
    if q.analysis == "hotspots":
        if q.dataset is not None:
            period = q.period or partner.latest_year(partner.loaded_periods(con, q.dataset))
            if period is None:
                raise DatasetEmpty(f"No data is loaded for {q.dataset_label or q.dataset} yet.")
            return hotspots.partner_hotspots(
                con,
                dataset=q.dataset,
                label=q.dataset_label,
                area_codes=q.area_codes,
                period=period,
                level=q.level,
                rank_by=q.rank,
            )
        return hotspots.hotspots(
            con,
            area_codes=q.area_codes,
            period=q.period,
            level=q.level,
            rank_by=q.rank,
            crime_types=types,
            force_slugs=forces,
        )
    if q.analysis == "harm":
        return harm.harm(
            con, area_codes=q.area_codes, period=q.period, crime_types=types, force_slugs=forces
        )
    raise ValueError(f"unknown analysis {q.analysis!r}")  # parse_query refuses it first
