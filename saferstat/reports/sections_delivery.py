"""Report sections from the delivery records, through `saferstat.delivery.selectors` only
(the figures are the selectors' own, never recomputed here):

- Communications: the year's e-bulletins and campaigns as panels (seed 004's "SRP
  E-BULLETIN" pages), with the people each reached;
- Project highlights: each project delivering in the year with its outputs and outcomes
  against plan (approved monitoring returns), and what each of the year's funding streams
  bought (awarded, spent, left, gaps);
- Training and engagement: the year's training sessions and engagement activity with the
  people reached.

Counts of people tied to a sensitive theme (a project serving a domestic abuse priority, a
training session on sexual abuse) are marked sensitive, so the public version controls them
as every other section's (`reports.selectors.disclose`). People reached by a bulletin are
readers, not victims: not sensitive.
"""

from __future__ import annotations

from django.urls import reverse

from saferstat.analytics.disclosure import is_sensitive

from .sections import ANNUAL_AND_PACK, Context, Section, cell, register


def _in_year(ctx: Context, day) -> bool:
    fy = ctx.financial_year
    return fy.start <= day.strftime("%Y-%m") <= fy.end


def build_communications(ctx: Context) -> dict:
    """The year's e-bulletins and campaigns (delivery.selectors.communications), newest
    last, each as a panel, and a table of the people each reached with their total
    (delivery.selectors.reach_total)."""
    from saferstat.delivery.selectors import communications, reach_total

    fy = ctx.financial_year
    slug = ctx.partnership.slug
    url = reverse("delivery:communications", args=[slug])
    source = f"{url} (delivery.selectors.communications, {fy.label})"
    shown = sorted(
        (c for c in communications(partnership=ctx.partnership) if _in_year(ctx, c.date)),
        key=lambda c: (c.date, c.title),
    )
    if not shown:
        return {"paragraphs": [f"No e-bulletin or campaign is recorded for {fy.label}."]}
    panels = [
        {
            "kind": c.get_kind_display(),
            "title": c.title,
            "date": c.date.strftime("%-d %B %Y"),
            "audience": c.audience,
            "priority": c.priority.name if c.priority_id else "",
            "link": c.link,
            "demo": c.is_demo,
        }
        for c in shown
    ]
    rows = [
        {
            "label": c.title + (" (demo data: invented)" if c.is_demo else ""),
            "cells": [
                cell(c.reach, "count", source=source),
                cell(c.date.isoformat(), "text", source=source),
                cell(c.audience, "text", source=source),
                cell(c.priority.name if c.priority_id else "", "text", source=source),
            ],
        }
        for c in shown
    ]
    return {
        "paragraphs": [
            f"{len(shown)} e-bulletin(s) and campaign(s) in {fy.label}, each with the "
            "audience it was written for and the people it reached where recorded."
        ],
        "panels": panels,
        "tables": [
            {
                "key": "communications",
                "caption": f"Communications in {fy.label} and the people they reached",
                "columns": ["Communication", "People reached", "Date", "Audience", "Priority"],
                "rows": rows,
                "totals": True,
                "total_label": "All communications",
                "total": reach_total(shown),
                "source": {"label": "Communications log", "url": url, "detail": source},
            }
        ],
    }


def _overlaps(project, ctx: Context) -> bool:
    fy = ctx.financial_year
    return (
        project.start_date.strftime("%Y-%m") <= fy.end
        and project.end_date.strftime("%Y-%m") >= fy.start
    )


