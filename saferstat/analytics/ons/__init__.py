"""ONS reference data (building the tables): LSOA -> ward -> local authority, LSOA 2011 -> 2021, population, codes.

:func:`build_reference_tables` reads the ONS folder (``demo_data/ons``) and returns the
tables the warehouse stores under ``reference/`` (see ``docs/warehouse.md``). Files are
recognised by their header, not their name, so a re-downloaded file with a different name
still works; a UTF-8 byte order mark is allowed (two ONS lookups start with one).

The rule for crimes coded with 2011 LSOAs (police.uk files before 2024 here): each 2011 LSOA
is mapped to one 2021 LSOA through the ONS LSOA 2011 -> 2021 lookup. Unchanged (``U``) and
merged (``M``) LSOAs have exactly one 2021 LSOA. A split (``S``, one 2011 LSOA became several
2021 LSOAs) or irregular change (``X``) has several: we pick the one with the largest Census
2021 population (ties: the lowest code), and take its ward and local authority. When the
candidates lie in different wards that assignment is an approximation, flagged by
``is_ward_approximate`` (3 of the 10 South Yorkshire splits; see ``docs/warehouse.md``).

:func:`area_codes` answers "which codes mean this local authority?", since some authorities
were recoded (Barnsley E08000016 -> E08000038, Sheffield E08000019 -> E08000039 in 2025) and
the lookups still use the old codes.
"""

from saferstat.analytics.ons.build import build_reference_tables
from saferstat.analytics.ons.files import find_sources
from saferstat.analytics.ons.schemas import (
    CHANGE_INDICATORS,
    SCHEMAS,
    SOURCES,
    TABLES,
    ReferenceDataError,
    ReferenceTables,
    SourceFile,
    SourceSpec,
)

__all__ = [
    "CHANGE_INDICATORS",
    "SCHEMAS",
    "SOURCES",
    "TABLES",
    "ReferenceDataError",
    "ReferenceTables",
    "SourceFile",
    "SourceSpec",
    "build_reference_tables",
    "find_sources",
]
