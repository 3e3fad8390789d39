"""Report sections from other records: the strategic assessment (its signed document's
summary, the priorities it chose and the links to it, from `saferstat.assessment.selectors`)
and the contacts directory (the support services kept as records in `reports`, then the
partnership's organisations, and each priority's lead as a
role with their organisation, from `core` and `plan`: roles, never people's names)."""

from __future__ import annotations

from django.urls import reverse

from .sections import ANNUAL_AND_PACK, SCRUTINY, Context, Section, cell, register


def _signed_assessment(ctx: Context):
    """The signed-off assessment that belongs with the report's year: the one for the year
    after (written during the report's year to set next year's priorities), else the one
    for the year itself."""
    from saferstat.assessment.selectors import assessment_list

    fy = ctx.financial_year
    start = int(fy.start[:4])
    wanted = [f"{start + 1}/{str(start + 2)[-2:]}", fy.label]
    signed = {a.year: a for a in assessment_list(partnership=ctx.partnership) if a.is_signed_off}
    for year in wanted:
        if year in signed:
            return signed[year]
    return None


def build_assessment(ctx: Context) -> dict:
    """The strategic assessment: its summary, when it was signed off, the priorities it
    chose (assessment.selectors.ranking), and links to the document and its PDF. The
    document's figures stay in the document (frozen at sign-off); none is copied here."""
    from saferstat.assessment.selectors import ranking

    assessment = _signed_assessment(ctx)
    fy = ctx.financial_year
    if assessment is None:
        return {
            "paragraphs": [
                f"No strategic assessment for {fy.label} or the year after has been signed off."
            ]
        }
    slug = ctx.partnership.slug
    document = reverse("assessment:document", args=[slug, assessment.pk])
    pdf = reverse("assessment:document_pdf", args=[slug, assessment.pk])
    ranked = ranking(assessment)
    chosen = [r for r in ranked if r.issue.chosen]
    items = [
        {
            "text": f"{r.issue.name}"
            + (f" (ranked {r.ranked.rank} of {len(ranked)})" if r.ranked else " (not scored)")
            + (f": {r.issue.plan_priority.name} in the plan" if r.issue.plan_priority_id else ""),
            "source": document,
        }
        for r in chosen
    ]
    signed = assessment.signed_off_at.strftime("%-d %B %Y")
    paragraphs = [
        f"{assessment.title}, signed off on {signed}. Its figures were frozen at sign-off, "
        "so the document reads the same whenever it is opened.",
    ]
    if assessment.summary:
        paragraphs.append(assessment.summary)
    paragraphs.append(
        "Priorities it chose:" if items else "The assessment has not chosen its priorities yet."
    )
    return {
        "paragraphs": paragraphs,
        "items": items,
        "assessment": {
            "title": assessment.title,
            "year": assessment.year,
            "signed_off": signed,
            "document": document,
            "pdf": pdf,
        },
        "links": [
            {"text": f"Read the strategic assessment {assessment.year}", "source": document},
            {"text": f"Download the strategic assessment {assessment.year} (PDF)", "source": pdf},
        ],
    }


def build_contacts(ctx: Context) -> dict:
    """The contacts and support services directory first (the records kept on the contacts
    page, in their order: reports.selectors.support_service_list), then the partnership's
    organisations (responsible authorities first) and who leads each priority, as a role and
    an organisation (plan.selectors.plan_current)."""
    from saferstat.core.selectors import organisation_list
    from saferstat.plan.selectors import plan_current

    from .selectors import support_service_list

    slug = ctx.partnership.slug
    tables = []
    directory = list(support_service_list(ctx.partnership))
    if directory:
        tables.append(
            {
                "key": "contacts-services",
                "caption": "Support services",
                "columns": ["Service", "What it does", "Phone", "Web address", "Hours"],
                "rows": [
                    {
                        "label": s.name,
                        "cells": [
                            cell(s.purpose, "text"),
                            cell(s.phone, "text"),
                            cell(s.web_address, "text"),
                            cell(s.hours, "text"),
                        ],
                    }
                    for s in directory
                ],
                "source": {
                    "label": "The contacts and support services directory",
                    "url": reverse("reports:contacts", args=[slug]),
                    "detail": "reports.selectors.support_service_list",
                },
            }
        )
    organisations = organisation_list(partnership=ctx.partnership)
    if organisations:
        tables.append(
            {
                "key": "contacts-organisations",
                "caption": f"The organisations of {ctx.partnership.name}",
                "columns": ["Organisation", "Kind", "Responsible authority"],
                "rows": [
                    {
                        "label": o.name,
                        "cells": [
                            cell(o.get_kind_display(), "text"),
                            cell("Yes" if o.is_responsible_authority else "No", "text"),
                        ],
                    }
                    for o in organisations
                ],
                "source": {
                    "label": "The partnership's organisations",
                    "url": "",
                    "detail": "core.selectors.organisation_list",
                },
            }
        )
    plan = plan_current(partnership=ctx.partnership)
    if plan is not None:
        plan_url = reverse("plan:detail", args=[slug])
        rows = [
            {
                "label": priority.name,
                "cells": [
                    cell(priority.lead_role or "No lead named", "text"),
                    cell(str(priority.lead_organisation or ""), "text"),
                    cell(theme.name, "text"),
                ],
            }
            for theme in plan.themes.all()
            for priority in theme.priorities.all()
        ]
        if rows:
            tables.append(
                {
                    "key": "contacts-leads",
                    "caption": f"Who leads each priority of {plan.title}",
                    "columns": ["Priority", "Lead (role)", "Organisation", "Theme"],
                    "rows": rows,
                    "source": {
                        "label": "The plan",
                        "url": plan_url,
                        "detail": "plan.selectors.plan_current",
                    },
                }
            )
    paragraphs = []
    if directory:
        paragraphs.append("Support services you can contact, with their published numbers.")
    if len(tables) > len(directory[:1]):
        paragraphs.append(
            "Leads are named by their role: ask the organisation for the person in post."
        )
    return {
        "paragraphs": paragraphs
        or ["No support service, organisation or priority lead is recorded."],
        "tables": tables,
    }


register(
    Section(
        "assessment",
        "Strategic assessment",
        (SCRUTINY,),
        build_assessment,
        template="reports/sections/_assessment.html",
    )
)
register(Section("contacts", "Contacts and support services", ANNUAL_AND_PACK, build_contacts))
