"""The annual strategic assessment: candidate issues scored on a configurable matrix by a
panel (each score citing its evidence), consultations compared with the Census, the
community tension log, and the refresh that turns chosen priorities into a plan version
(docs/assessment.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saferstat.analytics.assessment import DEFAULT_MATRIX, TENSION_LEVELS, Matrix
from saferstat.core.models import Partnership


def default_matrix() -> dict:
    return DEFAULT_MATRIX.as_data()


class Assessment(models.Model):
    """The strategic assessment of one year, e.g. 2025/26, with its scoring matrix."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="assessments"
    )
    year = models.CharField(max_length=7, help_text="Financial year, e.g. 2025/26")
    title = models.CharField(max_length=200)
    matrix = models.JSONField(default=default_matrix)
    matrix_version = models.PositiveIntegerField(
        default=1, help_text="The number of the matrix in force (see MatrixVersion)"
    )
    summary = models.TextField(blank=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The document's sign-off: its embedded views are frozen then (docs/assessment.md).
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "year"], name="unique_assessment_year")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scoring(self) -> Matrix:
        return Matrix.from_data(self.matrix)

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None


class MatrixVersion(models.Model):
    """Each version of an assessment's scoring matrix: a sheet keeps the number it was
    scored under, so an edit never changes what an old score meant."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="matrix_versions"
    )
    number = models.PositiveIntegerField()
    data = models.JSONField()
    note = models.TextField(blank=True, help_text="Why the matrix changed")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="unique_matrix_version")
        ]

    def __str__(self) -> str:
        return f"Matrix version {self.number} of {self.assessment}"

    @property
    def scoring(self) -> Matrix:
        return Matrix.from_data(self.data)


class CandidateIssue(models.Model):
    """An issue the panel scores, e.g. knife crime."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="issues")
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    chosen = models.BooleanField(default=False, help_text="Chosen as a priority for the plan")
    plan_priority = models.ForeignKey(
        "plan.Priority", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    crime_types = models.JSONField(
        default=list,
        blank=True,
        help_text="The police.uk crime types the issue covers (scores are proposed from them)",
    )
    concern_themes = models.JSONField(
        default=list,
        blank=True,
        help_text="The consultation themes that count as concern about the issue (none: a "
        "theme named as the issue is)",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="unique_issue_key")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def partnership(self) -> Partnership:
        return self.assessment.partnership


class Evidence(models.Model):
    """What a score cites: a saved explorer view, a partner dataset or a document."""

    class Kind(models.TextChoices):
        VIEW = "view", "Saved explorer view"
        DATA = "data", "Figures from the data, frozen"
        CONSULTATION = "consultation", "Consultation theme counts, frozen"
        DATASET = "dataset", "Partner dataset"
        DOCUMENT = "document", "Document"

    issue = models.ForeignKey(CandidateIssue, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    saved_view = models.ForeignKey(
        "intelligence.SavedView", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dataset = models.ForeignKey(
        "intelligence.PartnerDataset",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    frozen_view = models.ForeignKey(
        "FrozenView", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    url = models.URLField(blank=True, help_text="A document's address")
    figures = models.JSONField(
        null=True, blank=True, help_text="Consultation counts as they were when proposed"
    )
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.title


class ScoreSheet(models.Model):
    """One scorer's scores for one issue: a value per dimension, each citing evidence.
    Other scorers' sheets are shown to a scorer only after they submit their own."""

    issue = models.ForeignKey(CandidateIssue, on_delete=models.CASCADE, related_name="sheets")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    values = models.JSONField(default=dict, help_text="dimension key -> points")
    reasons = models.JSONField(default=dict, help_text="dimension key -> why")
    evidence = models.JSONField(default=dict, help_text="dimension key -> [evidence ids]")
    overrides = models.JSONField(
        default=dict, help_text="dimension key -> {proposed, reason}: a proposal overridden"
    )
    matrix_version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "scorer"], name="unique_sheet_scorer")
        ]

    def __str__(self) -> str:
        return f"{self.issue} – {self.scorer}"


class ScoreProposal(models.Model):
    """A score proposed from the data for one dimension of an issue, with its reasoning and
    its evidence (a frozen explorer view). A scorer accepts it or overrides it with a reason."""

    issue = models.ForeignKey(CandidateIssue, on_delete=models.CASCADE, related_name="proposals")
    dimension = models.CharField(max_length=60)
    points = models.SmallIntegerField()
    reasoning = models.TextField()
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "dimension"], name="unique_proposal")
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.points}"


