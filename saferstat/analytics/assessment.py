"""The strategic assessment's arithmetic: priority scores on a configurable harm x likelihood x
capacity matrix, where scorers disagree, the ranked list, consultation coverage against the
Census with Wilson score intervals, reweighting to the population, survey response checks and
the community tension trend. Pure Python; never imports Django (docs/assessment.md).

The scoring model is *modelled on* the thematic risk tools partnerships use (harm, likelihood,
organisational position); its scales and weights are the partnership's own and are shown on
screen. It is not any licensed tool and carries no such name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import NoDataError, QueryError

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


# --- consultation coverage -----------------------------------------------------------------

#: The groups a consultation's respondents are compared on, as the Census tables have them.
#: Age is for people aged 16 and over (TS009 bands); sex, disability and ethnic group are
#: all ages (the local authority tables are not split by age), which the page says.
COVERAGE_GROUPS: dict[str, tuple[str, ...]] = {
    "age": ("16-24", "25-34", "35-49", "50-64", "65-74", "75+"),
    "sex": ("Female", "Male"),
    "disability": ("Disabled", "Not disabled"),
    "ethnic_group": (
        "Asian, Asian British or Asian Welsh",
        "Black, Black British, Black Welsh, Caribbean or African",
        "Mixed or Multiple ethnic groups",
        "White",
        "Other ethnic group",
    ),
}
DIMENSION_LABELS = {
    "age": "Age (16 and over)",
    "sex": "Sex",
    "disability": "Disability (Equality Act)",
    "ethnic_group": "Ethnic group",
}


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval for a proportion k/n (95% by default)."""
    if n <= 0:
        raise QueryError("No responses to estimate a share from")
    if not 0 <= k <= n:
        raise QueryError("The count must be between 0 and the number of responses")
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class CoverageRow:
    dimension: str
    group: str
    responses: int
    answered: int  # responses that answered this question
    share: float
    low: float
    high: float
    population: int
    population_share: float
    verdict: str  # "under-represented", "over-represented" or "in line"

    @property
    def ratio(self) -> float:
        """Share of responses per share of population (1 = in proportion)."""
        return self.share / self.population_share if self.population_share else math.nan


def coverage(
    responses: Mapping[str, int],
    population: Mapping[str, int],
    *,
    dimension: str = "",
    margin: float = 0.0,
) -> list[CoverageRow]:
    """Each group's share of the responses that answered, with its Wilson interval, against
    its share of the population (each table's own total as the denominator).

    A group is *under-represented* when even the top of its interval is more than ``margin``
    (a proportion, e.g. 0.02 for two percentage points) below its population share, and
    *over-represented* when the bottom is more than ``margin`` above it.
    """
    if margin < 0:
        raise QueryError("The margin cannot be negative")
    unknown = set(responses) - set(population)
    if unknown:
        raise QueryError(f"No population for {', '.join(sorted(unknown))}")
    n = sum(responses.values())
    pop_total = sum(population.values())
    if pop_total <= 0:
        raise NoDataError("No population figures for this area")
    if n == 0:
        raise NoDataError("No responses answered this question")
    rows = []
    for group, pop in population.items():
        k = responses.get(group, 0)
        low, high = wilson(k, n)
        pshare = pop / pop_total
        if high < pshare - margin:
            verdict = "under-represented"
        elif low > pshare + margin:
            verdict = "over-represented"
        else:
            verdict = "in line"
        rows.append(CoverageRow(dimension, group, k, n, k / n, low, high, pop, pshare, verdict))
    return rows


def weights(responses: Mapping[str, int], population: Mapping[str, int]) -> dict[str, float]:
    """Post-stratification weights on one question: population share / response share, so
    the weighted responses have the population's mix. A group with no responses cannot be
    weighted up (it is reported, not invented): it has no weight."""
    n = sum(responses.values())
    pop_total = sum(population.values())
    if n == 0 or pop_total == 0:
        raise NoDataError("Nothing to weight")
    return {
        g: (population[g] / pop_total) / (responses[g] / n)
        for g in population
        if responses.get(g, 0) > 0
    }


