"""Scoring candidate issues on the matrix (MoRiLE-style): scores, spread between scorers, ranking."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..errors import NoDataError, QueryError

GROUPS = ("harm", "likelihood", "capacity")


@dataclass(frozen=True)
class Dimension:
    """One scored dimension: its group (harm, likelihood or capacity), scale and weight."""

    key: str
    label: str
    group: str
    low: int = 1
    high: int = 5
    weight: float = 1.0
    scale: tuple[str, ...] = ()  # what each point means, from low to high

    def check(self, value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise QueryError(f"{self.label}: a score must be a whole number")
        if not self.low <= value <= self.high:
            raise QueryError(f"{self.label}: a score must be from {self.low} to {self.high}")


@dataclass(frozen=True)
class Matrix:
    """A scoring matrix: its dimensions and how far apart two scorers' points on one
    dimension must be to flag it for discussion."""

    dimensions: tuple[Dimension, ...]
    disagreement: int = 2

    def __post_init__(self) -> None:
        keys = [d.key for d in self.dimensions]
        if len(set(keys)) != len(keys):
            raise QueryError("Each dimension needs its own key")
        for group in GROUPS:
            if not any(d.group == group for d in self.dimensions):
                raise QueryError(f"The matrix needs at least one {group} dimension")
        for d in self.dimensions:
            if d.group not in GROUPS:
                raise QueryError(f"{d.label}: group must be one of {', '.join(GROUPS)}")
            if d.high <= d.low or d.weight <= 0:
                raise QueryError(f"{d.label}: the scale must rise and the weight be positive")
        if self.disagreement < 1:
            raise QueryError("The disagreement threshold must be at least 1 point")

    def get(self, key: str) -> Dimension:
        for d in self.dimensions:
            if d.key == key:
                return d
        raise QueryError(f"No dimension {key!r} in this matrix")

    @property
    def highest(self) -> float:
        """The largest total a sheet can reach (every dimension at the top of its scale)."""
        return score({d.key: d.high for d in self.dimensions}, self).total

    def as_data(self) -> dict:
        return {
            "disagreement": self.disagreement,
            "dimensions": [
                {
                    "key": d.key,
                    "label": d.label,
                    "group": d.group,
                    "low": d.low,
                    "high": d.high,
                    "weight": d.weight,
                    "scale": list(d.scale),
                }
                for d in self.dimensions
            ],
        }

    @classmethod
    def from_data(cls, data: Mapping) -> Matrix:
        try:
            dims = tuple(
                Dimension(
                    key=str(d["key"]),
                    label=str(d["label"]),
                    group=str(d["group"]),
                    low=int(d.get("low", 1)),
                    high=int(d.get("high", 5)),
                    weight=float(d.get("weight", 1.0)),
                    scale=tuple(str(s) for s in d.get("scale", ())),
                )
                for d in data["dimensions"]
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise QueryError(f"The matrix is not well formed: {exc}") from None
        return cls(dims, int(data.get("disagreement", 2)))


#: The default matrix a new assessment starts with; a partnership may change every part.
DEFAULT_MATRIX = Matrix(
    (
        Dimension(
            "harm_individual",
            "Harm to individuals",
            "harm",
            scale=(
                "Minor, short-lived",
                "Moderate",
                "Serious",
                "Severe, lasting",
                "Life-changing or fatal",
            ),
        ),
        Dimension(
            "harm_community",
            "Harm to communities and the environment",
            "harm",
            scale=("Negligible", "Local, minor", "Noticeable", "Widespread", "Damages cohesion"),
        ),
        Dimension(
            "volume",
            "Likelihood or volume",
            "likelihood",
            scale=("Rare", "Occasional", "Regular", "Frequent", "Very frequent"),
        ),
        Dimension(
            "trend",
            "Trend",
            "likelihood",
            scale=(
                "Falling fast",
                "Falling",
                "Stable",
                "Rising",
                "Rising fast (special cause)",
            ),
        ),
        Dimension(
            "public_concern",
            "Public concern",
            "likelihood",
            scale=("Rarely raised", "Sometimes", "Often", "Very often", "Top concern"),
        ),
        Dimension(
            "capacity_gap",
            "Gap in the partnership's capacity and capability",
            "capacity",
            scale=(
                "Well resourced, working",
                "Mostly covered",
                "Partly covered",
                "Little in place",
                "Nothing in place",
            ),
        ),
    ),
    disagreement=2,
)


@dataclass(frozen=True)
class Score:
    """One scorer's sheet for one issue: group means, risk (harm x likelihood) and total
    (risk x capacity gap)."""

    harm: float
    likelihood: float
    capacity: float

    @property
    def risk(self) -> float:
        return self.harm * self.likelihood

    @property
    def total(self) -> float:
        return self.risk * self.capacity


def score(values: Mapping[str, int], matrix: Matrix) -> Score:
    """Score one sheet: the weighted mean of each group's dimensions, multiplied.

    Raises QueryError when a dimension is missing or out of its scale."""
    groups: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for d in matrix.dimensions:
        if d.key not in values or values[d.key] is None:
            raise QueryError(f"{d.label}: no score given")
        d.check(values[d.key])
        groups[d.group].append((values[d.key], d.weight))
    means = {
        g: sum(v * w for v, w in pairs) / sum(w for _, w in pairs) for g, pairs in groups.items()
    }
    return Score(means["harm"], means["likelihood"], means["capacity"])


@dataclass(frozen=True)
class Spread:
    """How scorers' points on one dimension (or totals) spread."""

    values: tuple[float, ...]
    low: float
    high: float
    median: float
    mean: float

    @property
    def range(self) -> float:
        return self.high - self.low


