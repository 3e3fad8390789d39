"""ONS reference data: the stored tables' schemas, the source files and the errors.

The package reads the ONS folder (``demo_data/ons``) and builds the tables the warehouse
stores under ``reference/`` (see ``docs/warehouse.md``); :mod:`saferstat.analytics.reference`
answers questions about them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from saferstat.analytics.importing import ValidationIssue

#: ONS LSOA 2011 -> 2021 change indicators: unchanged, split, merged, irregular.
CHANGE_INDICATORS = ("U", "S", "M", "X")

# --- stored schemas -------------------------------------------------------------------

SCHEMAS: dict[str, pa.Schema] = {
    "lsoa_lookup": pa.schema(
        [
            ("lsoa_code", pa.string()),
            ("lsoa_vintage", pa.int32()),
            ("lsoa21_code", pa.string()),
            ("ward_code", pa.string()),
            ("ward_name", pa.string()),
            ("lad_code", pa.string()),
            ("lad_name", pa.string()),
            ("lsoa_name", pa.string()),
            ("change_indicator", pa.string()),
            ("lsoa21_candidates", pa.int32()),
            ("is_ward_approximate", pa.bool_()),
        ]
    ),
    # One row per code, whichever vintage(s) it belongs to: what street_crimes joins to.
    # Codes valid in both vintages are the unchanged ones and map to themselves.
    "lsoa_by_code": pa.schema(
        [
            ("lsoa_code", pa.string()),
            ("in_2011", pa.bool_()),
            ("in_2021", pa.bool_()),
            ("lsoa21_code", pa.string()),
            ("ward_code", pa.string()),
            ("ward_name", pa.string()),
            ("lad_code", pa.string()),
        ]
    ),
    "lsoa11_lsoa21": pa.schema(
        [
            ("lsoa11_code", pa.string()),
            ("lsoa11_name", pa.string()),
            ("lsoa21_code", pa.string()),
            ("lsoa21_name", pa.string()),
            ("change_indicator", pa.string()),
            ("lad22_code", pa.string()),
            ("lad22_name", pa.string()),
        ]
    ),
    "lsoa11_ward19": pa.schema(
        [
            ("lsoa11_code", pa.string()),
            ("lsoa11_name", pa.string()),
            ("ward19_code", pa.string()),
            ("ward19_name", pa.string()),
            ("lad19_code", pa.string()),
            ("lad19_name", pa.string()),
        ]
    ),
    "lsoa21_population": pa.schema(
        [("lsoa21_code", pa.string()), ("population", pa.int64()), ("lsoa21_name", pa.string())]
    ),
    "la_codes": pa.schema(
        [
            ("lad_code", pa.string()),
            ("active_code", pa.string()),
            ("lad_name", pa.string()),
            ("active_name", pa.string()),
        ]
    ),
    "lsoa11_imd2019": pa.schema(
        [
            ("lsoa11_code", pa.string()),
            ("lsoa11_name", pa.string()),
            ("lad19_code", pa.string()),
            ("imd19_rank", pa.int64()),
        ]
    ),
}

#: Tables every reference load stores (all of :data:`SCHEMAS`).
TABLES: tuple[str, ...] = tuple(SCHEMAS)


@dataclass(frozen=True)
class SourceSpec:
    """How to recognise one ONS file by its header."""

    key: str
    title: str
    required: frozenset[str]
    optional: bool = False


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec(
        "ward24",
        "ONS LSOA (2021) to Electoral Ward (2024) to LAD (2024) lookup",
        frozenset({"LSOA21CD", "LSOA21NM", "WD24CD", "WD24NM", "LAD24CD", "LAD24NM"}),
    ),
    SourceSpec(
        "lsoa11_lsoa21",
        "ONS LSOA (2011) to LSOA (2021) to LAD (2022) lookup",
        frozenset({"LSOA11NM", "LSOA21CD", "LSOA21NM", "CHGIND", "LAD22CD", "LAD22NM"}),
    ),
    SourceSpec(
        "ward19",
        "ONS LSOA (2011) to Ward (2019) lookup",
        frozenset({"LSOA11CD", "LSOA11NM", "WD19CD", "WD19NM", "LAD19CD", "LAD19NM"}),
    ),
    SourceSpec(
        "population",
        "Census 2021 usual residents by LSOA 2021 (Nomis export)",
        frozenset({"LSOA21CD", "2021"}),
    ),
    SourceSpec(
        "la_codes",
        "Local authority codes, all vintages (la_all_codes.csv)",
        frozenset({"LADCD", "LADNM", "LADCD_ACTIVE", "LADNM_ACTIVE"}),
    ),
    SourceSpec(
        "imd2019",
        "Index of Multiple Deprivation 2019 lookup",
        frozenset({"LSOA11CD", "LSOA11NM", "LAD19CD", "IMD19"}),
        optional=True,
    ),
)


class ReferenceDataError(ValueError):
    """The ONS folder is incomplete or a file breaks a rule. Nothing was stored.

    Attributes:
        errors: the problems (``file:line: field: reason``), at most :data:`MAX_ISSUES`.
        total: how many problems there are in all.
    """

    def __init__(self, message: str, errors: list[ValidationIssue] | None = None, total: int = 0):
        self.errors = list(errors or [])
        self.total = max(total, len(self.errors))
        lines = [message] + [f"  {e}" for e in self.errors]
        if self.total > len(self.errors):
            lines.append(f"  ... and {self.total - len(self.errors):,} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class SourceFile:
    """One ONS file that was read."""

    key: str
    path: Path
    sha256: str
    rows: int


@dataclass
class ReferenceTables:
    """Everything :func:`build_reference_tables` produced."""

    tables: dict[str, pa.Table]
    sources: dict[str, SourceFile]
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
