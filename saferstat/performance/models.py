"""Indicators, their targets, the reporting calendar, quarterly returns with their history,
the partnership's performance settings (RAG rule) and the highlights and challenges the
analyst accepted, edited or rejected."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saferstat.analytics.periods import parse_period
from saferstat.core.models import Partnership
from saferstat.plan.models import Priority


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    RATE = "rate", "Rate per 1,000 residents"
    PERCENTAGE = "percentage", "Percentage"


class Polarity(models.TextChoices):
    # The same values as saferstat.analytics.spc.Polarity.
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"
    NEUTRAL = "neutral", "Neither"


class Frequency(models.TextChoices):
    QUARTERLY = "quarterly", "Quarterly"
    MONTHLY = "monthly", "Monthly"


class Source(models.TextChoices):
    ENTERED = "entered", "Entered by the lead"
    POLICEUK = "policeuk", "Computed from police.uk records"
    PARTNER = "partner", "Computed from a partner dataset"


class ReturnStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for changes"
    APPROVED = "approved", "Approved"
    CORRECTED = "corrected", "Approved, then corrected"


#: Returns whose values count on the dashboard.
SIGNED_OFF = (ReturnStatus.APPROVED, ReturnStatus.CORRECTED)


class Indicator(models.Model):
    """A measure the partnership tracks for a priority: what it counts, in what unit, which
    direction is better, how often, and where its values come from (entered by the priority
    lead in a quarterly return, or computed for the partnership's area from police.uk
    records or from one of its partner datasets, optionally filtered on a category). Rebases (new SPC limits from a period) are kept with their reasons."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="indicators"
    )
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="indicators")
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    definition = models.TextField(help_text="What is counted, in plain English.")
    unit = models.CharField(max_length=20, choices=Unit.choices)
    polarity = models.CharField(max_length=20, choices=Polarity.choices)
    frequency = models.CharField(
        max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ENTERED)
    crime_types = models.JSONField(
        default=list, blank=True, help_text="police.uk categories counted (computed only)"
    )
    dataset = models.ForeignKey(
        "intelligence.PartnerDataset",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
        help_text="The partner dataset counted (computed from a partner dataset only).",
    )
    category_column = models.CharField(
        max_length=100,
        blank=True,
        help_text="The dataset's category column to filter on (blank: every record).",
    )
    categories = models.JSONField(
        default=list, blank=True, help_text="The values of the category column counted."
    )
    baseline = models.CharField(max_length=200, blank=True)
    rebases = models.JSONField(default=dict, blank=True, help_text="{period: reason}")
    is_demo = models.BooleanField(default=False, help_text="Invented values (demo).")
    public = models.BooleanField(
        default=False,
        help_text="Shown on the public dashboard once the partnership publishes it.",
    )
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["priority__theme__order", "priority__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="unique_indicator_code")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_computed(self) -> bool:
        return self.source != Source.ENTERED

    @property
    def is_monthly(self) -> bool:
        """A value per month (each month of the calendar's quarters), not per quarter."""
        return self.frequency == Frequency.MONTHLY

    def series_labels(self, quarters: list[str]) -> list[str]:
        """The labels of its series over these quarters of the calendar: the quarters
        themselves, or for a monthly indicator every month of them (``2024-04``)."""
        if not self.is_monthly:
            return list(quarters)
        return [month for label in quarters for month in parse_period(label).months]

    def judged_label(self, quarter: str) -> str:
        """The point judged at a quarter: the quarter, or for a monthly indicator the
        quarter's last month."""
        return parse_period(quarter).end if self.is_monthly else quarter

    @property
    def is_sensitive_data(self) -> bool:
        """Computed from a sensitive partner dataset: seen only by those who may see the
        dataset, and disclosure-controlled on the public dashboard."""
        return self.source == Source.PARTNER and self.dataset is not None and self.dataset.sensitive

    @property
    def source_text(self) -> str:
        """Where the values come from, in words (with the categories or dataset counted)."""
        if self.source == Source.POLICEUK and self.crime_types:
            return f"{self.get_source_display()} ({', '.join(self.crime_types)})"
        if self.source == Source.PARTNER and self.dataset is not None:
            text = f"{self.get_source_display()}: {self.dataset.name}"
            if self.category_column:
                text += f" ({self.category_column}: {', '.join(self.categories)})"
            return text
        return self.get_source_display()


class Target(models.Model):
    """A target for an indicator from a period onwards (until a later target replaces it)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    from_period = models.CharField(max_length=20, help_text="e.g. 2024/25-Q1")
    value = models.FloatField()

    class Meta:
        ordering = ["from_period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "from_period"], name="unique_target_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} from {self.from_period}: {self.value:g}"


class ReportingPeriod(models.Model):
    """A quarter of the partnership's reporting calendar: when returns open and are due."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="reporting_periods"
    )
    label = models.CharField(max_length=20, help_text="e.g. 2024/25-Q4")
    start_month = models.CharField(max_length=7)
    opens_on = models.DateField()
    deadline = models.DateField()

    class Meta:
        ordering = ["start_month"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "label"], name="unique_reporting_period")
        ]

    def __str__(self) -> str:
        return self.label


