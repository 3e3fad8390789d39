"""The glossary: plain-English meanings of the terms SaferStat's pages use.

Pages link a term's first use to its entry with `{% glossary "asb" %}` (see
saferstat/core/templatetags/saferstat.py and docs/frontend.md). Keep each meaning short,
in words a councillor would use, and say what it means for reading the figures.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    slug: str
    term: str
    meaning: str
    use: str = ""  # the words a page shows when it links the term, if not `term`


TERMS: tuple[Term, ...] = (
    Term(
        "asb",
        "Anti-social behaviour (ASB)",
        "Behaviour that causes, or is likely to cause, harassment, alarm or distress, such as "
        "nuisance neighbours or rowdy groups. police.uk reports it next to crime, but it is "
        "not a crime, so SaferStat shows totals with and without it.",
        "anti-social behaviour (ASB)",
    ),
    Term(
        "spc",
        "Statistical process control (SPC)",
        "A way of reading a monthly chart that separates ordinary ups and downs from real "
        "change. The chart shows the average and the process limits: the range the figures "
        "would normally stay within by chance.",
        "statistical process control (SPC)",
    ),
    Term(
        "common-cause",
        "Common cause variation",
        "The changes are within what we would expect by chance; no sign of a real change.",
    ),
    Term(
        "special-cause",
        "Special cause variation",
        "A change larger or longer than chance would explain, for example a month outside "
        "the process limits or a long run above or below the average. Something real has "
        "probably changed; it may be an improvement or a concern.",
    ),
    Term(
        "process-limits",
        "Process limits (lower and upper)",
        "The lowest and highest monthly figures we would expect from ordinary variation: the "
        "average plus or minus 2.66 times the average month-to-month change. A month outside "
        "them is a sign of real change.",
        "process limits",
    ),
    Term(
        "rate-per-1000",
        "Rate per 1,000 residents",
        "The number of records for every 1,000 people living in the area (Census 2021). "
        "It lets areas of different sizes be compared fairly.",
        "rate per 1,000",
    ),
    Term(
        "confidence-interval",
        "Confidence interval",
        "The range a rate would probably fall in if chance had played out differently. A "
        "95% interval is wide for small numbers and narrow for large ones. When two areas' "
        "intervals do not overlap, the difference is unlikely to be chance.",
        "confidence interval",
    ),
    Term(
        "byar",
        "Byar's and exact intervals",
        "Two ways to work out a confidence interval for a count of events. Byar's method is a "
        "close approximation used for rates; the exact (Poisson) method is used for small "
        "counts and for testing whether a change is significant.",
        "Byar's interval",
    ),
    Term(
        "significance",
        "Significant (statistically)",
        "A difference or change is significant when it is unlikely to be chance: SaferStat "
        "uses a 5% level (p < 0.05). A change that is not significant may just be noise, "
        "even if it looks large.",
        "significant",
    ),
    Term(
        "p-value",
        "P-value",
        "How likely a change at least this large would be if nothing had really changed. "
        "Below 0.05 (5%) SaferStat calls the change significant.",
        "p-value",
    ),
    Term(
        "harm-index",
        "Harm index (Cambridge Crime Harm Index)",
        "A way to weigh crimes by how harmful they are: each crime counts as the number of "
        "days in prison a first offender would get for it under the sentencing guidelines. "
        "It shows where the most serious harm is, not just the most crime. Anti-social "
        "behaviour is left out.",
        "harm index",
    ),
    Term(
        "lsoa",
        "Lower layer super output area (LSOA)",
        "A small area the Office for National Statistics defines, with about 1,500 residents. "
        "police.uk gives each crime's LSOA, and SaferStat adds them up into wards and "
        "partnerships.",
        "LSOA",
    ),
    Term(
        "ward-vintage",
        "Ward vintages",
        "Ward boundaries change from time to time. A vintage is the set of boundaries in force "
        "on a date, for example May 2024 wards. Figures are always given for one named "
        "vintage so they can be compared.",
        "ward vintage",
    ),
    Term(
        "financial-year",
        "Financial year",
        "April to the following March, written 2024/25. Partnership plans and reports use "
        "financial years.",
        "financial year",
    ),
    Term(
        "funnel-plot",
        "Funnel plot",
        "A chart of rates against population. The funnel shows how far from the group rate an "
        "area could be by chance; it is wider for small areas. Areas outside it are unusual.",
        "funnel plot",
    ),
)
BY_SLUG = {t.slug: t for t in TERMS}
