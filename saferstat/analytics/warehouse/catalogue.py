"""Reading the warehouse: :func:`connect` and the DuckDB views of the contract.

``street_crimes``, ``lsoa_lookup``, ``lsoa21_population``, ``la_codes``, ``loaded_partitions``
and ``partner_records`` (column lists in ``docs/warehouse.md``). A built set of views (a
catalogue) is cached per manifest version and handed out as cursors.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:  # imported where used: loading files never needs DuckDB
    import duckdb

from saferstat.analytics.constants import PARTNER_DATASET_PREFIX
from saferstat.analytics.ons import SCHEMAS as REFERENCE_SCHEMAS
from saferstat.analytics.policeuk import STORED_SCHEMA
from saferstat.analytics.warehouse.manifest import (
    MANIFEST_NAME,
    STREET_DATASET,
    _parse_iso,
    read_manifest,
)

#: Stored Parquet columns of every partner partition (one file per dataset and period).
PARTNER_STORED_SCHEMA = pa.schema(
    [
        ("source_line", pa.int64()),
        ("partnership_slug", pa.string()),
        ("dataset_slug", pa.string()),
        ("period", pa.string()),
        ("month", pa.string()),
        ("month_date", pa.date32()),
        ("period_months", pa.int32()),
        ("record_date", pa.date32()),
        ("area_level", pa.string()),
        ("area_code", pa.string()),
        ("categories", pa.map_(pa.string(), pa.string())),
        ("count", pa.int64()),
        ("outcome", pa.string()),
    ]
)


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(_sql_str(i) for i in items) + "]"


_DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.int32(): "INTEGER",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.date32(): "DATE",
}


def _duckdb_type(kind: pa.DataType) -> str:
    if pa.types.is_map(kind):
        return "MAP(VARCHAR, VARCHAR)"
    return _DUCKDB_TYPES[kind]


def _empty_select(schema: pa.Schema) -> str:
    columns = ", ".join(f"CAST(NULL AS {_duckdb_type(f.type)}) AS {f.name}" for f in schema)
    return f"SELECT {columns} WHERE false"


_STREET_COLUMNS = (
    "crime_id, reported_by, falls_within, longitude, latitude, location, lsoa_code, lsoa_name, "
    "crime_type, last_outcome_category, context"
)

LOADED_PARTITIONS_SCHEMA = pa.schema(
    [
        ("dataset", pa.string()),
        ("force_slug", pa.string()),
        ("month", pa.string()),
        ("row_count", pa.int64()),
        ("source_name", pa.string()),
        ("source_sha256", pa.string()),
        ("loaded_at", pa.timestamp("us", tz="UTC")),
        ("lsoa_vintage", pa.int32()),
        ("version", pa.string()),
        ("path", pa.string()),
    ]
)


_READ_CACHE: dict[Path, tuple[tuple[int, int, int], dict]] = {}
_READ_CACHE_LOCK = threading.Lock()


def _manifest_for_reading(root: Path) -> tuple[tuple[int, int, int] | None, dict]:
    """The current manifest for a reader and its version key, parsed once per version.

    A national manifest (thousands of partitions, a few MB) takes ~0.1 s to parse, and a web
    request opens a connection each time. The manifest is only ever replaced (a new file
    renamed over it), so (inode, size, mtime) names a version. Writers never use this: they
    re-read under the lock and change what they read; readers must not change the result.
    """
    try:
        st = (root / MANIFEST_NAME).stat()
    except FileNotFoundError:
        return None, read_manifest(root)
    key = (st.st_ino, st.st_size, st.st_mtime_ns)
    with _READ_CACHE_LOCK:
        cached = _READ_CACHE.get(root)
    if cached is not None and cached[0] == key:
        return key, cached[1]
    manifest = read_manifest(root)
    with _READ_CACHE_LOCK:
        _READ_CACHE[root] = (key, manifest)
    return key, manifest


#: Built catalogues: an in-memory DuckDB database holding the views over one manifest
#: version (and one set of forces). :func:`connect` hands out a cursor on one, a new
#: connection to the same database, in microseconds instead of building the views again
#: (~50 ms at national scale): a web request opens one each time.
_CATALOGUES: OrderedDict[tuple, duckdb.DuckDBPyConnection] = OrderedDict()
_CATALOGUES_MAX = 8


def connect(
    root: str | os.PathLike,
    *,
    manifest: dict | None = None,
    force_slugs: Iterable[str] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection over the warehouse at ``root``, with these views.

    ``street_crimes``, ``lsoa_lookup``, ``lsoa21_population``, ``la_codes``,
    ``loaded_partitions`` (the contract), plus ``lsoa11_lsoa21``, ``lsoa11_ward19`` and
    ``lsoa11_imd2019``. Column lists are in ``docs/warehouse.md``.

    The connection sees the warehouse as it was when it was opened (one manifest); open one
    per request or task rather than keeping it for hours (replaced files are deleted
    ``keep_superseded_seconds`` after they were replaced). A warehouse that does not exist
    yet gives empty views. Connections opened on the same manifest version share one
    in-memory database (each is a cursor on it), so opening one is cheap; a connection's
    own temporary tables and registered objects stay its own. Never run ``SET``, ``ATTACH``
    or a non-``TEMP`` ``CREATE``/``DROP`` on one: it would change the database every other
    connection on that version shares.

    Args:
        root: the warehouse folder.
        manifest: a manifest already read (default: read it now). Given, the connection
            gets a database of its own.
        force_slugs: put only these forces' police.uk files in ``street_crimes`` (default:
            every force). For a connection that answers for one partnership, which passes
            the same ``force_slugs`` to the measures anyway: DuckDB binds the view's file
            list on every query, about 20 microseconds a file, so with a national warehouse
            (43 forces x 120 months) each query would otherwise pay ~0.1 s before reading
            a row. ``loaded_partitions`` still lists every force.
    """
    root = Path(root).resolve()
    forces = None if force_slugs is None else frozenset(force_slugs)
    if manifest is not None:
        return _build_catalogue(root, manifest, forces)
    version, manifest = _manifest_for_reading(root)
    key = (root, version, forces)
    with _READ_CACHE_LOCK:
        base = _CATALOGUES.get(key)
        if base is not None:
            _CATALOGUES.move_to_end(key)
            return base.cursor()
    built = _build_catalogue(root, manifest, forces)
    with _READ_CACHE_LOCK:
        base = _CATALOGUES.setdefault(key, built)  # another thread may have been quicker
        while len(_CATALOGUES) > _CATALOGUES_MAX:
            _CATALOGUES.popitem(last=False)  # open cursors keep their database alive
        return base.cursor()


