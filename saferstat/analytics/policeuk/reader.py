"""Reading one police.uk street file (the two passes, after unpacking)."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from saferstat.analytics.importing import (  # noqa: F401 (re-exported)
    BOM as _BOM,
)
from saferstat.analytics.policeuk.rows import (
    _careful_pass,
    _fast_pass,
)
from saferstat.analytics.policeuk.schema import (
    _GZIP_MAGIC,
    MAX_ISSUES,
    StreetFile,
    parse_file_name,
)
from saferstat.analytics.policeuk.unpack import (
    UnpackLimits,
    _decompress,
    _decompress_carefully,
    _measure,
)


def read_street_file(
    path: str | Path,
    *,
    name: str | None = None,
    max_issues: int = MAX_ISSUES,
    limits: UnpackLimits | None = None,
) -> StreetFile:
    """Read and validate one police.uk street file.

    Args:
        path: the file, plain ``.csv`` or ``.csv.gz``.
        name: the file's real name if ``path`` is a temporary copy (an upload); the month and
            force are taken from it. Defaults to the name of ``path``.
        max_issues: list at most this many problems.
        limits: how far a ``.csv.gz`` may unpack (default :class:`UnpackLimits`). A file
            that unpacks further is refused after a first pass that keeps nothing in memory
            (it only counts), so a gzip bomb costs a little time and no memory.

    Returns:
        The validated file.

    Raises:
        PoliceUkValidationError: the file breaks a rule; ``.errors`` says where and why.
        OSError: the file cannot be read.
    """
    started = time.perf_counter()
    path = Path(path)
    display = Path(name).name if name else path.name
    parsed = parse_file_name(display)
    limits = limits or UnpackLimits()
    sha256, allowed = _measure(path, display, parsed.gzip, limits)
    raw = path.read_bytes()
    data = _decompress(raw, display, parsed.gzip, allowed)
    table = _fast_pass(data, parsed.month)
    careful = table is None
    if careful:
        table = _careful_pass(data, display, parsed.month, max_issues)
    return StreetFile(
        name=display,
        force_slug=parsed.force_slug,
        month=parsed.month,
        table=table,
        rows=table.num_rows,
        source_sha256=sha256,
        source_bytes=len(raw),
        seconds=time.perf_counter() - started,
        careful=careful,
        decompressed_bytes=len(data),
    )


def count_data_rows(path: str | Path) -> int:
    """Count data rows with the csv module alone (a cross-check for tests and ``saferstat``).

    Blank lines are not rows; the header is not a row.
    """
    raw = Path(path).read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        raw = _decompress_carefully(raw, Path(path).name)
    text = raw.decode("utf-8-sig")
    return sum(1 for row in csv.reader(io.StringIO(text, newline="")) if row) - 1
