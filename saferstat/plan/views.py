"""Pages of the partnership plan: the current version, and each earlier version with its
differences from the current one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from saferstat.analytics.plan_diff import plan_diff
from saferstat.core.permissions import can
from saferstat.core.views_helpers import partnership_view

from .selectors import lead_text, plan_current, plan_snapshot, plan_version_get
from .services import plan_refresh


@partnership_view("plan.view", post=True)
def plan_detail(request, partnership):
    plan = plan_current(partnership=partnership)
    errors = {}
    if request.method == "POST":
        if plan is None or not can(request.user, "plan.edit", partnership):
            raise PermissionDenied("Not allowed: plan.edit")
        try:
            plan_refresh(plan=plan, by=request.user, label=request.POST.get("label", ""))
        except ValidationError as exc:
            errors = {k: v[0] for k, v in exc.message_dict.items()}
        else:
            messages.success(request, "The plan has a new version; the previous one is kept.")
            return redirect("plan:detail", slug=partnership.slug)
    themes = []
    if plan is not None:
        for theme in plan.themes.all():
            themes.append(
                (
                    theme,
                    [(p, lead_text(p), list(p.objectives.all())) for p in theme.priorities.all()],
                )
            )
    return render(
        request,
        "plan/plan_detail.html",
        {
            "partnership": partnership,
            "plan": plan,
            "themes": themes,
            "versions": list(plan.versions.all()) if plan else [],
            "can_edit": can(request.user, "plan.edit", partnership),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@partnership_view("plan.view")
def plan_version(request, partnership, number: int):
    plan = plan_current(partnership=partnership)
    if plan is None:
        raise Http404("No plan")
    version = plan_version_get(plan=plan, number=number)
    current = plan_snapshot(plan)
    return render(
        request,
        "plan/plan_version.html",
        {
            "partnership": partnership,
            "plan": plan,
            "version": version,
            "snapshot": version.snapshot,
            "changes": plan_diff(version.snapshot, current),
        },
    )
