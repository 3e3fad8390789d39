"""Read and validate one police.uk street-level crime file.

police.uk publishes one file per force per month, named ``YYYY-MM-<force-slug>-street.csv``
(``2024-12-south-yorkshire-street.csv``), with 12 columns in a fixed order. We accept the file
plain or gzip-compressed (``.csv.gz``), with CRLF or LF line endings and with or without a
UTF-8 byte order mark.

A file is accepted whole or refused whole. :func:`read_street_file` returns the rows as an
Arrow table (the stored schema, :data:`STORED_SCHEMA`) or raises
:class:`PoliceUkValidationError` listing every problem found (up to :data:`MAX_ISSUES`) as
``file:line: field: reason``.

Two passes, for speed. The fast pass parses the whole file with ``pyarrow.csv`` (every column
as a string) and checks every rule with vectorised ``pyarrow.compute``; a clean file never
leaves it. If anything at all looks wrong (a rule fails, Arrow cannot parse the file, or the
file has line breaks that are not one per row), the careful pass re-reads the file with the
``csv`` module, which knows the exact line of every row, and produces the error list. The
careful pass is the reference: the fast pass only accepts what the careful pass would accept.

Every row keeps ``source_line``, the line of the original file it starts on (the header is
line 1), so each figure can be traced back to its rows.

The package, by concern: :mod:`.schema` (columns, crime types, the stored schema, file
names), :mod:`.unpack` (gzip limits), :mod:`.rows` (the two passes) and :mod:`.reader`
(:func:`read_street_file`). The CSV reader and the problem types are shared with the other
importers (:mod:`saferstat.analytics.importing`).
"""

from __future__ import annotations

from saferstat.analytics.importing import (
    MAX_LINE_BYTES,
    FileValidationError,
    IssueCollector,
    ValidationIssue,
    iter_lines,
)
from saferstat.analytics.policeuk.reader import (
    count_data_rows,
    read_street_file,
)
from saferstat.analytics.policeuk.rows import (
    _careful_pass,
    _fast_pass,
)
from saferstat.analytics.policeuk.schema import (
    COLUMN_NAMES,
    COLUMNS,
    CRIME_TYPES,
    FILE_NAME_HELP,
    FILE_NAME_RE,
    LSOA_CODE_PATTERN,
    MAX_BLANK_LINES,
    MAX_ISSUES,
    NUMBER_PATTERN,
    STORED_SCHEMA,
    PoliceUkValidationError,
    StreetFile,
    StreetFileName,
    parse_file_name,
)
from saferstat.analytics.policeuk.unpack import (
    MAX_DECOMPRESSED_BYTES,
    MAX_UNPACK_RATIO,
    RATIO_FLOOR_BYTES,
    UnpackLimits,
)

__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "CRIME_TYPES",
    "FILE_NAME_HELP",
    "FILE_NAME_RE",
    "FileValidationError",
    "IssueCollector",
    "LSOA_CODE_PATTERN",
    "MAX_BLANK_LINES",
    "MAX_DECOMPRESSED_BYTES",
    "MAX_ISSUES",
    "MAX_LINE_BYTES",
    "MAX_UNPACK_RATIO",
    "NUMBER_PATTERN",
    "PoliceUkValidationError",
    "RATIO_FLOOR_BYTES",
    "STORED_SCHEMA",
    "StreetFile",
    "StreetFileName",
    "UnpackLimits",
    "ValidationIssue",
    "_careful_pass",
    "_fast_pass",
    "count_data_rows",
    "iter_lines",
    "parse_file_name",
    "read_street_file",
]