class ReturnLifecycle(models.Model):
    """What every quarterly return carries through the shared life cycle
    (`saferstat.performance.workflow`): its status, who submitted it and when, who decided
    and when, and the analyst's comment. A subclass adds its ``period`` (a
    :class:`ReportingPeriod`) and what the return is for."""

    status = models.CharField(
        max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.NOT_STARTED
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_signed_off(self) -> bool:
        return self.status in SIGNED_OFF

    @property
    def was_late(self) -> bool:
        return bool(self.submitted_at and self.submitted_at.date() > self.period.deadline)


class Return(ReturnLifecycle):
    """A priority lead's quarterly return for one priority: a value for each entered
    indicator and commentary, saved as a draft, submitted, approved or returned by the
    analyst, and corrected after approval (with a reason; the history is kept)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="returns")
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="returns")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="returns")
    commentary = models.TextField(blank=True, help_text="Sanitised rich text")

    class Meta:
        ordering = ["period__start_month", "priority__theme__order", "priority__order"]
        constraints = [models.UniqueConstraint(fields=["priority", "period"], name="unique_return")]

    def __str__(self) -> str:
        return f"{self.priority} {self.period.label}"


class ReturnLine(models.Model):
    """The value (and a note) of one indicator in a return. Computed indicators carry only
    the note: their value comes from the warehouse. An entered monthly indicator has a line
    for each month of the return's quarter (``month`` ``2024-05``, the same note on each);
    every other line has a blank ``month``."""

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="lines")
    month = models.CharField(
        max_length=7,
        blank=True,
        default="",
        help_text="The month of a monthly indicator's value (2024-05); blank for a quarter.",
    )
    value = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["indicator__order", "indicator__pk", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["ret", "indicator", "month"], name="unique_return_line_month"
            )
        ]

    def __str__(self) -> str:
        month = f" {self.month}" if self.month else ""
        return f"{self.ret}: {self.indicator.code}{month} = {self.value}"


class ReturnEvent(models.Model):
    """One step in a return's history: saved, submitted, approved, returned, corrected,
    reminded; with the comment or reason and the values before and after."""

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="events")
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


class PerformanceSettings(models.Model):
    """A partnership's choices for its dashboard: the RAG rule (see
    ``saferstat.analytics.performance.RagRule``) and whether its public dashboard is
    published."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="performance_settings"
    )
    rag_rule = models.JSONField(default=dict, blank=True)
    published = models.BooleanField(
        default=False,
        help_text="When ticked, the public dashboard (its public indicators, approved values "
        "only, disclosure-controlled) is open to everyone.",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Performance settings of {self.partnership}"


class HighlightDecision(models.Model):
    """The analyst's decision on a proposed Performance Highlight or Challenge: accepted,
    edited (with the new wording) or rejected; the evidence is kept as proposed."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        EDITED = "edited", "Accepted with new wording"
        REJECTED = "rejected", "Rejected"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)  # highlight / challenge
    proposed_text = models.TextField()
    evidence = models.TextField()
    decision = models.CharField(max_length=20, choices=Decision.choices)
    text = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "kind"], name="unique_highlight_decision"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.indicator.code} {self.period}: {self.decision}"
