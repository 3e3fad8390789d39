"""Writes to a partnership's plan. Each one checks `plan.edit` and is audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from saferstat.core import audit
from saferstat.core.choices import Role
from saferstat.core.models import Membership, Organisation, Partnership, User
from saferstat.core.permissions import require
from saferstat.core.sanitise import clean_plain

from .models import Objective, Plan, PlanVersion, Priority, Theme
from .selectors import plan_snapshot, priority_blockers, theme_blockers

ERR_LEAD = "The lead must be a priority lead of this partnership."
ERR_ORGANISATION = "The organisation belongs to another partnership."
ERR_PRIORITY_KEPT = "{name} cannot be deleted: {reasons}."
ERR_THEME_KEPT = "{name} cannot be deleted while its priorities are in use: {reasons}."


@transaction.atomic
def plan_upsert(
    *,
    partnership: Partnership,
    by: User,
    title: str,
    start_date: dt.date,
    end_date: dt.date,
    summary: str = "",
) -> Plan:
    """Create the plan with this title, or bring its dates and summary up to date."""
    require(by, "plan.edit", partnership)
    plan = Plan.objects.filter(partnership=partnership, title=title).first()
    before = audit.snapshot(plan) if plan else None
    plan = plan or Plan(partnership=partnership, title=clean_plain(title)[:200])
    plan.start_date, plan.end_date = start_date, end_date
    plan.summary = clean_plain(summary)
    plan.full_clean()
    plan.save()
    audit.record_saved(
        actor=by,
        noun="plan",
        obj=plan,
        partnership=partnership,
        before=before,
    )
    return plan


@transaction.atomic
def theme_upsert(*, plan: Plan, by: User, key: str, name: str, order: int = 0) -> Theme:
    require(by, "plan.edit", plan.partnership)
    theme = Theme.objects.filter(plan=plan, key=key).first()
    before = audit.snapshot(theme) if theme else None
    theme = theme or Theme(plan=plan, key=key)
    theme.name, theme.order = clean_plain(name)[:200], order
    theme.full_clean()
    theme.save()
    audit.record(
        actor=by,
        verb="plan.theme_set",
        obj=theme,
        partnership=plan.partnership,
        before=before,
        after=audit.snapshot(theme),
    )
    return theme


@transaction.atomic
def priority_upsert(
    *,
    theme: Theme,
    by: User,
    key: str,
    name: str,
    description: str = "",
    order: int = 0,
    lead: User | None = None,
    lead_role: str = "",
    lead_organisation: Organisation | None = None,
    objectives: list[str] | None = None,
) -> Priority:
    """Create or change a priority and its lead; ``objectives`` (if given) replace the
    priority's objectives, in order."""
    partnership = theme.plan.partnership
    require(by, "plan.edit", partnership)
    if (
        lead is not None
        and not Membership.objects.filter(
            user=lead, partnership=partnership, role=Role.LEAD
        ).exists()
    ):
        raise ValidationError({"lead": ERR_LEAD})
    if lead_organisation is not None and lead_organisation.partnership_id != partnership.pk:
        raise ValidationError({"lead_organisation": ERR_ORGANISATION})
    priority = Priority.objects.filter(theme=theme, key=key).first()
    before = audit.snapshot(priority) if priority else None
    priority = priority or Priority(theme=theme, key=key)
    priority.name = clean_plain(name)[:200]
    priority.description = clean_plain(description)
    priority.order = order
    priority.lead = lead
    priority.lead_role = clean_plain(lead_role)[:200]
    priority.lead_organisation = lead_organisation
    priority.full_clean()
    priority.save()
    after = audit.snapshot(priority)
    if objectives is not None:
        old = list(priority.objectives.values_list("text", flat=True))
        cleaned = [clean_plain(t) for t in objectives if clean_plain(t)]
        if before is not None:
            before["objectives"] = old
        after["objectives"] = cleaned
        if old != cleaned:
            priority.objectives.all().delete()
            Objective.objects.bulk_create(
                Objective(priority=priority, text=text, order=i) for i, text in enumerate(cleaned)
            )
    audit.record(
        actor=by,
        verb="plan.priority_set",
        obj=priority,
        partnership=partnership,
        before=before,
        after=after,
    )
    return priority


@transaction.atomic
def plan_refresh(*, plan: Plan, by: User, label: str) -> PlanVersion:
    """Start a new version of the plan (the annual refresh): the current one is kept,
    frozen and readable, as a :class:`PlanVersion`; later changes make the new version."""
    require(by, "plan.edit", plan.partnership)
    label = clean_plain(label)[:100]
    if not label:
        raise ValidationError({"label": "Name the new version, for example 2023 refresh."})
    kept = PlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        label=plan.version_label,
        snapshot=plan_snapshot(plan),
        created_by=by,
    )
    before = audit.snapshot(plan, ["version", "version_label"])
    plan.version += 1
    plan.version_label = label
    plan.save(update_fields=["version", "version_label"])
    audit.record(
        actor=by,
        verb="plan.refresh",
        obj=plan,
        partnership=plan.partnership,
        before=before,
        after=audit.snapshot(plan, ["version", "version_label"]),
    )
    return kept


def _priority_state(priority: Priority) -> dict:
    return {
        **audit.snapshot(priority),
        "objectives": list(priority.objectives.values_list("text", flat=True)),
    }


def _remove_priority(priority: Priority) -> None:
    # Only returns nobody has started are left (the blockers refuse the others): they hold
    # nothing and go with it.
    priority.returns.all().delete()
    priority.delete()


@transaction.atomic
def priority_delete(*, priority: Priority, by: User) -> None:
    """Delete a priority with its objectives, refused (with the reasons) while indicators,
    projects or started returns hang off it. Earlier versions of the plan keep it, and the
    difference shows it removed."""
    partnership = priority.partnership
    require(by, "plan.edit", partnership)
    reasons = priority_blockers(priority)
    if reasons:
        raise ValidationError(
            ERR_PRIORITY_KEPT.format(name=priority.name, reasons="; ".join(reasons))
        )
    audit.record(
        actor=by,
        verb="plan.priority_delete",
        obj=priority,
        partnership=partnership,
        before=_priority_state(priority),
    )
    _remove_priority(priority)


@transaction.atomic
def theme_delete(*, theme: Theme, by: User) -> None:
    """Delete a theme with its priorities (and their objectives), refused while any of its
    priorities has indicators, projects or started returns."""
    partnership = theme.plan.partnership
    require(by, "plan.edit", partnership)
    reasons = theme_blockers(theme)
    if reasons:
        raise ValidationError(ERR_THEME_KEPT.format(name=theme.name, reasons="; ".join(reasons)))
    priorities = list(theme.priorities.all())
    audit.record(
        actor=by,
        verb="plan.theme_delete",
        obj=theme,
        partnership=partnership,
        before={**audit.snapshot(theme), "priorities": [_priority_state(p) for p in priorities]},
    )
    for priority in priorities:
        _remove_priority(priority)
    theme.delete()
