"""Areas, populations and the months loaded: the questions every analysis asks first.

Which codes mean an area (:func:`expand_area_codes`), its name, its force(s), its Census 2021
residents, which months are loaded (for its forces) and when; :func:`require_months` refuses a
period with no month loaded, so a gap is never answered with zeros. Re-exported by
:mod:`saferstat.analytics.measures`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from saferstat.analytics.constants import NO_WARD, STREET_DATASET
from saferstat.analytics.errors import NoDataError, QueryError, no_data_message
from saferstat.analytics.filters import marks, record_filter
from saferstat.analytics.periods import Period


@dataclass(frozen=True)
class Freshness:
    """What data is loaded: the latest month and when it was loaded (UTC)."""

    latest_month: str | None
    latest_month_loaded_at: dt.datetime | None
    last_loaded_at: dt.datetime | None


def expand_area_codes(con: duckdb.DuckDBPyConnection, area_codes: Sequence[str]) -> tuple[str, ...]:
    """The given LA codes plus every other code of the same authorities, sorted.

    ``la_codes`` maps every code ever used to the authority's active code, so Sheffield
    ``E08000039`` expands to ``('E08000019', 'E08000039')`` and back.
    """
    codes = [str(code).strip() for code in area_codes if str(code).strip()]
    if not codes:
        raise QueryError("area_codes is empty: give at least one local authority code")
    found = con.execute(
        f"""
        SELECT lad_code FROM la_codes
        WHERE active_code IN (SELECT active_code FROM la_codes WHERE lad_code IN ({marks(codes)}))
        """,
        codes,
    ).fetchall()
    return tuple(sorted(set(codes) | {row[0] for row in found}))


def area_name(con: duckdb.DuckDBPyConnection, area_codes: Sequence[str]) -> str:
    """Name of the authority (or authorities, joined with 'and') of these codes."""
    codes = list(area_codes)
    rows = con.execute(
        f"""
        SELECT DISTINCT l.lad_name FROM la_codes c JOIN la_codes l ON l.lad_code = c.active_code
        WHERE c.lad_code IN ({marks(codes)}) ORDER BY 1
        """,
        codes,
    ).fetchall()
    names = [row[0] for row in rows if row[0]]
    return " and ".join(names) if names else ", ".join(codes)


def loaded_months(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    force_slugs: Sequence[str] | None = None,
) -> list[str]:
    """Months of the period for which a police.uk street partition is loaded.

    Without ``force_slugs`` a month counts as loaded when any force has it; pass the
    partnership's force(s) in an installation that holds several forces.
    """
    return _months_in(_street_partitions(con, force_slugs), period)


def force_names(con: duckdb.DuckDBPyConnection, force_slugs: Sequence[str] | None) -> list[str]:
    """Display names of forces (``south-yorkshire`` -> ``South Yorkshire Police``), from the
    ``falls_within`` column of their records, else made from the slug."""
    names = []
    for slug in force_slugs or ():
        row = con.execute(
            "SELECT falls_within FROM street_crimes WHERE force_slug = ? "
            "AND falls_within IS NOT NULL LIMIT 1",
            [slug],
        ).fetchone()
        names.append(row[0] if row else f"{slug.replace('-', ' ').title()} Police")
    return names


#: Below this many police.uk records (crime and ASB) a year per 1,000 residents, an area's
#: records are another force's few records over the boundary, not the area's own data (every
#: partnership in England and Wales records several tens): the area is outside the loaded data.
MIN_RECORDS_PER_1000_A_YEAR = 5.0


def is_covered(records: int, population: int, months: int) -> bool:
    """Whether ``records`` over ``months`` loaded months can be the area's own police.uk data
    (see :data:`MIN_RECORDS_PER_1000_A_YEAR`)."""
    if population <= 0 or months <= 0:
        return False
    return records / months * 12 / population * 1000 >= MIN_RECORDS_PER_1000_A_YEAR


def area_forces(con: duckdb.DuckDBPyConnection, area_codes: Sequence[str]) -> tuple[str, ...]:
    """The police force(s) of an area, from the records: for each local authority of the
    area, the force with the most records in it (a local authority lies in one police force
    area; other forces, such as British Transport Police or a neighbour, record a few).

    Raises:
        NoDataError: no force has a record in the area (it is outside the loaded data).
    """
    codes = expand_area_codes(con, area_codes)
    rows = con.execute(
        f"""
        SELECT c.active_code, s.force_slug, count(*) AS n
        FROM street_crimes s JOIN la_codes c ON c.lad_code = s.lad_code
        WHERE s.lad_code IN ({marks(codes)})
        GROUP BY 1, 2
        QUALIFY row_number() OVER (PARTITION BY c.active_code ORDER BY n DESC, s.force_slug) = 1
        """,
        list(codes),
    ).fetchall()
    months = {force: len(street_months(con, [force])) for force in {force for _, force, _ in rows}}
    pop = _population(con, codes)
    if not rows or not is_covered(sum(n for *_, n in rows), pop, max(months.values(), default=0)):
        raise NoDataError(
            f"No police.uk data is loaded for {area_name(con, codes)}: the warehouse holds no "
            "records of the force that polices it (at most a neighbouring force's few records "
            "over the boundary)."
        )
    return tuple(sorted({force for _, force, _ in rows}))


def require_months(
    con: duckdb.DuckDBPyConnection,
    codes: Sequence[str],
    period: Period,
    months_loaded: Sequence[str],
    force_slugs: Sequence[str] | None,
) -> None:
    """Raise :class:`NoDataError` when no month of the period is loaded (for these forces):
    such a period is never answered with zeros. A period with some months loaded passes."""
    if months_loaded:
        return
    raise no_police_data(con, codes, period.months, period.label, force_slugs)


def no_police_data(
    con: duckdb.DuckDBPyConnection,
    codes: Sequence[str],
    months: Sequence[str],
    label: str,
    force_slugs: Sequence[str] | None,
) -> NoDataError:
    """The error for an area whose ``months`` (in order) have no police.uk data loaded (for
    these forces), named ``label`` ("2024/25", "2019-07 to 2020-06")."""
    return NoDataError(
        no_data_message(
            "police.uk data",
            [months[0], months[-1]],
            area=area_name(con, codes),
            label=label,
            forces=force_names(con, force_slugs),
        ),
        list(months),
    )


def population(con: duckdb.DuckDBPyConnection, area_codes: Sequence[str]) -> int:
    """Census 2021 usual residents of the area: sum over its 2021 LSOAs."""
    return _population(con, expand_area_codes(con, area_codes))


def _population(con: duckdb.DuckDBPyConnection, codes: Sequence[str]) -> int:
    row = con.execute(
        f"""
        SELECT coalesce(sum(p.population), 0) FROM lsoa21_population p
        WHERE p.lsoa21_code IN (
            SELECT lsoa21_code FROM lsoa_lookup
            WHERE lsoa_vintage = 2021 AND lad_code IN ({marks(codes)}))
        """,
        list(codes),
    ).fetchone()
    return int(row[0]) if row else 0


def ward_populations(
    con: duckdb.DuckDBPyConnection, area_codes: Sequence[str]
) -> list[tuple[str, str, int]]:
    """``(ward_code, ward_name, Census 2021 residents)`` for every ward of the area."""
    return _ward_populations(con, expand_area_codes(con, area_codes))


def _ward_populations(
    con: duckdb.DuckDBPyConnection, codes: Sequence[str]
) -> list[tuple[str, str, int]]:
    rows = con.execute(
        f"""
        SELECT l.ward_code, l.ward_name, coalesce(sum(p.population), 0)
        FROM (SELECT DISTINCT lsoa21_code, ward_code, ward_name FROM lsoa_lookup
              WHERE lsoa_vintage = 2021 AND lad_code IN ({marks(codes)})) l
        LEFT JOIN lsoa21_population p USING (lsoa21_code)
        GROUP BY 1, 2 ORDER BY 2, 1
        """,
        list(codes),
    ).fetchall()
    return [(code, name, int(pop)) for code, name, pop in rows]


def _street_partitions(
    con: duckdb.DuckDBPyConnection, force_slugs: Sequence[str] | None
) -> list[tuple[str, str, object]]:
    """``(force_slug, month, loaded_at)`` of every loaded police.uk street partition (of
    these forces): one small read of the manifest table, from which months and freshness
    are worked out."""
    where, params = record_filter(dataset=STREET_DATASET, force_slugs=force_slugs)
    sql = f"SELECT force_slug, month, loaded_at FROM loaded_partitions WHERE {where}"
    return con.execute(sql, params).fetchall()


def street_months(
    con: duckdb.DuckDBPyConnection, force_slugs: Sequence[str] | None = None
) -> list[str]:
    """Every month with a loaded police.uk street partition (of these forces), sorted."""
    return sorted({month for _, month, _ in _street_partitions(con, force_slugs)})


def _months_in(partitions: list[tuple[str, str, object]], period: Period) -> list[str]:
    return sorted({month for _, month, _ in partitions if period.start <= month <= period.end})


def _freshness_of(partitions: list[tuple[str, str, object]]) -> Freshness:
    if not partitions:
        return Freshness(None, None, None)
    latest_month = max(month for _, month, _ in partitions)
    return Freshness(
        latest_month=latest_month,
        latest_month_loaded_at=_as_datetime(
            max(loaded for _, month, loaded in partitions if month == latest_month)
        ),
        last_loaded_at=_as_datetime(max(loaded for _, _, loaded in partitions)),
    )


def freshness(
    con: duckdb.DuckDBPyConnection, force_slugs: Sequence[str] | None = None
) -> Freshness:
    """Latest loaded police.uk month, when it was loaded, and the last load of any month."""
    return _freshness_of(_street_partitions(con, force_slugs))


def _as_datetime(value: object) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    raise TypeError(f"unexpected loaded_at value {value!r}")


def ward_keys(rows: list[tuple[str | None, str | None, int]]) -> list[tuple[str, int]]:
    """``(ward_code, ward_name, count)`` rows keyed by ward name, sorted; a name shared by
    two wards (two local authorities) gets its code added; no ward is :data:`NO_WARD`."""
    names: dict[str, set[str | None]] = {}
    for code, name, _ in rows:
        names.setdefault(name or NO_WARD, set()).add(code)
    out: dict[str, int] = {}
    for code, name, count in rows:
        key = name or NO_WARD
        if len(names[key]) > 1 and code:
            key = f"{key} ({code})"
        out[key] = out.get(key, 0) + int(count)
    return sorted(out.items())
