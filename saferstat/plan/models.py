"""A partnership plan: its period, themes, priorities (each with a named lead), objectives,
and a frozen copy of each version kept at every annual refresh."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from saferstat.core.models import Organisation, Partnership


class Plan(models.Model):
    """A partnership plan for a period, e.g. the Safer Rotherham Partnership Plan 2022-25.

    Its themes and priorities are the current version; each refresh keeps the previous one as
    a :class:`PlanVersion`.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="plans")
    title = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField()
    summary = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    version_label = models.CharField(max_length=100, default="First version")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "title"], name="unique_plan_title")
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": "The plan must end after it starts."})


class Theme(models.Model):
    """A theme of the plan, e.g. "Protecting vulnerable children"."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="themes")
    key = models.SlugField(max_length=60, help_text="Stays the same across versions.")
    name = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="unique_theme_key")]

    def __str__(self) -> str:
        return self.name


class Priority(models.Model):
    """A priority under a theme, with its named lead: a role holder (a user with the priority
    lead role) and the organisation they lead it for."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="priorities")
    key = models.SlugField(max_length=60, help_text="Stays the same across versions.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_priorities",
    )
    lead_role = models.CharField(
        max_length=200, blank=True, help_text="The lead's role, e.g. Head of Community Safety"
    )
    lead_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["theme__order", "order", "pk"]
        verbose_name_plural = "priorities"
        constraints = [models.UniqueConstraint(fields=["theme", "key"], name="unique_priority_key")]

    def __str__(self) -> str:
        return self.name

    @property
    def partnership(self) -> Partnership:
        return self.theme.plan.partnership


class Objective(models.Model):
    """What the partnership will do under a priority this year."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="objectives")
    text = models.TextField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class PlanVersion(models.Model):
    """A version of the plan as it stood before a refresh: a frozen copy of its themes,
    priorities, leads and objectives, readable after the plan has changed."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=100)
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_plan_version")
        ]

    def __str__(self) -> str:
        return f"{self.plan} – version {self.number} ({self.label})"
