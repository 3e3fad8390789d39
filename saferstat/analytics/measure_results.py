"""The results of the measures (:mod:`saferstat.analytics.measures`): counts, rows, the overview.

Plain frozen dataclasses, re-exported by :mod:`saferstat.analytics.measures`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from saferstat.analytics.coverage import Freshness
from saferstat.analytics.periods import Period
from saferstat.analytics.seasonal import SeasonMatch

GEOGRAPHY_LSOA = "LSOA 2021"
GEOGRAPHY_WARD = "ward 2024"
GEOGRAPHY_NOTE = (
    "Figures use 2021 LSOAs and the current (2024) ONS wards. Records that police.uk coded to "
    "2011 LSOAs (months before 2022) were mapped to 2021 LSOAs with the ONS LSOA 2011 to 2021 "
    "lookup (unchanged, split and merged areas)."
)

CountBy = Literal["crime_type", "ward", "month"]


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CountsResult:
    """Counts of police.uk street-level records for an area and period, by one key.

    Attributes:
        by: ``crime_type``, ``ward`` (current ward name) or ``month``.
        period: the period asked for.
        area_codes: the local authority codes used (after adding former/new codes).
        rows: ``(key, count)`` sorted by key. For ``by='month'`` only loaded months appear.
        missing_months: months of the period with no loaded police.uk data (gaps).
        months_loaded: months of the period with loaded data.
    """

    by: str
    period: Period
    area_codes: tuple[str, ...]
    rows: list[tuple[str, int]]
    missing_months: list[str]
    months_loaded: list[str]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.rows)

    @property
    def is_complete(self) -> bool:
        return not self.missing_months

    def as_dict(self) -> dict[str, int]:
        return dict(self.rows)


@dataclass(frozen=True)
class CrimeTypeRow:
    """One line of the overview table (a police.uk crime type, or a total).

    Attributes:
        crime_type: police.uk category, or ``'All crime and ASB'`` / ``'All crime (excluding
            ASB)'`` for the totals.
        count: records in the period.
        rate_per_1000: ``count / population × 1000`` (not annualised).
        share_pct: ``count / all records × 100``.
        previous_count: records in the comparison period; ``None`` if it has no data.
        change_pct: change in the average per loaded month,
            ``((count / months) / (previous_count / previous_months) − 1) × 100``; equals the
            plain percentage change when both periods have the same number of months loaded.
            ``None`` without a comparison, ``inf`` from zero.
        p_value: two-sided conditional exact Poisson test with exposure = months loaded.
        is_significant: ``p_value < 0.05``.
        matched_count: when the comparison is season-matched (see
            :mod:`saferstat.analytics.seasonal`), records in the months of the period that
            are compared (``Overview.season_match.months``); ``previous_count`` is then the
            records in the same calendar months a year earlier, and the change compares the
            two. ``None`` when whole periods are compared.
    """

    crime_type: str
    count: int
    rate_per_1000: float
    share_pct: float
    previous_count: int | None
    change_pct: float | None
    p_value: float | None
    is_significant: bool
    matched_count: int | None = None


@dataclass(frozen=True)
class MonthValue:
    """One month of the trend: ``count`` is ``None`` for a gap (no data loaded)."""

    month: str
    count: int | None


@dataclass(frozen=True)
class WardRow:
    """One ward of the area: records, Census 2021 residents and rate per 1,000."""

    ward_code: str
    ward_name: str
    count: int
    population: int
    rate_per_1000: float | None


@dataclass(frozen=True)
class Geography:
    lsoa: str = GEOGRAPHY_LSOA
    ward: str = GEOGRAPHY_WARD
    note: str = GEOGRAPHY_NOTE


@dataclass(frozen=True)
class Overview:
    """Everything the crime overview page shows for one area and period.

    Attributes:
        area_codes: local authority codes used (after adding former/new codes).
        area_name: e.g. ``'Rotherham'``.
        period, comparison_period: the period and the one it is compared with.
        population: Census 2021 usual residents of the area.
        total: all police.uk street-level records (crime and ASB).
        total_excluding_asb: crime only.
        crime_types: one row per police.uk category present in either period, by name.
        monthly: every month of the period, ``count=None`` for a gap.
        wards: every ward of the area, by name.
        months_loaded, missing_months: for the period.
        comparison_months_loaded, comparison_missing_months: for the comparison period.
        records_from_lsoa11: records in the figures that were coded to 2011 LSOAs and mapped.
        records_ward_approximate: of those, records from 2011 LSOAs split across wards (given
            to the ward of the most populous part, so their ward is approximate).
        unknown_location: records with no LSOA, per force, in the period (in no area).
        freshness: latest loaded month and load time.
        geography: which geography the figures use.
        notes: plain-English caveats to print with the figures.
        season_match: the months compared when a period is incomplete and the comparison is a
            year apart (:func:`saferstat.analytics.seasonal.season_match`), else ``None``.
    """

    area_codes: tuple[str, ...]
    area_name: str
    period: Period
    comparison_period: Period
    population: int
    total: CrimeTypeRow | None
    total_excluding_asb: CrimeTypeRow | None
    crime_types: list[CrimeTypeRow]
    monthly: list[MonthValue]
    wards: list[WardRow]
    months_loaded: list[str]
    missing_months: list[str]
    comparison_months_loaded: list[str]
    comparison_missing_months: list[str]
    records_from_lsoa11: int
    records_ward_approximate: int
    unknown_location: dict[str, int]
    freshness: Freshness
    geography: Geography = field(default_factory=Geography)
    notes: list[str] = field(default_factory=list)
    season_match: SeasonMatch | None = None

    @property
    def comparison_label(self) -> str:
        """What the comparison column is headed: ``'Jan-Mar 2024'`` when season-matched,
        else the comparison period's label."""
        if self.season_match is not None:
            return self.season_match.comparison_label
        return self.comparison_period.label

    @property
    def is_complete(self) -> bool:
        return not self.missing_months

    @property
    def comparison_is_complete(self) -> bool:
        return not self.comparison_missing_months

    @property
    def has_data(self) -> bool:
        return bool(self.months_loaded)