def weighted_share(
    answers: Sequence[tuple[str, bool]], w: Mapping[str, float]
) -> tuple[float, float]:
    """The share saying yes, unweighted and weighted: ``answers`` is (group, said yes) for
    each respondent; respondents in a group without a weight count with weight 0."""
    if not answers:
        raise NoDataError("No answers")
    raw = sum(1 for _, yes in answers if yes) / len(answers)
    total = sum(w.get(g, 0.0) for g, _ in answers)
    if total == 0:
        raise NoDataError("No answers in a weighted group")
    return raw, sum(w.get(g, 0.0) for g, yes in answers if yes) / total


# --- reweighting to the population (raking) -----------------------------------------------


@dataclass(frozen=True)
class Weighting:
    """Respondents' weights from post-stratification to the population on ``dimensions``.

    ``weights[i]`` is respondent i's weight (mean 1 over those weighted), or None when they
    did not answer every weighting question (they are left out of weighted figures).
    ``targets`` are the population shares matched, per dimension, over the groups that have
    respondents (a group nobody in it answered cannot be weighted up: it is in ``missing``,
    and the others share its population)."""

    dimensions: tuple[str, ...]
    weights: tuple[float | None, ...]
    targets: dict[str, dict[str, float]]
    missing: dict[str, tuple[str, ...]]
    iterations: int

    @property
    def used(self) -> int:
        return sum(1 for w in self.weights if w is not None)

    @property
    def left_out(self) -> int:
        return len(self.weights) - self.used

    @property
    def effective_size(self) -> float:
        return effective_size([w for w in self.weights if w is not None])

    @property
    def design_effect(self) -> float:
        """Respondents weighted ÷ effective sample size (1 = no loss of precision)."""
        return self.used / self.effective_size

    @property
    def largest(self) -> float:
        return max(w for w in self.weights if w is not None)

    @property
    def smallest(self) -> float:
        return min(w for w in self.weights if w is not None)


def effective_size(w: Sequence[float]) -> float:
    """Kish's effective sample size of weights: (sum of w)^2 / sum of w^2."""
    squares = sum(x * x for x in w)
    if not w or squares == 0:
        raise NoDataError("No weighted responses")
    return sum(w) ** 2 / squares


def rake(
    respondents: Sequence[Mapping[str, str]],
    population: Mapping[str, Mapping[str, int]],
    dimensions: Sequence[str],
    *,
    tolerance: float = 1e-10,
    max_iterations: int = 1000,
) -> Weighting:
    """Weight respondents so that, on each of ``dimensions``, the weighted responses have
    the population's shares (post-stratification; on two or more dimensions, whose joint
    population is not published, by raking: iterative proportional fitting on each
    dimension's shares in turn until every one matches within ``tolerance``). On one
    dimension it is exactly population share ÷ response share.

    Respondents who did not answer a weighting question are left out (weight None).
    Raises NoDataError when no respondent answered them all, QueryError for an unknown
    dimension or when the fitting does not settle (a group empty in combination)."""
    dimensions = tuple(dict.fromkeys(dimensions))
    if not dimensions:
        raise QueryError("Choose at least one group to weight on")
    for dim in dimensions:
        if dim not in population or not population[dim]:
            raise QueryError(f"No population to weight {dim} on")
    used = [
        i
        for i, r in enumerate(respondents)
        if all(r.get(dim) in population[dim] for dim in dimensions)
    ]
    if not used:
        raise NoDataError("No respondent answered every question weighted on")
    targets: dict[str, dict[str, float]] = {}
    missing: dict[str, tuple[str, ...]] = {}
    for dim in dimensions:
        present = {respondents[i][dim] for i in used}
        total = sum(population[dim][g] for g in present)
        if total <= 0:
            raise NoDataError(f"No population for the groups answering {dim}")
        targets[dim] = {g: population[dim][g] / total for g in population[dim] if g in present}
        missing[dim] = tuple(g for g in population[dim] if g not in present)
    n = len(used)
    w = {i: 1.0 for i in used}
    iterations = 0
    while True:
        worst = 0.0
        for dim in dimensions:
            sums: dict[str, float] = defaultdict(float)
            for i in used:
                sums[respondents[i][dim]] += w[i]
            factor = {g: targets[dim][g] * n / sums[g] for g in sums}
            worst = max(worst, *(abs(f - 1) for f in factor.values()))
            for i in used:
                w[i] *= factor[respondents[i][dim]]
        iterations += 1
        if worst < tolerance:
            break
        if iterations >= max_iterations:
            raise QueryError("The weights did not settle: weight on fewer groups")
    return Weighting(
        dimensions,
        tuple(w.get(i) for i in range(len(respondents))),
        targets,
        missing,
        iterations,
    )