class DocumentSection(models.Model):
    """A section of the assessment document: its text and the explorer views it embeds."""

    class Key(models.TextChoices):
        PICTURE = "picture", "The picture by theme"
        EMERGING = "emerging", "Emerging issues"
        GAPS = "gaps", "Data gaps"
        PUBLIC = "public", "What the public told us"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=20, choices=Key.choices)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="unique_document_section")
        ]

    def __str__(self) -> str:
        return self.get_key_display()


class FrozenView(models.Model):
    """An explorer view as the document (or a proposed score) shows it. ``query`` is what was
    asked (it may leave the months open: "the latest"); until it is frozen the figures are
    computed afresh; once frozen, ``figures`` holds what the explorer showed (the resolved
    query, title, verdicts, table, notes and chart) and ``warehouse_version`` the
    warehouse's manifest generation it came from, and it never changes."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey(
        DocumentSection, null=True, blank=True, on_delete=models.CASCADE, related_name="views"
    )
    title = models.CharField(max_length=200)
    query = models.CharField(max_length=1000, help_text="The explorer's query string")
    figures = models.JSONField(null=True, blank=True)
    warehouse_version = models.JSONField(null=True, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Consultation(models.Model):
    """A public consultation that informs the assessment, and its respondents' answers."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="consultations"
    )
    title = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    methods = models.CharField(max_length=300, blank=True)
    margin_points = models.PositiveSmallIntegerField(
        default=2, help_text="Percentage points a group's interval must fall short to be flagged"
    )
    themes = models.JSONField(
        default=list,
        blank=True,
        help_text="The themes free-text answers are tagged with (none: the plan's themes)",
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.title


class ConsultationResponse(models.Model):
    """One respondent's answers about themselves (each may be blank: prefer not to say),
    their concern, and perhaps their own words, tagged by theme."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    age = models.CharField(max_length=10, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    disability = models.CharField(max_length=20, blank=True)
    ethnic_group = models.CharField(max_length=80, blank=True)
    area = models.CharField(max_length=100, blank=True)
    concern_theme = models.CharField(max_length=100, blank=True)
    # The respondent's own words: personal data (dataprotection/declaration.py), read and
    # tagged by analysts and admins only (`assessment.free_text`), never published.
    free_text = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="Themes the free text is about")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.consultation_id}"


class TensionReport(models.Model):
    """A confidential community tension report: never published; scrutiny members see only
    the weekly summary."""

    LEVELS = [(level, level.capitalize()) for level in TENSION_LEVELS]

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="tension_reports"
    )
    reported_on = models.DateField()
    area = models.CharField(max_length=100)
    community = models.CharField(max_length=200)
    source = models.CharField(max_length=200)
    description = models.TextField()
    level = models.CharField(max_length=10, choices=LEVELS)
    reasons = models.TextField(help_text="Why this level")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-reported_on", "-pk"]

    def __str__(self) -> str:
        return f"Tension report {self.pk} ({self.reported_on:%d %b %Y}, {self.area})"


class TensionAction(models.Model):
    report = models.ForeignKey(TensionReport, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField()
    owner_role = models.CharField(max_length=200)
    review_on = models.DateField()
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["review_on", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class PlanRefresh(models.Model):
    """The annual refresh: the chosen priorities proposed as the plan's next version, then
    reviewed and applied by someone else (or sent back)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Awaiting review"
        APPLIED = "applied", "Applied to the plan"
        RETURNED = "returned", "Sent back"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="refreshes")
    plan = models.ForeignKey("plan.Plan", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=100)
    proposal = models.JSONField(help_text="The plan snapshot proposed")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Refresh of {self.plan}: {self.label}"
