"""Building the reference tables from the ONS files (the rules are in :mod:`saferstat.analytics.ons`)."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from saferstat.analytics.ons.files import (
    CODE_PATTERN,
    COUNT_PATTERN,
    LAD_PATTERN,
    LSOA_PATTERN,
    _check,
    _check_unique,
    _Csv,
    _Issues,
    _not_matching,
    _read_csv,
    find_sources,
)
from saferstat.analytics.ons.schemas import SCHEMAS, ReferenceDataError, ReferenceTables, SourceFile
from saferstat.analytics.policeuk import MAX_ISSUES


def build_reference_tables(folder: str | Path) -> ReferenceTables:
    """Read the ONS folder and build every reference table.

    Args:
        folder: the folder with the ONS CSV files (``demo_data/ons``).

    Returns:
        The tables (Arrow, schemas in :data:`SCHEMAS`) and what was read.

    Raises:
        ReferenceDataError: a file is missing or breaks a rule (all problems listed).
    """
    started = time.perf_counter()
    paths = find_sources(folder)
    issues = _Issues()
    src = {key: _read_csv(path) for key, path in paths.items()}
    for source in src.values():
        width = source.table.num_columns
        for line, n in source.ragged:
            issues.add(source.path.name, line, "row", f"has {n} fields; the header has {width}")
    issues.raise_if_any(folder)

    ward24, l1121, ward19, la = src["ward24"], src["lsoa11_lsoa21"], src["ward19"], src["la_codes"]
    _check(issues, ward24, "LSOA21CD", LSOA_PATTERN, "an LSOA 2021 code")
    _check(issues, ward24, "WD24CD", CODE_PATTERN, "a ward code")
    _check(issues, ward24, "LAD24CD", LAD_PATTERN, "a local authority code")
    _check(issues, l1121, "LSOA11CD", LSOA_PATTERN, "an LSOA 2011 code")
    _check(issues, l1121, "LSOA21CD", LSOA_PATTERN, "an LSOA 2021 code")
    _check(issues, l1121, "CHGIND", "^[USMX]$", "a change indicator (U, S, M or X)")
    _check(issues, ward19, "LSOA11CD", LSOA_PATTERN, "an LSOA 2011 code")
    _check(issues, ward19, "WD19CD", CODE_PATTERN, "a ward code")
    _check(issues, ward19, "LAD19CD", LAD_PATTERN, "a local authority code")
    _check(issues, la, "LADCD", LAD_PATTERN, "a local authority code")
    _check(issues, la, "LADCD_ACTIVE", LAD_PATTERN, "a local authority code")
    if "imd2019" in src:
        _check(issues, src["imd2019"], "LSOA11CD", LSOA_PATTERN, "an LSOA 2011 code")
        _check(issues, src["imd2019"], "IMD19", COUNT_PATTERN, "a rank")
    population = _population(src["population"], issues)
    _check_unique(issues, ward24, "LSOA21CD")
    _check_unique(issues, ward19, "LSOA11CD")
    _check_unique(issues, la, "LADCD")
    issues.raise_if_any(folder)

    import duckdb

    con = duckdb.connect()
    try:
        con.register("ward24", ward24.table)
        con.register("l1121", l1121.table)
        con.register("pop", population)
        # Every 2021 LSOA of the 2011 -> 2021 lookup must have a ward, and a population.
        l1121.report(
            issues,
            pc.invert(pc.is_in(l1121.column("LSOA21CD"), value_set=ward24.column("LSOA21CD"))),
            "LSOA21CD",
            "is not in the LSOA 2021 -> ward lookup",
        )
        no_population = pc.invert(
            pc.is_in(ward24.column("LSOA21CD"), value_set=population.column("lsoa21_code"))
        )
        ward24.report(issues, no_population, "LSOA21CD", "has no Census 2021 population")
        issues.raise_if_any(folder)
        lookup = con.sql(_LOOKUP_SQL).to_arrow_table().cast(SCHEMAS["lsoa_lookup"])
        con.register("lookup", lookup)
        by_code = con.sql(_BY_CODE_SQL).to_arrow_table().cast(SCHEMAS["lsoa_by_code"])
        (wrong,) = con.execute(
            "SELECT list(lsoa_code ORDER BY lsoa_code) FROM lookup a WHERE lsoa_vintage = 2011 "
            "AND lsoa21_code <> lsoa_code AND EXISTS (SELECT 1 FROM lookup b "
            "WHERE b.lsoa_vintage = 2021 AND b.lsoa_code = a.lsoa_code)"
        ).fetchone()
        splits, approximate = con.execute(
            "SELECT count(*) FILTER (WHERE lsoa21_candidates > 1), "
            "count(*) FILTER (WHERE is_ward_approximate) FROM lookup WHERE lsoa_vintage = 2011"
        ).fetchone()
    finally:
        con.close()
    if wrong:
        # Codes valid in both vintages must be the unchanged ones (same code, same area).
        raise ReferenceDataError(
            f"{folder}: LSOA codes used in 2011 and 2021 for different areas: {', '.join(wrong[:10])}"
        )
    notes = [
        f"{splits:,} LSOAs 2011 map to several LSOAs 2021; {approximate:,} of them span "
        "several wards (ward assignment approximate: largest-population 2021 LSOA)"
    ]

    def pick(source: _Csv, name: str, columns: dict[str, str]) -> pa.Table:
        table = source.table.select(list(columns.values())).rename_columns(list(columns))
        return table.cast(SCHEMAS[name])

    imd_columns = {
        "lsoa11_code": "LSOA11CD",
        "lsoa11_name": "LSOA11NM",
        "lad19_code": "LAD19CD",
        "imd19_rank": "IMD19",
    }
    tables = {
        "lsoa_lookup": lookup,
        "lsoa_by_code": by_code,
        "lsoa11_lsoa21": pick(
            l1121,
            "lsoa11_lsoa21",
            {
                "lsoa11_code": "LSOA11CD",
                "lsoa11_name": "LSOA11NM",
                "lsoa21_code": "LSOA21CD",
                "lsoa21_name": "LSOA21NM",
                "change_indicator": "CHGIND",
                "lad22_code": "LAD22CD",
                "lad22_name": "LAD22NM",
            },
        ),
        "lsoa11_ward19": pick(
            ward19,
            "lsoa11_ward19",
            {
                "lsoa11_code": "LSOA11CD",
                "lsoa11_name": "LSOA11NM",
                "ward19_code": "WD19CD",
                "ward19_name": "WD19NM",
                "lad19_code": "LAD19CD",
                "lad19_name": "LAD19NM",
            },
        ),
        "lsoa21_population": population,
        "la_codes": pick(
            la,
            "la_codes",
            {
                "lad_code": "LADCD",
                "active_code": "LADCD_ACTIVE",
                "lad_name": "LADNM",
                "active_name": "LADNM_ACTIVE",
            },
        ),
        "lsoa11_imd2019": (
            pick(src["imd2019"], "lsoa11_imd2019", imd_columns)
            if "imd2019" in src
            else SCHEMAS["lsoa11_imd2019"].empty_table()
        ),
    }
    if "imd2019" not in src:
        notes.append("no IMD 2019 file: lsoa11_imd2019 is empty")
    sources = {
        key: SourceFile(key, source.path, source.sha256, source.table.num_rows)
        for key, source in src.items()
    }
    sources["population"] = SourceFile(
        "population", src["population"].path, src["population"].sha256, population.num_rows
    )
    return ReferenceTables(tables, sources, time.perf_counter() - started, notes)


def _population(source: _Csv, issues: _Issues) -> pa.Table:
    """The Nomis export: header, data rows, then blank ``,,`` lines and a note to skip.

    The first row whose ``LSOA21CD`` is not an LSOA code starts the footer; an LSOA row after
    it means the footer was not a footer, and is refused.
    """
    codes = source.column("LSOA21CD")
    is_lsoa = pc.match_substring_regex(codes, LSOA_PATTERN)
    not_lsoa = pc.indices_nonzero(pc.invert(is_lsoa)).to_pylist()
    end = not_lsoa[0] if not_lsoa else len(codes)
    late = pc.indices_nonzero(is_lsoa.slice(end)).to_pylist()
    for index in late[:MAX_ISSUES]:
        issues.add(
            source.path.name,
            source.lines[end + index],
            "LSOA21CD",
            f"an LSOA row after the footer began on line {source.lines[end]}",
        )
    body = source.table.slice(0, end)
    counts = body.column("2021")
    source_body = _Csv(source.path, body, source.lines[:end], source.sha256)
    source_body.report(
        issues, _not_matching(counts, COUNT_PATTERN), "2021", "is not a count of residents"
    )
    _check_unique(issues, source_body, "LSOA21CD")
    if issues.total:
        return SCHEMAS["lsoa21_population"].empty_table()
    name_column = source.table.column_names[0]
    return pa.table(
        {
            "lsoa21_code": body.column("LSOA21CD"),
            "population": pc.cast(counts, pa.int64()),
            "lsoa21_name": body.column(name_column),
        },
        schema=SCHEMAS["lsoa21_population"],
    )


# 2021 LSOAs map to themselves. A 2011 LSOA maps to the 2021 LSOA with the largest Census
# 2021 population among those the ONS lookup gives it (ties: the lowest code).
_LOOKUP_SQL = """
WITH w AS (
    SELECT LSOA21CD AS code, LSOA21NM AS name, WD24CD AS ward_code, WD24NM AS ward_name,
           LAD24CD AS lad_code, LAD24NM AS lad_name
    FROM ward24
),
candidates AS (
    SELECT l.LSOA11CD AS code11, l.LSOA11NM AS name11, l.LSOA21CD AS code21,
           l.CHGIND AS indicator, coalesce(p.population, 0) AS population, w.ward_code
    FROM l1121 l JOIN w ON w.code = l.LSOA21CD
    LEFT JOIN pop p ON p.lsoa21_code = l.LSOA21CD
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY code11 ORDER BY population DESC, code21) AS rank,
           count(DISTINCT code21) OVER (PARTITION BY code11) AS n_targets,
           count(DISTINCT ward_code) OVER (PARTITION BY code11) AS n_wards,
           count(DISTINCT indicator) OVER (PARTITION BY code11) AS n_indicators
    FROM candidates
)
SELECT code AS lsoa_code, 2021 AS lsoa_vintage, code AS lsoa21_code,
       ward_code, ward_name, lad_code, lad_name, name AS lsoa_name, NULL AS change_indicator,
       1 AS lsoa21_candidates, false AS is_ward_approximate
FROM w
UNION ALL
SELECT r.code11, 2011, r.code21, w.ward_code, w.ward_name, w.lad_code, w.lad_name, r.name11,
       CASE WHEN r.n_indicators = 1 THEN r.indicator ELSE 'X' END,
       r.n_targets, r.n_wards > 1
FROM ranked r JOIN w ON w.code = r.code21
WHERE r.rank = 1
ORDER BY lsoa_vintage DESC, lsoa_code
"""

_BY_CODE_SQL = """
SELECT lsoa_code,
       bool_or(lsoa_vintage = 2011) AS in_2011,
       bool_or(lsoa_vintage = 2021) AS in_2021,
       any_value(lsoa21_code ORDER BY lsoa_vintage DESC) AS lsoa21_code,
       any_value(ward_code ORDER BY lsoa_vintage DESC) AS ward_code,
       any_value(ward_name ORDER BY lsoa_vintage DESC) AS ward_name,
       any_value(lad_code ORDER BY lsoa_vintage DESC) AS lad_code
FROM lookup
GROUP BY lsoa_code
ORDER BY lsoa_code
"""
