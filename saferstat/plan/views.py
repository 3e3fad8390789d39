"""Pages of the partnership plan: the current version, and each earlier version with its
differences from the current one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from saferstat.analytics.plan_diff import plan_diff
from saferstat.core.choices import Role
from saferstat.core.models import Organisation, User
from saferstat.core.permissions import can
from saferstat.core.views_helpers import form_status, partnership_view, posted_form, run_confirmed
from saferstat.governance.forms import GovForm, key_field

from .models import Theme
from .selectors import (
    lead_text,
    plan_current,
    plan_snapshot,
    plan_version_get,
    priority_blockers,
    theme_blockers,
)
from .services import plan_refresh, priority_delete, priority_upsert, theme_delete, theme_upsert


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


# --- changing the plan: themes and priorities -----------------------------------------------


class ThemeForm(GovForm):
    key = key_field(
        "Short, stays the same across versions, for example children. Give an existing "
        "theme's key to rename it."
    )
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the theme's name."})
    order = forms.IntegerField(min_value=0, initial=0, required=False)


class PriorityForm(GovForm):
    theme = forms.ModelChoiceField(
        queryset=None, error_messages={"required": "Choose the theme it comes under."}
    )
    key = key_field(
        "Short, stays the same across versions. Give an existing priority's key (and theme) "
        "to change it."
    )
    name = forms.CharField(
        max_length=200, error_messages={"required": "Enter the priority's name."}
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    lead = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No lead yet", label="Lead (a priority lead)"
    )
    lead_role = forms.CharField(
        max_length=200, required=False, label="Lead's role", help_text="For example Head of "
        "Community Safety."
    )  # fmt: skip
    lead_organisation = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Not recorded", label="Lead's organisation"
    )
    objectives = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line; they replace the priority's objectives.",
    )
    order = forms.IntegerField(min_value=0, initial=0, required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        partnership = plan.partnership
        self.fields["theme"].queryset = Theme.objects.filter(plan=plan)
        self.fields["lead"].queryset = User.objects.filter(
            memberships__partnership=partnership, memberships__role=Role.LEAD
        ).order_by("display_name")
        self.fields["lead_organisation"].queryset = Organisation.objects.filter(
            partnership=partnership
        )


def _service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@partnership_view("plan.edit", post=True)
def plan_edit(request, partnership):
    """Add and change the plan's themes and priorities (with their leads and objectives).
    Changes make the current version; an annual refresh keeps the previous one first."""
    plan = plan_current(partnership=partnership)
    if plan is None:
        raise Http404("No plan yet")
    initial = {}
    wanted = request.GET.get("priority")
    if wanted:
        priority = next(
            (p for t in plan.themes.all() for p in t.priorities.all() if str(p.pk) == wanted),
            None,
        )
        if priority is None:
            raise Http404("No such priority")
        initial = {
            "theme": priority.theme,
            "key": priority.key,
            "name": priority.name,
            "description": priority.description,
            "lead": priority.lead,
            "lead_role": priority.lead_role,
            "lead_organisation": priority.lead_organisation,
            "objectives": "\n".join(o.text for o in priority.objectives.all()),
            "order": priority.order,
        }
    theme_form = ThemeForm(posted_form(request, "theme"), prefix="theme")
    priority_form = PriorityForm(
        posted_form(request, "priority"), initial=initial, prefix="priority", plan=plan
    )
    delete_error = ""
    if request.method == "POST":
        if request.POST.get("form") in ("delete_theme", "delete_priority"):
            done, delete_error = _delete(request, plan)
            if done:
                messages.success(request, done)
                return redirect("plan:edit", slug=partnership.slug)
        elif theme_form.is_bound:
            if theme_form.is_valid():
                d = theme_form.cleaned_data
                try:
                    theme_upsert(
                        plan=plan, by=request.user, key=d["key"], name=d["name"],
                        order=d["order"] or 0,
                    )  # fmt: skip
                except ValidationError as exc:
                    _service_errors(theme_form, exc)
                else:
                    messages.success(request, f"The theme “{d['name']}” was saved.")
                    return redirect("plan:detail", slug=partnership.slug)
        elif priority_form.is_bound:
            if priority_form.is_valid():
                d = priority_form.cleaned_data
                try:
                    priority_upsert(
                        theme=d["theme"],
                        by=request.user,
                        key=d["key"],
                        name=d["name"],
                        description=d["description"],
                        order=d["order"] or 0,
                        lead=d["lead"],
                        lead_role=d["lead_role"],
                        lead_organisation=d["lead_organisation"],
                        objectives=d["objectives"].splitlines(),
                    )
                except ValidationError as exc:
                    _service_errors(priority_form, exc)
                else:
                    messages.success(request, f"The priority “{d['name']}” was saved.")
                    return redirect("plan:detail", slug=partnership.slug)
        else:  # neither form named: check it as a theme, which says what is missing
            theme_form = ThemeForm(request.POST, prefix="theme")
            theme_form.is_valid()
    return render(
        request,
        "plan/plan_edit.html",
        {
            "partnership": partnership,
            "plan": plan,
            "theme_form": theme_form,
            "priority_form": priority_form,
            "delete_error": delete_error,
            "removable": [
                (
                    theme,
                    theme_blockers(theme),
                    [(p, priority_blockers(p)) for p in theme.priorities.all()],
                )
                for theme in plan.themes.all()
            ],
        },
        status=400 if delete_error else form_status(theme_form, priority_form),
    )


def _delete(request, plan) -> tuple[str, str]:
    """Delete the theme or priority the POST names, once confirmed: (done message, error)."""
    themes = list(plan.themes.all())
    if request.POST["form"] == "delete_theme":
        target = next((t for t in themes if str(t.pk) == request.POST.get("id")), None)
        service, what = theme_delete, "theme"
    else:
        priorities = [p for t in themes for p in t.priorities.all()]
        target = next((p for p in priorities if str(p.pk) == request.POST.get("id")), None)
        service, what = priority_delete, "priority"
    if target is None:
        raise Http404(f"No such {what} in this plan")
    error = run_confirmed(
        request,
        lambda: service(**{what: target}, by=request.user),
        f"Tick the box to confirm that the {what} “{target.name}” should be deleted.",
    )
    return ("", error) if error else (f"The {what} “{target.name}” was deleted.", "")