def _build_catalogue(
    root: Path, manifest: dict, forces: frozenset[str] | None
) -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        _create_views(con, root, manifest, None if forces is None else set(forces))
    except BaseException:
        con.close()
        raise
    return con


_REFERENCE_TABLES: dict[Path, pa.Table] = {}


def _reference_table(path: Path) -> pa.Table:
    """A reference table read once per process (its file name carries its version, so the file
    never changes). Every street query joins the LSOA lookup: scanning it from memory instead
    of decoding its Parquet file each time halves a small query's time."""
    with _READ_CACHE_LOCK:
        table = _REFERENCE_TABLES.get(path)
    if table is None:
        table = pq.ParquetFile(path).read()  # not pq.read_table: see _reference_codes
        with _READ_CACHE_LOCK:
            if len(_REFERENCE_TABLES) > 32:  # superseded versions: start again
                _REFERENCE_TABLES.clear()
            _REFERENCE_TABLES[path] = table
    return table


def _create_table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """A table in the database (not a registered Arrow object, which only the connection
    that registered it sees): cursors on the catalogue share it."""
    con.register("_arrow", table)
    try:
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _arrow")
    finally:
        con.unregister("_arrow")


def _create_views(
    con: duckdb.DuckDBPyConnection, root: Path, manifest: dict, forces: set[str] | None = None
) -> None:
    for name, schema in REFERENCE_SCHEMAS.items():
        entry = manifest["reference"].get(name)
        if entry is None:
            body = _empty_select(schema)
        else:
            columns = ", ".join(schema.names)
            _create_table(con, f"_ref_{name}", _reference_table(root / entry["path"]))
            body = f"SELECT {columns} FROM _ref_{name}"
        view = "_lsoa_by_code" if name == "lsoa_by_code" else name
        con.execute(f"CREATE VIEW {view} AS {body}")

    entries = sorted(
        manifest["partitions"].values(), key=lambda e: (e["dataset"], e["force_slug"], e["month"])
    )
    partitions = pa.table(
        {
            "dataset": [e["dataset"] for e in entries],
            "force_slug": [e["force_slug"] for e in entries],
            "month": [e["month"] for e in entries],
            "row_count": [e["row_count"] for e in entries],
            "source_name": [e["source_name"] for e in entries],
            "source_sha256": [e["source_sha256"] for e in entries],
            "loaded_at": [_parse_iso(e["loaded_at"]) for e in entries],
            "lsoa_vintage": [e.get("lsoa_vintage") for e in entries],
            "version": [e["version"] for e in entries],
            "path": [e["path"] for e in entries],
        },
        schema=LOADED_PARTITIONS_SCHEMA,
    )
    _create_table(con, "_loaded_partitions", partitions)
    con.execute("CREATE VIEW loaded_partitions AS SELECT * FROM _loaded_partitions")

    street = [
        e
        for e in entries
        if e["dataset"] == STREET_DATASET and (forces is None or e["force_slug"] in forces)
    ]
    groups: dict[int | None, list[str]] = {}
    for e in street:
        groups.setdefault(e.get("lsoa_vintage"), []).append(str(root / e["path"]))
    selects = []
    for vintage, files in sorted(groups.items(), key=lambda kv: kv[0] or 0):
        selects.append(
            f"""SELECT force AS force_slug, month, month_date, source_line, {_STREET_COLUMNS},
                   CAST({"NULL" if vintage is None else vintage} AS INTEGER) AS partition_vintage
            FROM read_parquet({_sql_list(files)}, hive_partitioning = true,
                 hive_types = {{'dataset': VARCHAR, 'force': VARCHAR, 'month': VARCHAR}})"""
        )
    if not selects:
        nulls = ", ".join(
            f"CAST(NULL AS {_duckdb_type(f.type)}) AS {f.name}"
            for f in STORED_SCHEMA
            if f.name not in ("source_line", "month_date")
        )
        selects.append(
            "SELECT CAST(NULL AS VARCHAR) AS force_slug, CAST(NULL AS VARCHAR) AS month, "
            f"CAST(NULL AS DATE) AS month_date, CAST(NULL AS BIGINT) AS source_line, {nulls}, "
            "CAST(NULL AS INTEGER) AS partition_vintage WHERE false"
        )
    con.execute("CREATE VIEW _street_raw AS " + "\nUNION ALL\n".join(selects))
    con.execute(
        """
        CREATE VIEW street_crimes AS
        SELECT r.force_slug, r.month, r.month_date, r.source_line, r.crime_id, r.reported_by,
               r.falls_within, r.longitude, r.latitude, r.location, r.lsoa_code, r.lsoa_name,
               r.crime_type, r.last_outcome_category, r.context,
               CAST(CASE WHEN k.lsoa_code IS NULL THEN NULL
                         WHEN k.in_2011 AND k.in_2021 THEN coalesce(r.partition_vintage, 2021)
                         WHEN k.in_2021 THEN 2021
                         ELSE 2011 END AS INTEGER) AS lsoa_vintage,
               k.lsoa21_code, k.ward_code, k.ward_name, k.lad_code
        FROM _street_raw r
        LEFT JOIN _lsoa_by_code k ON k.lsoa_code = r.lsoa_code
        """
    )

    _create_partner_views(con, root, entries)


