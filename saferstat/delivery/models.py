"""Funding streams, the projects they pay for (each serving plan priorities), the grants
between them in whole pence, what each project plans to deliver (outputs and outcomes),
its quarterly monitoring returns (through the shared return life cycle of
`saferstat.performance.workflow`), and the communications and training and engagement logs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saferstat.core.models import Organisation, Partnership
from saferstat.performance.models import Indicator, ReportingPeriod, ReturnLifecycle
from saferstat.plan.models import Objective, Priority

#: Columns a funder return can have, in the order they are offered; a stream declares which
#: it wants (``FundingStream.export_columns``).
EXPORT_COLUMNS = {
    "project": "Project",
    "organisation": "Delivering organisation",
    "priority": "Partnership priority",
    "start": "Start",
    "end": "End",
    "status": "Status",
    "award_gbp": "Award (£)",
    "spend_gbp": "Spend to date (£)",
    "measure": "Output or outcome",
    "kind": "Kind",
    "unit": "Unit",
    "planned": "Planned",
    "actual": "Actual (approved returns)",
    "evidence": "Evidence",
}
DEFAULT_EXPORT_COLUMNS = list(EXPORT_COLUMNS)


class FundingStream(models.Model):
    """Money from a funder for a financial year, e.g. the Police and Crime Commissioner's
    community safety fund for 2024/25, with its conditions and reporting schedule."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="funding_streams"
    )
    name = models.CharField(max_length=200)
    funder = models.CharField(max_length=200, help_text="Who gives the money")
    financial_year = models.CharField(max_length=7, help_text="e.g. 2024/25")
    amount_pence = models.PositiveBigIntegerField(help_text="The whole stream, in pence")
    conditions = models.TextField(blank=True)
    reporting_schedule = models.CharField(max_length=200, blank=True, default="Quarterly")
    export_columns = models.JSONField(default=list, blank=True)
    is_demo = models.BooleanField(default=False, help_text="Invented figures (demo).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-financial_year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name", "financial_year"], name="unique_funding_stream"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.financial_year}"

    @property
    def columns(self) -> list[str]:
        return [c for c in self.export_columns if c in EXPORT_COLUMNS] or DEFAULT_EXPORT_COLUMNS


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Delivering"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped early"


class Project(models.Model):
    """A piece of work a partner organisation delivers for one or more priorities of the plan
    (and optionally some of their objectives), paid for by one or more grants. Its named lead
    enters its monitoring returns."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="projects"
    )
    priorities = models.ManyToManyField(
        Priority, related_name="projects", help_text="The plan priorities it serves (one or more)"
    )
    objectives = models.ManyToManyField(
        Objective,
        blank=True,
        related_name="projects",
        help_text="Objectives of those priorities it delivers (optional)",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_projects",
    )
    lead_role = models.CharField(max_length=200, blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="unique_project_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def priority_list(self) -> list[Priority]:
        """Its priorities in name order (prefetch ``priorities`` to read them at no cost)."""
        return sorted(self.priorities.all(), key=lambda p: (p.name, p.pk))

    @property
    def priority_names(self) -> str:
        return "; ".join(p.name for p in self.priority_list)


class Grant(models.Model):
    """What a stream gives a project, in pence. An award over what the stream has left is
    allowed only with a reason (``over_reason``)."""

    stream = models.ForeignKey(FundingStream, on_delete=models.PROTECT, related_name="grants")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="grants")
    amount_pence = models.PositiveBigIntegerField()
    over_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["stream", "project__name"]
        constraints = [models.UniqueConstraint(fields=["stream", "project"], name="unique_grant")]

    def __str__(self) -> str:
        return f"{self.stream} → {self.project}"


class MeasureKind(models.TextChoices):
    OUTPUT = "output", "Output"
    OUTCOME = "outcome", "Outcome"


class Measure(models.Model):
    """Something a project plans to deliver (an output: referrals, sessions, people engaged)
    or to change (an outcome), with its unit and planned value. An outcome may name the
    performance indicator it is meant to move."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(max_length=10, choices=MeasureKind.choices)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=60, help_text="e.g. perpetrators, young people")
    planned = models.PositiveIntegerField(null=True, blank=True)
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.project}: {self.name}"


class MonitoringReturn(ReturnLifecycle):
    """A project's quarterly monitoring return: what it delivered that quarter against each
    measure, its spend, and a narrative; approved or returned by an analyst."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="monitoring_returns"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="returns")
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="monitoring_returns"
    )
    spend_pence = models.PositiveBigIntegerField(null=True, blank=True)
    narrative = models.TextField(blank=True, help_text="Sanitised rich text")

    class Meta:
        ordering = ["period__start_month", "project__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period"], name="unique_monitoring_return")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.period.label}"


class MonitoringLine(models.Model):
    """The quarter's value of one measure in a monitoring return, with its evidence."""

    ret = models.ForeignKey(MonitoringReturn, on_delete=models.CASCADE, related_name="lines")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="lines")
    value = models.PositiveIntegerField(null=True, blank=True)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["measure__kind", "measure__order", "measure__pk"]
        constraints = [
            models.UniqueConstraint(fields=["ret", "measure"], name="unique_monitoring_line")
        ]

    def __str__(self) -> str:
        return f"{self.ret}: {self.measure.name} = {self.value}"


class MonitoringEvent(models.Model):
    """One step in a monitoring return's history (saved, submitted, approved, returned,
    corrected), with the comment and the values before and after."""

    ret = models.ForeignKey(MonitoringReturn, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20)
    comment = models.TextField(blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.ret}: {self.kind}"


class Communication(models.Model):
    """An e-bulletin or campaign: when, what, to whom, how many it reached."""

    class Kind(models.TextChoices):
        BULLETIN = "bulletin", "E-bulletin"
        CAMPAIGN = "campaign", "Campaign"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="communications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.BULLETIN)
    date = models.DateField()
    title = models.CharField(max_length=200)
    audience = models.CharField(max_length=200)
    priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reach = models.PositiveIntegerField(null=True, blank=True, help_text="People reached")
    link = models.URLField(blank=True)
    # An attached file (the bulletin itself, a campaign leaflet): checked by its content like
    # a meeting's papers (`saferstat.core.documents`), kept under MEDIA_ROOT/communications/
    # and served as a download to members.
    file_name = models.CharField(max_length=200, blank=True, help_text="Safe file name")
    file_kind = models.CharField(max_length=10, blank=True, help_text="Checked kind: pdf, docx...")
    file_path = models.CharField(max_length=500, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-date", "title"]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    """Training delivered or engagement activity (leaflets, surveys, events)."""

    class Kind(models.TextChoices):
        TRAINING = "training", "Training"
        ENGAGEMENT = "engagement", "Engagement"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    date = models.DateField()
    title = models.CharField(max_length=200, help_text="Topic or activity")
    provider = models.CharField(max_length=200, blank=True)
    audience = models.CharField(max_length=200, blank=True)
    sessions = models.PositiveIntegerField(null=True, blank=True)
    people = models.PositiveIntegerField(
        null=True, blank=True, help_text="Attendees, or people reached"
    )
    organisations = models.CharField(max_length=300, blank=True)
    priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-date", "title"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.title
