"""ASB case reviews (the "Community Trigger", ASB, Crime and Policing Act 2014 ss.104-105
and Sch. 4) and councillor calls for action (Police and Justice Act 2006 s.19), with the
yearly figures the law requires (docs/casereviews.md).

Applications hold personal data of victims: only the partnership's admins and the analysts
named as case reviewers see them (`permissions.can_read_cases`). The fields marked
PERSONAL are never written to the audit log, published or exported.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from saferstat.analytics import casereview as rules
from saferstat.core.models import Partnership
from saferstat.dataprotection.declaration import personal_fields

#: Fields of an application holding personal data: never in audit snapshots, exports or
#: published pages. Declared, with the other models' personal fields, in the one
#: declaration of personal data (saferstat/dataprotection/declaration.py).
PERSONAL_FIELDS = personal_fields("casereviews.Application")


class CaseReviewSettings(models.Model):
    """A partnership's threshold rule and local timescales. Absent means the defaults."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="casereview_settings"
    )
    complaints = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(rules.MAX_COMPLAINTS)],
        help_text="Qualifying complaints needed (the law allows no more than 3).",
    )
    window_months = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text="The application must come within this many months of a complaint.",
    )
    hate_complaints = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(rules.MAX_COMPLAINTS)],
        help_text="Local variation: this many suffice when the behaviour was hate-motivated.",
    )
    acknowledge_days = models.PositiveSmallIntegerField(default=10)
    decide_days = models.PositiveSmallIntegerField(default=15)
    review_days = models.PositiveSmallIntegerField(default=20)
    review_body = models.ForeignKey(
        "governance.Body",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The body whose meetings hold case reviews (e.g. a case review panel)",
    )

    def __str__(self) -> str:
        return f"Case review settings of {self.partnership}"

    def rule(self) -> rules.ThresholdRule:
        return rules.ThresholdRule(
            complaints=self.complaints,
            window_months=self.window_months,
            hate_complaints=self.hate_complaints,
        )

    def timescales(self) -> dict[str, int]:
        return {
            "acknowledge": self.acknowledge_days,
            "decide": self.decide_days,
            "review": self.review_days,
        }


class CaseReviewer(models.Model):
    """An analyst named by the admin to handle case reviews (admins always may)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    named_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "user"], name="unique_case_reviewer")
        ]

    def __str__(self) -> str:
        return f"Case reviewer {self.user}"


class ApplicantType(models.TextChoices):
    VICTIM = "victim", "Victim"
    REPRESENTATIVE = "representative", "Someone on the victim's behalf (with consent)"
    BUSINESS = "business", "A business"
    COMMUNITY = "community", "A community group"


class Decision(models.TextChoices):
    MET = "met", "Threshold met"
    NOT_MET = "not_met", "Threshold not met"


class Application(models.Model):
    """An application for an ASB case review."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    received_on = models.DateField()
    applicant_type = models.CharField(max_length=20, choices=ApplicantType.choices)
    # PERSONAL (see PERSONAL_FIELDS; decision_reason and review_outcome too)
    applicant_name = models.CharField(max_length=200)
    applicant_contact = models.CharField(max_length=300, blank=True)
    location = models.CharField(max_length=300, blank=True, help_text="Address or area")
    behaviour = models.TextField(max_length=6000, blank=True)
    # Not personal
    ward_code = models.CharField(max_length=12, blank=True)
    acknowledged_on = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    computed_met = models.BooleanField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(max_length=4000, blank=True)
    review_on = models.DateField(null=True, blank=True)
    review_item = models.OneToOneField(
        "governance.AgendaItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_review",
        help_text="The review meeting: a confidential item of a governance meeting",
    )
    review_agencies = models.CharField(max_length=500, blank=True)
    review_outcome = models.TextField(max_length=6000, blank=True)
    informed_on = models.DateField(
        null=True, blank=True, help_text="The applicant was told the outcome"
    )
    last_reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"CR-{self.received_on:%Y}-{self.pk or 0:04d}"

    @property
    def review_meeting(self):
        """The governance meeting that holds (or held) this case's review, or None."""
        return self.review_item.meeting if self.review_item_id else None

    @property
    def threshold_met(self) -> bool | None:
        return {Decision.MET: True, Decision.NOT_MET: False}.get(self.decision)

    @property
    def overridden(self) -> bool:
        return self.computed_met is not None and self.threshold_met not in (
            None,
            self.computed_met,
        )


class Complaint(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="complaints"
    )
    made_on = models.DateField()
    behaviour_on = models.DateField()
    body = models.CharField(max_length=200, help_text="Who the complaint was made to")
    hate = models.BooleanField(default=False, help_text="Behaviour motivated by hate")

    class Meta:
        ordering = ["made_on", "id"]

    def __str__(self) -> str:
        return f"Complaint {self.made_on} to {self.body}"

    def as_rule(self) -> rules.Complaint:
        return rules.Complaint(self.made_on, self.behaviour_on, self.body, self.hate)


class CaseRecommendation(models.Model):
    """A review's recommendation; its delivery is a governance action (owner, due date)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="recommendations"
    )
    number = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=4000)
    action = models.OneToOneField(
        "governance.Action", on_delete=models.PROTECT, related_name="case_recommendation"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="unique_case_recommendation"
            )
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number}"


class AppealResult(models.TextChoices):
    UPHELD = "upheld", "Upheld: the case is reviewed again"
    NOT_UPHELD = "not_upheld", "Not upheld"


class Appeal(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="appeal")
    lodged_on = models.DateField()
    grounds = models.TextField(max_length=4000)
    result = models.CharField(max_length=12, choices=AppealResult.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(max_length=4000, blank=True)

    def __str__(self) -> str:
        return f"Appeal of {self.application}"


class PublishedYear(models.Model):
    """A financial year whose four figures are published (public, disclosure-controlled)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    year = models.CharField(max_length=7)  # "2024/25"
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "year"], name="unique_published_year")
        ]

    def __str__(self) -> str:
        return f"Case review figures {self.year}"


class CallStatus(models.TextChoices):
    OPEN = "open", "Awaiting the councillor's response"
    RESPONDED = "responded", "Responded"
    REFERRED = "referred", "Referred to the crime and disorder committee"
    CLOSED = "closed", "Closed"


class CallForAction(models.Model):
    """A councillor call for action on a local crime and disorder matter (PJA 2006 s.19)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    ward = models.CharField(max_length=100)
    councillor = models.CharField(max_length=200, help_text="The ward councillor (role)")
    topic = models.CharField(max_length=300)
    matter = models.TextField(max_length=4000, help_text="No personal details")
    raised_on = models.DateField()
    status = models.CharField(max_length=10, choices=CallStatus.choices, default=CallStatus.OPEN)
    response = models.TextField(max_length=4000, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    committee_item = models.ForeignKey(
        "governance.WorkProgrammeItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.TextField(max_length=4000, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_on", "-id"]

    def __str__(self) -> str:
        return self.topic[:100]