_PARTNER_VIEW_COLUMNS = (
    "dataset, partnership_slug, dataset_slug, period, month, month_date, period_months, "
    "record_date, source_line, area_level, area_code, lsoa21_code, ward_code, ward_name, "
    "lad_code, categories, count, outcome"
)


def _create_partner_views(con: duckdb.DuckDBPyConnection, root: Path, entries: list[dict]) -> None:
    """Create ``partner_records`` over the partner partitions (after the reference views)."""
    files = [
        str(root / e["path"])
        for e in sorted(entries, key=lambda e: (e["dataset"], e["month"]))
        if str(e["dataset"]).startswith(PARTNER_DATASET_PREFIX)
    ]
    if files:
        names = ", ".join(PARTNER_STORED_SCHEMA.names)
        body = f"SELECT {names} FROM read_parquet({_sql_list(files)})"
    else:
        body = _empty_select(PARTNER_STORED_SCHEMA)
    con.execute(f"CREATE VIEW _partner_raw AS {body}")
    con.execute(
        """
        CREATE VIEW _ward_by_code AS
        SELECT ward_code, any_value(ward_name ORDER BY ward_name) AS ward_name,
               any_value(lad_code ORDER BY lad_code) AS lad_code
        FROM lsoa_lookup WHERE lsoa_vintage = 2021 GROUP BY ward_code
        """
    )
    con.execute(
        f"""
        CREATE VIEW partner_records AS
        SELECT {_PARTNER_VIEW_COLUMNS} FROM (
        SELECT '{PARTNER_DATASET_PREFIX}' || r.partnership_slug || '_' || r.dataset_slug AS dataset,
               r.partnership_slug, r.dataset_slug, r.period, r.month, r.month_date,
               r.period_months, r.record_date, r.source_line, r.area_level, r.area_code,
               CASE WHEN r.area_level = 'lsoa' THEN k.lsoa21_code END AS lsoa21_code,
               CASE r.area_level WHEN 'lsoa' THEN k.ward_code
                                 WHEN 'ward' THEN r.area_code END AS ward_code,
               CASE r.area_level WHEN 'lsoa' THEN k.ward_name
                                 WHEN 'ward' THEN w.ward_name END AS ward_name,
               CASE r.area_level WHEN 'lsoa' THEN k.lad_code
                                 WHEN 'ward' THEN w.lad_code
                                 ELSE r.area_code END AS lad_code,
               r.categories, r.count, r.outcome
        FROM _partner_raw r
        LEFT JOIN _lsoa_by_code k ON r.area_level = 'lsoa' AND k.lsoa_code = r.area_code
        LEFT JOIN _ward_by_code w ON r.area_level = 'ward' AND w.ward_code = r.area_code)
        """
    )
