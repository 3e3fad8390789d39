"""Partner datasets: data police.uk does not publish, uploaded as CSV or XLSX, checked, stored.

A partnership admin declares a dataset (:class:`DatasetSchema`): its columns, which one
holds the period (month or financial-year quarter), which the area (an LSOA, a ward or the
whole partnership), which are categories, whether one column is a count or each row is one
record, and an optional outcome. Analysts then upload files against it:

1. :func:`read_table` reads a CSV (UTF-8 with or without a byte order mark, CRLF or LF) or
   the first sheet of an XLSX workbook (values only; a cell holding a formula is an error:
   formulas are never evaluated);
2. :func:`validate` checks every row against the schema and the partnership's area codes
   and reports every problem as ``file:line: column: reason`` (at most :data:`MAX_ISSUES`,
   then "... and N more"); a file with any problem is refused whole;
3. :func:`store` publishes the rows in the warehouse as dataset
   ``partner_<partnership>_<dataset>`` (:func:`dataset_name`), one partition per period, with
   the same atomic manifest switch as police.uk files. The periods in the file replace those
   periods; other periods stay as they were.

:func:`load_file` does the three steps. :func:`connect <saferstat.analytics.warehouse.connect>`
adds the view ``partner_records`` (every partner row, with the LSOA 2021, ward and local
authority of its area), and :func:`partner_counts` counts it like
:func:`saferstat.analytics.measures.counts` counts crimes: periods with no data loaded are
reported as missing, never counted as zero.

The rules are written out for users in ``docs/partner-data.md``.

The package, by concern: :mod:`.schema` (vocabulary, limits, the declared schema),
:mod:`.files` (reading CSV and XLSX with line numbers), :mod:`.validation` (checking rows),
:mod:`.storing` (publishing in the warehouse) and :mod:`.counts` (the counts). The stored
columns and the ``partner_records`` view are the warehouse's
(:mod:`saferstat.analytics.warehouse.catalogue`), so the warehouse never imports this package.
"""

from __future__ import annotations

from saferstat.analytics.partner.counts import (
    PartnerCountsResult,
    dataset_granularity,
    expected_periods,
    known_area_codes,
    latest_year,
    loaded_periods,
    partner_counts,
    period_label_of,
)
from saferstat.analytics.partner.files import (
    SUFFIXES,
    RawTable,
    read_table,
)
from saferstat.analytics.partner.schema import (
    AREA_LEVEL_NAMES,
    AREA_LEVELS,
    AREA_PATTERNS,
    BLANK,
    COLUMN_TYPES,
    COUNT_BY,
    DATASET_PREFIX,
    FIRST_YEAR,
    GRANULARITIES,
    LAST_YEAR,
    MAX_BLANK_ROWS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_COUNT,
    MAX_FILE_COLUMNS,
    MAX_ISSUES,
    MAX_LINE_BYTES,
    MAX_ROWS,
    MAX_VALUE_CHARS,
    MAX_XLSX_UNPACKED_BYTES,
    NO_WARD,
    SLUG_PATTERN,
    STORED_SCHEMA,
    AreaLevel,
    Column,
    ColumnType,
    DatasetSchema,
    Granularity,
    PartnerValidationError,
    SchemaError,
    dataset_name,
)
from saferstat.analytics.partner.storing import (
    StoreResult,
    load_file,
    store,
)
from saferstat.analytics.partner.validation import (
    ValidatedFile,
    validate,
)

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "AREA_LEVELS",
    "AREA_LEVEL_NAMES",
    "AREA_PATTERNS",
    "AreaLevel",
    "BLANK",
    "COLUMN_TYPES",
    "COUNT_BY",
    "Column",
    "ColumnType",
    "DATASET_PREFIX",
    "DatasetSchema",
    "GRANULARITIES",
    "Granularity",
    "MAX_BLANK_ROWS",
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_COUNT",
    "MAX_FILE_COLUMNS",
    "MAX_ISSUES",
    "MAX_LINE_BYTES",
    "MAX_ROWS",
    "MAX_VALUE_CHARS",
    "MAX_XLSX_UNPACKED_BYTES",
    "NO_WARD",
    "PartnerCountsResult",
    "PartnerValidationError",
    "RawTable",
    "SLUG_PATTERN",
    "STORED_SCHEMA",
    "SUFFIXES",
    "SchemaError",
    "StoreResult",
    "ValidatedFile",
    "dataset_granularity",
    "dataset_name",
    "expected_periods",
    "known_area_codes",
    "latest_year",
    "load_file",
    "loaded_periods",
    "partner_counts",
    "period_label_of",
    "read_table",
    "store",
    "validate",
]
