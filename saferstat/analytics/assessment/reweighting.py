"""Reweighting consultation responses to the population (post-stratification, raking)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import NoDataError, QueryError

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
