"""Independent calculations for the intelligence tests (harm, hotspots, comparison, series).

Reads the raw police.uk files in ``demo_data/police-uk`` with ``gzip`` and ``csv`` and the
ONS CSVs with ``csv``, and applies the documented rules itself (docs/analytics.md,
docs/warehouse.md); it never calls the importer or the code under test. Statistics are
computed from their formulas with the standard library only (no scipy):

* Byar's interval: ``O(1 − 1/(9O) − z/(3√O))³`` and ``(O+1)(1 − 1/(9(O+1)) + z/(3√(O+1)))³``;
* the conditional exact Poisson test: exact binomial test of ``n2`` in ``n1 + n2`` against
  ``e2 / (e1 + e2)``, two-sided by summing outcomes no more likely than the observed one.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from statistics import NormalDist

DEMO = Path(__file__).resolve().parents[2] / "demo_data"
POLICE = DEMO / "police-uk"
ONS = DEMO / "ons"
BOUNDARIES = DEMO / "boundaries"
LSOA11_TO_21 = (
    ONS / "LSOA_(2011)_to_LSOA_(2021)_to_Local_Authority_District_(2022)_Lookup_for_England_"
    "and_Wales.csv"
)
LSOA21_TO_WARD = ONS / "LSOA21_WD24_LAD24_EW_LU.csv"
LA_CODES = ONS / "la_all_codes.csv"
CENSUS = ONS / "census2021_usual_residents_by_lsoa21.csv"

ROTHERHAM = "E08000018"
BARNSLEY_OLD, BARNSLEY = "E08000016", "E08000038"
DONCASTER = "E08000017"
SHEFFIELD_OLD, SHEFFIELD = "E08000019", "E08000039"
ASB = "Anti-social behaviour"
WEAPONS = "Possession of weapons"

#: CCHI category weights in days (low, high) as published in DOMAIN.md section 3 and the
#: source document it cites; typed in here, not read from the code's table.
CCHI_DAYS = {
    "Violence and sexual offences": (159.07, 235.12),
    "Burglary": (190.70, 252.52),
    "Robbery": (365.0, 365.0),
    "Possession of weapons": (273.75, 273.75),
    "Criminal damage and arson": (4.94, 18.19),
    "Drugs": (3.25, 3.96),
    "Other theft": (2.0, 2.0),
    "Theft from the person": (2.0, 2.0),
    "Bicycle theft": (2.0, 2.0),
    "Shoplifting": (1.0, 1.0),
    "Vehicle crime": (5.0, 5.0),
    "Public order": (7.5, 7.5),
    "Other crime": (10.0, 10.0),
}


def central(crime_type: str) -> float:
    """The documented central weight: the middle of the range."""
    low, high = CCHI_DAYS[crime_type]
    return (low + high) / 2


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@cache
def ward_of_lsoa21() -> dict[str, tuple[str, str, str, str]]:
    """LSOA21CD -> (WD24CD, WD24NM, LAD24CD, LSOA21NM)."""
    return {
        r["LSOA21CD"]: (r["WD24CD"], r["WD24NM"], r["LAD24CD"], r["LSOA21NM"])
        for r in _read_csv(LSOA21_TO_WARD)
    }


@cache
def census() -> dict[str, int]:
    """LSOA21CD -> Census 2021 usual residents (the Nomis export has footer lines)."""
    with open(CENSUS, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        assert next(reader)[1] == "LSOA21CD"
        return {row[1]: int(row[2]) for row in reader if len(row) == 3 and row[2].isdigit()}


@cache
def lsoa11_parts() -> dict[str, tuple[str, ...]]:
    parts: dict[str, list[str]] = defaultdict(list)
    for r in _read_csv(LSOA11_TO_21):
        parts[r["F_LSOA11CD"]].append(r["LSOA21CD"])
    return {k: tuple(v) for k, v in parts.items()}


def lsoa11_to_21(code: str) -> str | None:
    """A 2011 LSOA's 2021 LSOA; a split goes to the most populous part (ties: lowest code)."""
    parts = lsoa11_parts().get(code)
    if not parts:
        return None
    return min(parts, key=lambda c: (-census()[c], c))


