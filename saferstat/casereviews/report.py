"""The annual report's case review section: the four figures the relevant bodies must
publish every year (ASB, Crime and Policing Act 2014 s.104(10)), for the report's financial
year, computed from the records by `selectors.year_figures` (never typed).

Registered in the reports' section registry (`reports.sections.register`) when the app is
ready, in the place the reports app keeps for it. The counts are counts of victims'
applications, so every cell is marked sensitive: the report's disclosure control
(`reports.selectors.disclose`) applies to them in the public version (0 stays 0, 1 to 7 as
*, others rounded to the nearest 5); the internal version shows the true counts.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from saferstat.reports.sections import ANNUAL_AND_PACK, Context, Section, cell

KEY = "case-reviews"

#: (YearFigures attribute, row label), in the order the law lists them.
FIGURES = (
    ("applications", "Applications for an ASB case review received"),
    ("threshold_not_met", "Applications where the threshold for a review was not met"),
    ("reviews", "ASB case reviews carried out"),
    ("with_recommendations", "Case reviews that led to recommendations"),
)


def build_case_reviews(ctx: Context) -> dict[str, Any]:
    from . import selectors

    year = ctx.financial_year.label
    figures = next((y for y in selectors.year_figures(ctx.partnership) if y.year == year), None)
    if figures is None:
        return {
            "paragraphs": [
                f"No ASB case review application or review is recorded in SaferStat for {year}."
            ]
        }
    url = reverse("casereviews:figures", args=[ctx.partnership.slug])
    source = f"{url} (casereviews.selectors.year_figures, {year})"
    rows = [
        {
            "label": label,
            "cells": [cell(getattr(figures, key), "count", sensitive=True, source=source)],
        }
        for key, label in FIGURES
    ]
    return {
        "paragraphs": [
            "A victim of persistent anti-social behaviour may ask the partnership's relevant "
            "bodies to review their case (the ASB case review, or Community Trigger). The law "
            "requires these four figures to be published every year.",
            "Applications and those not meeting the threshold are counted by the date the "
            "application was received; reviews by the date the review was held.",
        ],
        "tables": [
            {
                "key": KEY,
                "caption": f"ASB case reviews, {year}",
                "columns": ["Figure", "Number"],
                "rows": rows,
                "source": {
                    "label": "Case review figures",
                    "url": url,
                    "detail": "computed from the case records (casereviews.selectors.year_figures)",
                },
            }
        ],
    }


SECTION = Section(
    KEY,
    "ASB case reviews (the Community Trigger)",
    ANNUAL_AND_PACK,
    build_case_reviews,
    template="reports/sections/_case_reviews.html",
)
