"""ONS reference data: which codes mean an area, and loading the reference tables.

The tables themselves (LSOA -> ward -> local authority, LSOA 2011 -> 2021, population) are
read and built by :mod:`saferstat.analytics.ons`; its names are re-exported here.

:func:`area_codes` answers "which codes mean this local authority?", since some authorities
were recoded (Barnsley E08000016 -> E08000038, Sheffield E08000019 -> E08000039 in 2025) and
the lookups still use the old codes.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

from saferstat.analytics.errors import UnknownAreaError
from saferstat.analytics.ons import (  # noqa: F401 (re-exported)
    CHANGE_INDICATORS,
    SCHEMAS,
    SOURCES,
    TABLES,
    ReferenceDataError,
    ReferenceTables,
    SourceFile,
    SourceSpec,
    build_reference_tables,
    find_sources,
)
from saferstat.analytics.warehouse import Warehouse, connect


def load_reference(root: str | os.PathLike, folder: str | os.PathLike):
    """Build the reference tables from the ONS ``folder`` and publish them in the warehouse.

    Same as ``Warehouse(root).load_reference(folder)``; returns its
    :class:`~saferstat.analytics.warehouse.ReferenceLoadResult`.
    """
    return Warehouse(root).load_reference(folder)


# --- questions -------------------------------------------------------------------------


def area_codes(con_or_root: duckdb.DuckDBPyConnection | str | os.PathLike, code: str) -> list[str]:
    """Every code (current or earlier) of the local authority that ``code`` names.

    ``E08000016`` and ``E08000038`` both mean Barnsley, so both give
    ``['E08000016', 'E08000038']``. Filter ``street_crimes.lad_code`` with the result.

    Args:
        con_or_root: a connection from :func:`saferstat.analytics.warehouse.connect`, or the
            warehouse folder.
        code: a local authority district code, old or current.

    Returns:
        The codes, sorted.

    Raises:
        UnknownAreaError: the code is not a local authority code the reference data knows
            (or no reference data is loaded).
    """
    if isinstance(con_or_root, (str, os.PathLike)):
        con = connect(con_or_root)
        try:
            return area_codes(con, code)
        finally:
            con.close()
    con = con_or_root
    wanted = (code or "").strip().upper()
    row = con.execute("SELECT active_code FROM la_codes WHERE lad_code = ?", [wanted]).fetchone()
    if row is None:
        (known,) = con.execute("SELECT count(*) FROM la_codes").fetchone()
        if not known:
            raise UnknownAreaError(
                f"unknown local authority code {code!r}: no reference data is loaded "
                "(run: saferstat reference demo_data/ons)"
            )
        raise UnknownAreaError(
            f"unknown local authority code {code!r}: expected a local authority district code "
            "such as E08000018 (Rotherham)"
        )
    rows = con.execute(
        "SELECT lad_code FROM la_codes WHERE active_code = ? ORDER BY lad_code", [row[0]]
    ).fetchall()
    return [r[0] for r in rows]