@cache
def authority(code: str) -> frozenset[str]:
    """Every code of the authority (same LADCD_ACTIVE in la_all_codes.csv)."""
    rows = _read_csv(LA_CODES)
    active = {r["LADCD"]: r["LADCD_ACTIVE"] for r in rows}
    return frozenset(c for c, a in active.items() if a == active[code])


def active_name(code: str) -> str:
    rows = {r["LADCD"]: r["LADNM_ACTIVE"] for r in _read_csv(LA_CODES)}
    return rows[code]


def file_of(month: str) -> Path:
    return POLICE / f"{month}-south-yorkshire-street.csv.gz"


def has_file(month: str) -> bool:
    return file_of(month).exists()


@cache
def raw_month(month: str) -> tuple[tuple[str, str | None, str | None, str | None, str | None], ...]:
    """Every row of a month: (crime type, LSOA21, ward code, ward name, LAD), None = no place."""
    vintage = 2011 if month < "2022-01" else 2021
    rows = []
    with gzip.open(file_of(month), "rb") as gz:
        for r in csv.DictReader(io.TextIOWrapper(gz, encoding="utf-8-sig", newline="")):
            assert r["Month"] == month
            code = r["LSOA code"].strip()
            lsoa21 = (lsoa11_to_21(code) if vintage == 2011 else code) if code else None
            ward = ward_of_lsoa21().get(lsoa21) if lsoa21 else None
            if ward is None:
                rows.append((r["Crime type"], None, None, None, None))
            else:
                rows.append((r["Crime type"], lsoa21, ward[0], ward[1], ward[2]))
    return tuple(rows)


def rows_in(codes: Iterable[str], months: Iterable[str]):
    """(month, crime type, LSOA21, ward code, ward name) of an authority's rows."""
    lads = frozenset().union(*(authority(c) for c in codes))
    for month in months:
        if not has_file(month):
            continue
        for crime_type, lsoa21, ward_code, ward_name, lad in raw_month(month):
            if lad in lads:
                yield month, crime_type, lsoa21, ward_code, ward_name


def count(codes, months, crime_types=None) -> int:
    return sum(1 for r in rows_in(codes, months) if crime_types is None or r[1] in crime_types)


def count_by(codes, months, index: int, crime_types=None) -> Counter:
    """Counts keyed by field ``index`` of :func:`rows_in` (1 type, 2 LSOA21, 3 ward code)."""
    return Counter(
        r[index] for r in rows_in(codes, months) if crime_types is None or r[1] in crime_types
    )


def population(codes: Iterable[str]) -> int:
    lads = frozenset().union(*(authority(c) for c in codes))
    return sum(census()[k] for k, v in ward_of_lsoa21().items() if v[2] in lads)


def ward_population(ward_code: str) -> int:
    return sum(census()[k] for k, v in ward_of_lsoa21().items() if v[0] == ward_code)


# --- statistics from their formulas ----------------------------------------------------


def z(confidence: float) -> float:
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def byar(o: float, confidence: float = 0.95) -> tuple[float, float]:
    zz = z(confidence)
    lower = 0.0 if o == 0 else max(0.0, o * (1 - 1 / (9 * o) - zz / (3 * math.sqrt(o))) ** 3)
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + zz / (3 * math.sqrt(o + 1))) ** 3
    return lower, upper


def poisson_p_value(n1: int, n2: int, e1: float, e2: float) -> float:
    """Two-sided conditional exact test of n2 in n1 + n2 against e2 / (e1 + e2)."""
    n = n1 + n2
    if n == 0:
        return 1.0
    p = e2 / (e1 + e2)

    def pmf(k: int) -> float:
        return math.exp(
            math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + k * math.log(p) + (n - k) * math.log1p(-p)
        )  # fmt: skip

    observed = pmf(n2)
    return min(1.0, sum(pmf(k) for k in range(n + 1) if pmf(k) <= observed * (1 + 1e-7)))


def solve(f, low: float, high: float) -> float:
    """Bisection for an increasing function with f(low) < 0 < f(high)."""
    for _ in range(200):
        mid = (low + high) / 2
        if f(mid) < 0:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def months_between(start: str, end: str) -> list[str]:
    y, m = map(int, start.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
