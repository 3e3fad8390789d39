"""Consultation coverage against the Census population, with Wilson intervals."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import NoDataError, QueryError

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
