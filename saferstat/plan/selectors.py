"""Reads of a partnership's plan. Every selector takes the partnership it reads for."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import Http404

from saferstat.core.models import Partnership

from .models import Plan, PlanVersion, Priority, Theme


def plan_current(*, partnership: Partnership) -> Plan | None:
    """The partnership's latest plan (by start date), with themes, priorities, leads and
    objectives loaded."""
    return (
        Plan.objects.filter(partnership=partnership)
        .prefetch_related(
            Prefetch(
                "themes",
                queryset=Theme.objects.prefetch_related(
                    Prefetch(
                        "priorities",
                        queryset=Priority.objects.select_related(
                            "lead", "lead_organisation"
                        ).prefetch_related("objectives"),
                    )
                ),
            )
        )
        .first()
    )


def priority_list(*, partnership: Partnership) -> list[Priority]:
    """Every priority of the partnership's plans, in plan order, with theme and lead."""
    return list(
        Priority.objects.filter(theme__plan__partnership=partnership).select_related(
            "theme", "theme__plan", "lead", "lead_organisation"
        )
    )


def lead_text(priority: Priority) -> str:
    """ "Head of Community Safety, Rotherham Council" (role and organisation)."""
    parts = [priority.lead_role, str(priority.lead_organisation or "")]
    return ", ".join(p for p in parts if p) or "No lead named"


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """The plan as plain data: what a version keeps and what the diff compares."""
    return {
        "title": plan.title,
        "start_date": plan.start_date.isoformat(),
        "end_date": plan.end_date.isoformat(),
        "version": plan.version,
        "label": plan.version_label,
        "themes": [
            {
                "key": theme.key,
                "name": theme.name,
                "priorities": [
                    {
                        "key": p.key,
                        "name": p.name,
                        "description": p.description,
                        "lead": lead_text(p),
                        "objectives": [o.text for o in p.objectives.all()],
                    }
                    for p in theme.priorities.all()
                ],
            }
            for theme in plan.themes.all()
        ],
    }


#: A return of the performance module nobody has started (`performance.ReturnStatus`): it
#: holds nothing, so it goes with its priority.
NOT_STARTED = "not_started"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def priority_blockers(priority: Priority) -> list[str]:
    """Why the priority cannot be deleted (empty when it can): what hangs off it elsewhere,
    read through its reverse relations (the apps built on the plan are not imported): the
    performance indicators it owns, the delivery projects serving it, and its quarterly
    returns that have been started."""
    reasons = []
    indicators = priority.indicators.count()
    if indicators:
        reasons.append(
            _plural(indicators, "indicator belongs", "indicators belong")
            + " to it: move them to another priority or delete them first"
        )
    projects = priority.projects.count()
    if projects:
        reasons.append(
            _plural(projects, "project serves", "projects serve")
            + " it: choose other priorities on their pages first"
        )
    started = priority.returns.exclude(status=NOT_STARTED).count()
    if started:
        reasons.append(
            _plural(started, "quarterly return has", "quarterly returns have")
            + " been started for it: their history is kept"
        )
    return reasons


def theme_blockers(theme: Theme) -> list[str]:
    """Why the theme cannot be deleted: the blockers of each of its priorities."""
    return [
        f"{p.name}: {reason}" for p in theme.priorities.all() for reason in priority_blockers(p)
    ]


def plan_version_get(*, plan: Plan, number: int) -> PlanVersion:
    try:
        return PlanVersion.objects.get(plan=plan, number=number)
    except PlanVersion.DoesNotExist:
        raise Http404("No such version") from None