def build_projects(ctx: Context) -> dict:
    """Project highlights: every project delivering in the year, its outputs and outcomes
    against plan from approved returns (delivery.selectors.project_rows), then what each of
    the year's funding streams bought (delivery.selectors.achieved)."""
    from saferstat.delivery.models import Project
    from saferstat.delivery.selectors import achieved, project_rows, stream_rows

    fy = ctx.financial_year
    slug = ctx.partnership.slug
    partnership = ctx.partnership
    projects = [
        p
        for p in Project.objects.filter(partnership=partnership).prefetch_related("priorities")
        if _overlaps(p, ctx)
    ]
    tables = []
    for row in sorted(project_rows(partnership=partnership, projects=projects), key=_by_name):
        project = row.project
        url = reverse("delivery:project_detail", args=[slug, project.pk])
        source = f"{url} (delivery.selectors.project_rows: approved monitoring returns)"
        priorities = [p.name for p in project.priority_list]
        measures = [("Output", m) for m in row.outputs] + [("Outcome", m) for m in row.outcomes]
        table_rows = []
        for kind, m in measures:
            sensitive = is_sensitive(*priorities, project.name, m.measure.name)
            table_rows.append(
                {
                    "label": f"{kind}: {m.measure.name} ({m.measure.unit})",
                    "cells": [
                        cell(m.actual, "count", sensitive=sensitive, source=source),
                        cell(m.measure.planned, "count", source=source),
                        cell(m.state_text, "text", source=source),
                    ],
                }
            )
        tables.append(
            {
                "key": f"project-{project.pk}",
                "caption": f"{project.name}: what it delivered against its plan "
                "(approved returns to date)",
                "columns": ["Output or outcome", "Delivered", "Planned", "Against plan"],
                "rows": table_rows,
                "source": {"label": project.name, "url": url, "detail": source},
                "project": {
                    "name": project.name + (" (demo data: invented)" if project.is_demo else ""),
                    "organisation": str(project.organisation),
                    "priorities": "; ".join(priorities),
                    "status": project.get_status_display(),
                    "summary": project.summary,
                    "source": url,
                    "returns": f"{row.signed_off} of {len(row.returns)} monitoring returns "
                    "approved",
                    "gaps": row.gaps,
                },
            }
        )
    streams = [s.stream for s in stream_rows(partnership=partnership)]
    money_rows = []
    for stream in streams:
        if stream.financial_year != fy.label:
            continue
        bought = achieved(partnership=partnership, stream=stream)
        url = reverse("delivery:stream_achieved", args=[slug, stream.pk])
        source = f"{url} (delivery.selectors.achieved)"
        money_rows.append(
            {
                "label": f"{stream.name} ({stream.funder})",
                "cells": [
                    cell(stream.amount_pence, "pence", source=source),
                    cell(bought.awarded, "pence", source=source),
                    cell(bought.spent, "pence", source=source),
                    cell(bought.unallocated, "pence", source=source),
                    cell(len(bought.rows), "projects", source=source),
                    cell(bought.gaps, "gaps", source=source),
                ],
            }
        )
    if money_rows:
        tables.append(
            {
                "key": "funding",
                "caption": f"What the money bought: funding streams of {fy.label}",
                "columns": [
                    "Funding stream",
                    "Amount",
                    "Awarded",
                    "Spent (approved returns)",
                    "Left to award",
                    "Projects",
                    "Gaps in the evidence",
                ],
                "rows": money_rows,
                "source": {
                    "label": "Funding streams",
                    "url": reverse("delivery:index", args=[slug]),
                    "detail": "delivery.selectors.achieved",
                },
            }
        )
    paragraphs = []
    if not projects:
        paragraphs.append(f"No project is recorded as delivering in {fy.label}.")
    if not money_rows:
        paragraphs.append(f"No funding stream is recorded for {fy.label}.")
    return {"paragraphs": paragraphs, "tables": tables}


def _by_name(row) -> str:
    return row.project.name


def build_training(ctx: Context) -> dict:
    """The year's training and engagement (delivery.selectors.activities), one table each,
    with the sessions held and the people reached."""
    from saferstat.delivery.models import Activity
    from saferstat.delivery.selectors import activities

    fy = ctx.financial_year
    url = reverse("delivery:engagement", args=[ctx.partnership.slug])
    source = f"{url} (delivery.selectors.activities, {fy.label})"
    tables = []
    for kind, label in Activity.Kind.choices:
        shown = sorted(
            (
                a
                for a in activities(partnership=ctx.partnership, kind=kind)
                if _in_year(ctx, a.date)
            ),
            key=lambda a: (a.date, a.title),
        )
        if not shown:
            continue
        rows = []
        for a in shown:
            theme = a.priority.name if a.priority_id else ""
            sensitive = is_sensitive(theme, a.title, a.audience)
            rows.append(
                {
                    "label": a.title + (" (demo data: invented)" if a.is_demo else ""),
                    "cells": [
                        cell(a.people, "count", sensitive=sensitive, source=source),
                        cell(a.sessions, "sessions", source=source),
                        cell(a.date.isoformat(), "text", source=source),
                        cell(a.provider or a.organisations, "text", source=source),
                    ],
                }
            )
        tables.append(
            {
                "key": f"activities-{kind}",
                "caption": f"{label} in {fy.label}",
                "columns": [label, "People", "Sessions", "Date", "Provided by"],
                "rows": rows,
                "source": {"label": "Training and engagement log", "url": url, "detail": source},
            }
        )
    if not tables:
        return {"paragraphs": [f"No training or engagement is recorded for {fy.label}."]}
    return {"tables": tables}


register(
    Section(
        "communications",
        "Communications",
        ANNUAL_AND_PACK,
        build_communications,
        template="reports/sections/_communications.html",
    )
)
register(
    Section(
        "projects",
        "Project highlights",
        ANNUAL_AND_PACK,
        build_projects,
        template="reports/sections/_projects.html",
    )
)
register(
    Section("training", "Training and engagement", ANNUAL_AND_PACK, build_training),
    before="attendance",
)