@dataclass(frozen=True)
class HeadlineRow:
    answer: str
    count: int
    share: float  # unweighted, of those who answered and were weighted
    weighted: float
    low: float  # 95% Wilson interval of the weighted share on the effective sample size
    high: float


def wilson_share(p: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval for a share ``p`` of an effective sample of ``n``."""
    if n <= 0:
        raise QueryError("No responses to estimate a share from")
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(max(p * (1 - p), 0.0) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def headline(answers: Sequence[str], weighting: Weighting) -> tuple[list[HeadlineRow], int, float]:
    """Each answer's share of the respondents who gave one (blank: did not answer),
    unweighted and weighted, with the weighted share's 95% interval on the effective sample
    size. Returns the rows (most common weighted first), how many answered and were
    weighted, and their effective sample size."""
    if len(answers) != len(weighting.weights):
        raise QueryError("One answer per respondent weighted")
    pairs = [(a, w) for a, w in zip(answers, weighting.weights, strict=True) if a and w]
    if not pairs:
        raise NoDataError("No weighted respondent answered the question")
    total = sum(w for _, w in pairs)
    n_eff = effective_size([w for _, w in pairs])
    counts = Counter(a for a, _ in pairs)
    rows = []
    for answer, k in counts.items():
        weighted = sum(w for a, w in pairs if a == answer) / total
        low, high = wilson_share(weighted, n_eff)
        rows.append(HeadlineRow(answer, k, k / len(pairs), weighted, low, high))
    rows.sort(key=lambda r: (-r.weighted, r.answer))
    return rows, len(pairs), n_eff


# --- census ---------------------------------------------------------------------------------


#: Local authorities whose code changed after the Census (boundary changes of 2023):
#: today's code -> the code Census 2021 tables use.
CENSUS_CODES = {"E08000038": "E08000016", "E08000039": "E08000019"}


def census_population(path: str | Path, lad_codes: Sequence[str]) -> dict[str, dict[str, int]]:
    """{dimension: {group: count}} for the local authorities given (summed), from the tidy
    Census 2021 extract (demo_data/census/census2021_south_yorkshire.csv)."""
    path = Path(path)
    if not path.exists():
        raise NoDataError(f"No Census file at {path}")
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    codes = {CENSUS_CODES.get(code, code) for code in lad_codes}
    with path.open(newline="", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            if rec["lad_code"] in codes:
                out[rec["dimension"]][rec["group"]] += int(rec["count"])
    if not out:
        raise NoDataError(f"No Census figures for {', '.join(sorted(codes)) or 'no area'}")
    return {
        dim: {g: out[dim][g] for g in COVERAGE_GROUPS[dim] if g in out[dim]}
        for dim in COVERAGE_GROUPS
        if dim in out
    }


# --- survey responses -----------------------------------------------------------------------

RESPONSE_COLUMNS = ("age", "sex", "disability", "ethnic_group", "area", "concern_theme")
#: Columns a survey export may have: the respondent's own words (personal data: shown to
#: analysts and admins only, never published, tagged by theme).
OPTIONAL_COLUMNS = ("free_text",)
FREE_TEXT_MAX = 5000
AGE_MIN, AGE_MAX = 16, 110


def age_band(age: int) -> str:
    for band in COVERAGE_GROUPS["age"]:
        if band.endswith("+"):
            return band
        lo, hi = (int(x) for x in band.split("-"))
        if lo <= age <= hi:
            return band
    raise QueryError(f"No band for age {age}")  # pragma: no cover (75+ takes the rest)


@dataclass
class ParsedResponses:
    rows: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_responses(
    text: str, *, areas: Iterable[str], themes: Iterable[str] = (), source: str = ""
) -> ParsedResponses:
    """Check a survey export given as CSV text (see :func:`check_responses`)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        header = []
    records = []
    line = reader.line_num + 1
    for values in reader:
        records.append((line, values))
        line = reader.line_num + 1
    return check_responses(header, records, areas=areas, themes=themes, source=source)


def _cell(value: object) -> str:
    """A cell as text: a spreadsheet's whole number 34.0 is '34'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_responses(
    header: Sequence[object],
    records: Iterable[tuple[int, Sequence[object]]],
    *,
    areas: Iterable[str],
    themes: Iterable[str] = (),
    source: str = "",
) -> ParsedResponses:
    """Check a survey export's rows (``(line, values)``, from a CSV file or the first sheet
    of an XLSX workbook, the header being line 1) with the columns ``RESPONSE_COLUMNS`` and
    perhaps ``free_text`` (the respondent's own words, at most ``FREE_TEXT_MAX`` characters).
    Every answer may be blank (prefer not to say), but a given one must be known: an age
    from 16 to 110, a sex, disability and broad ethnic group as the Census has them, an area
    of the partnership and, if themes are given, a known theme. Every bad row is reported as
    ``line N: column: reason`` (after ``source: `` when the file's name is given); when
    there is any, no row is returned."""
    result = ParsedResponses()
    prefix = f"{source}: " if source else ""
    names = [_cell(h).lower() for h in header]
    missing = [c for c in RESPONSE_COLUMNS if c not in names]
    if missing:
        result.errors.append(f"{prefix}line 1: the file has no column {', '.join(missing)}")
        return result
    areas_lower = {a.lower(): a for a in areas}
    themes_lower = {t.lower(): t for t in themes}
    allowed = {
        dim: {g.lower(): g for g in groups}
        for dim, groups in COVERAGE_GROUPS.items()
        if dim != "age"
    }
    rows: list[dict[str, str]] = []
    for line, values in records:
        rec = {name: _cell(v) for name, v in zip(names, values, strict=False) if name}
        if not any(rec.values()) and len(values) <= 1 and not _cell(values[0] if values else ""):
            continue  # an empty line: no respondent
        row: dict[str, str] = {}

        def refuse(column: str, reason: str, line: int = line) -> None:
            result.errors.append(f"{prefix}line {line}: {column}: {reason}")

        value = rec.get("age", "")
        if value:
            if not value.isdigit() or not AGE_MIN <= int(value) <= AGE_MAX:
                refuse("age", f"{value[:20]!r} is not an age from {AGE_MIN} to {AGE_MAX}")
            else:
                row["age"] = age_band(int(value))
        for dim, known in allowed.items():
            value = rec.get(dim, "")
            if value:
                if value.lower() not in known:
                    refuse(dim, f"{value[:40]!r} is not a known group")
                else:
                    row[dim] = known[value.lower()]
        value = rec.get("area", "")
        if value:
            if value.lower() not in areas_lower:
                refuse("area", f"{value[:40]!r} is not a ward here")
            else:
                row["area"] = areas_lower[value.lower()]
        value = rec.get("concern_theme", "")
        if value:
            if themes_lower and value.lower() not in themes_lower:
                refuse("concern_theme", f"{value[:40]!r} is unknown")
            else:
                row["concern_theme"] = themes_lower.get(value.lower(), value[:100])
        value = rec.get("free_text", "")
        if value:
            if len(value) > FREE_TEXT_MAX:
                refuse("free_text", f"longer than {FREE_TEXT_MAX:,} characters")
            else:
                row["free_text"] = value
        rows.append(row)
    if not rows and not result.errors:
        result.errors.append(f"{prefix}line 2: the file has no responses")
    if not result.errors:
        result.rows = rows
    return result


def counts_by(rows: Iterable[Mapping[str, str]], column: str) -> dict[str, int]:
    return dict(Counter(r[column] for r in rows if r.get(column)))


# --- community tension ----------------------------------------------------------------------

TENSION_LEVELS = ("low", "medium", "high", "critical")


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def tension_trend(
    reports: Iterable[tuple[dt.date, str]], *, start: dt.date, end: dt.date
) -> list[dict]:
    """Reports per week (Monday to Sunday) by level, from the week of ``start`` to the week
    of ``end``, with weeks without reports as zeros (a tension log is complete: no report is
    a real zero) and the highest level that week."""
    if end < start:
        raise QueryError("The trend must end after it starts")
    weeks: dict[dt.date, Counter] = {}
    day = week_start(start)
    while day <= end:
        weeks[day] = Counter()
        day += dt.timedelta(days=7)
    for when, level in reports:
        if level not in TENSION_LEVELS:
            raise QueryError(f"Unknown tension level {level!r}")
        key = week_start(when)
        if key in weeks:
            weeks[key][level] += 1
    out = []
    for wk, counter in weeks.items():
        top = next((lv for lv in reversed(TENSION_LEVELS) if counter[lv]), "")
        out.append(
            {
                "week": wk,
                **{lv: counter[lv] for lv in TENSION_LEVELS},
                "total": sum(counter.values()),
                "highest": top,
            }
        )
    return out


# --- scores proposed from the data ----------------------------------------------------------

#: Recorded crimes per 1,000 residents a year -> volume points: below 0.5 is 1, 0.5 to 2 is
#: 2, 2 to 5 is 3, 5 to 15 is 4, 15 and more is 5.
VOLUME_BANDS = (0.5, 2.0, 5.0, 15.0)
#: Average harm per record (days of the harm index) -> harm to individuals points: below 1
#: day is 1, 1 to 10 is 2, 10 to 100 is 3, 100 to 365 is 4, a year and more is 5.
HARM_BANDS = (1.0, 10.0, 100.0, 365.0)
#: A change of the last 12 months against the 12 before of at least this share (either
#: way) moves a trend with no special cause from "stable" to "rising" or "falling".
TREND_CHANGE = 0.10


@dataclass(frozen=True)
class Proposal:
    """A score proposed from the data for one dimension, with the reasoning in words."""

    dimension: str
    points: int
    reasoning: str


def _band(value: float, bands: Sequence[float]) -> int:
    return 1 + sum(1 for edge in bands if value >= edge)


def _fit(points: int, d: Dimension) -> int:
    """Points on a 1 to 5 scale moved onto the dimension's own scale."""
    if (d.low, d.high) == (1, 5):
        return points
    return round(d.low + (points - 1) * (d.high - d.low) / 4)


def propose_volume(d: Dimension, *, count: int, rate: float, period: str) -> Proposal:
    """Volume from the rate per 1,000 residents in a year (bands :data:`VOLUME_BANDS`)."""
    if rate is None or count is None:
        raise NoDataError("No count for the period")
    points = _fit(_band(rate, VOLUME_BANDS), d)
    return Proposal(
        d.key,
        points,
        f"{count:,} records in {period}, {rate:.2f} per 1,000 residents; the bands are "
        f"{', '.join(f'{b:g}' for b in VOLUME_BANDS)} per 1,000 (1 below the first, "
        f"5 from the last), so {points}.",
    )


def propose_trend(
    d: Dimension, *, variation: str | None, monthly: Sequence[int | None]
) -> Proposal:
    """Trend from the SPC verdict: special cause high is the top of the scale, special cause
    low the bottom; otherwise the last 12 months against the 12 before (rising or falling
    by :data:`TREND_CHANGE` or more), else stable (the middle)."""
    if variation is None:
        raise NoDataError("Not enough months for an SPC verdict")
    top, bottom = 5, 1
    if variation.endswith("_high"):
        points, why = top, "the latest months show special cause variation upwards"
    elif variation.endswith("_low"):
        points, why = bottom, "the latest months show special cause variation downwards"
    else:
        known = [v for v in monthly if v is not None]
        if len(known) >= 24 and sum(known[-24:-12]):
            last, before = sum(known[-12:]), sum(known[-24:-12])
            change = (last - before) / before
            if change >= TREND_CHANGE:
                points = 4
            elif change <= -TREND_CHANGE:
                points = 2
            else:
                points = 3
            why = (
                f"common cause variation (no sign of a real change); the last 12 months "
                f"({last:,}) against the 12 before ({before:,}) is {change:+.0%}, and "
                f"{TREND_CHANGE:.0%} either way counts as rising or falling"
            )
        else:
            points, why = 3, "common cause variation (no sign of a real change)"
    points = _fit(points, d)
    return Proposal(d.key, points, f"Statistical process control (SPC): {why}, so {points}.")


def propose_harm(d: Dimension, *, harm_days: float, crime_count: int, period: str) -> Proposal:
    """Harm to individuals from the average harm of a record (bands :data:`HARM_BANDS`)."""
    if not crime_count:
        raise NoDataError("No records with a harm weight")
    average = harm_days / crime_count
    points = _fit(_band(average, HARM_BANDS), d)
    return Proposal(
        d.key,
        points,
        f"Harm estimate for {period}: {harm_days:,.0f} days over {crime_count:,} records, "
        f"{average:,.1f} days a record on average; the bands are "
        f"{', '.join(f'{b:g}' for b in HARM_BANDS)} days (1 below the first, 5 from the "
        f"last), so {points}.",
    )


#: Share of respondents raising an issue -> public concern points: below 5% is 1, 5% to 10%
#: is 2, 10% to 20% is 3, 20% and more is 4; the issue raised most (by at least 10%) is 5.
CONCERN_BANDS = (0.05, 0.10, 0.20)
CONCERN_TOP_MIN = 0.10


def concern_raised(
    responses: Iterable[Mapping], themes_by_issue: Mapping[str, Iterable[str]]
) -> tuple[dict[str, int], int]:
    """How many respondents raised each issue: named one of its themes as their concern, or
    wrote free text tagged with one (each respondent once per issue, theme names compared
    without case). Returns the counts by issue and the number of respondents."""
    wanted = {key: {t.lower() for t in themes} for key, themes in themes_by_issue.items()}
    counts = dict.fromkeys(wanted, 0)
    n = 0
    for r in responses:
        n += 1
        said = {str(t).lower() for t in (r.get("tags") or [])}
        if r.get("concern_theme"):
            said.add(str(r["concern_theme"]).lower())
        for key, themes in wanted.items():
            if said & themes:
                counts[key] += 1
    return counts, n


def propose_concern(
    d: Dimension, *, raised: int, responses: int, most: int, themes: Sequence[str]
) -> Proposal:
    """Public concern from the share of respondents who raised the issue (bands
    :data:`CONCERN_BANDS`); the issue raised by the most respondents (``most``), by at
    least :data:`CONCERN_TOP_MIN` of them, is the top concern."""
    if responses <= 0:
        raise NoDataError("No consultation responses")
    share = raised / responses
    if raised and raised >= most and share >= CONCERN_TOP_MIN:
        points, why = 5, "the issue raised most, so the top of the scale"
    else:
        points = _band(share, CONCERN_BANDS)
        why = (
            f"the bands are {', '.join(f'{b:.0%}' for b in CONCERN_BANDS)} (1 below the "
            f"first, 4 from the last; 5 for the issue raised most)"
        )
    points = _fit(points, d)
    return Proposal(
        d.key,
        points,
        f"{raised:,} of {responses:,} consultation respondents ({share:.0%}) raised it "
        f"(named as their concern, or free text tagged {', '.join(themes)}); {why}, "
        f"so {points}.",
    )