def spread(values: Iterable[float]) -> Spread:
    vals = tuple(sorted(values))
    if not vals:
        raise NoDataError("No scores yet")
    return Spread(vals, vals[0], vals[-1], statistics.median(vals), statistics.fmean(vals))


@dataclass(frozen=True)
class DimensionSpread:
    dimension: Dimension
    spread: Spread
    flagged: bool  # scorers differ by the matrix's disagreement threshold or more


def disagreement(sheets: Sequence[Mapping[str, int]], matrix: Matrix) -> list[DimensionSpread]:
    """Each dimension's spread across scorers' sheets, flagged where they are at least the
    matrix's threshold apart (one scorer alone is never flagged)."""
    out = []
    for d in matrix.dimensions:
        vals = [s[d.key] for s in sheets if s.get(d.key) is not None]
        if not vals:
            continue
        sp = spread(vals)
        out.append(DimensionSpread(d, sp, len(vals) > 1 and sp.range >= matrix.disagreement))
    return out


@dataclass(frozen=True)
class Ranked:
    key: str
    rank: int
    totals: Spread  # each scorer's total
    risk: float  # median harm x likelihood
    capacity: float  # median capacity gap
    scorers: int
    flagged: int  # dimensions where scorers disagree


def rank(issues: Mapping[str, Sequence[Mapping[str, int]]], matrix: Matrix) -> list[Ranked]:
    """The ranked list: by the median of scorers' totals (highest first), ties broken by the
    lowest total (the issue nobody scored low comes first), then by key. Issues without a
    sheet are left out."""
    rows = []
    for key, sheets in issues.items():
        if not sheets:
            continue
        scores = [score(s, matrix) for s in sheets]
        totals = spread(s.total for s in scores)
        flagged = sum(1 for d in disagreement(sheets, matrix) if d.flagged)
        rows.append(
            (
                key,
                totals,
                statistics.median(s.risk for s in scores),
                statistics.median(s.capacity for s in scores),
                len(sheets),
                flagged,
            )
        )
    rows.sort(key=lambda r: (-r[1].median, -r[1].low, r[0]))
    return [Ranked(k, i + 1, t, risk, cap, n, f) for i, (k, t, risk, cap, n, f) in enumerate(rows)]
