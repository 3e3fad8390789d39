"""Governance: the Board, the scrutiny committee and priority groups, their meetings,
attendance, resolutions, actions, scrutiny recommendations, the work programme and the
statutory calendar (docs/governance.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from saferstat.core.models import Organisation, Partnership

from . import clock


class BodyKind(models.TextChoices):
    BOARD = "board", "Partnership Board"
    SCRUTINY = "scrutiny", "Scrutiny committee (Crime and Disorder Committee)"
    PRIORITY_GROUP = "priority_group", "Priority group"


class GovernanceSettings(models.Model):
    """A partnership's own governance settings. Absent means the defaults."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="governance_settings"
    )
    response_days = models.PositiveSmallIntegerField(
        default=clock.DEFAULT_RESPONSE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days a responsible authority has to respond to a scrutiny recommendation.",
    )
    response_basis = models.CharField(
        max_length=300,
        blank=True,
        default="Local protocol with the Crime and Disorder Committee (Police and Justice Act "
        "2006 s.19-20: authorities must consider, respond and have regard)",
    )
    agenda_notice_days = models.PositiveSmallIntegerField(
        default=clock.DEFAULT_AGENDA_NOTICE_DAYS,
        validators=[MaxValueValidator(30)],
        help_text="Clear working days between publishing a public body's agenda and its meeting.",
    )
    dhr_decision_months = models.PositiveSmallIntegerField(
        default=clock.DEFAULT_DHR_DECISION_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="Months from notification to the decision whether to hold a domestic "
        "homicide review (a local setting: check the Home Office statutory guidance).",
    )
    dhr_report_months = models.PositiveSmallIntegerField(
        default=clock.DEFAULT_DHR_REPORT_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Months from the decision to hold a review to its report going to the Home "
        "Office (a local setting: check the Home Office statutory guidance).",
    )

    def __str__(self) -> str:
        return f"Governance settings of {self.partnership}"


class Body(models.Model):
    """A body that meets: the Board, the scrutiny committee, a priority group."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="bodies")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=BodyKind.choices)
    terms_of_reference = models.TextField(blank=True, max_length=10000)
    meets_in_public = models.BooleanField(
        default=False,
        help_text="Its published agendas and papers, and its approved minutes, are public (no "
        "sign-in); confidential items never are.",
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="unique_body_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def chair(self) -> Seat | None:
        return self.seats.filter(is_chair=True, active=True).first()


class Seat(models.Model):
    """A place at a body's table: an organisation's seat, held by a person or a role.

    The attendance table has one column per seat (seed 004: Chair, the council, police, ...).
    """

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="seats")
    label = models.CharField(max_length=100, help_text="Column in the attendance table")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT)
    holder = models.CharField(max_length=200, blank=True, help_text="Role or name of the holder")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_chair = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["body", "label"], name="unique_seat_label")]

    def __str__(self) -> str:
        return self.label


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    APPROVED = "approved", "Minutes approved"


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(help_text="Date and time (Europe/London)")
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    agenda_published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the agenda and its open papers were published (public bodies)",
    )

    class Meta:
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return f"{self.body} {clock.london_date(self.starts_at):%d/%m/%Y}"

    @property
    def date(self):
        return clock.london_date(self.starts_at)

    @property
    def is_public(self) -> bool:
        """The meeting's page is open to everyone: its body meets in public and its agenda
        was published (or its minutes approved). Confidential items never are."""
        return self.body.meets_in_public and (
            self.agenda_published_at is not None or self.status == MeetingStatus.APPROVED
        )

    @property
    def minutes_public(self) -> bool:
        """Its minutes (notes, attendance, resolutions) are public: approved, public body."""
        return self.body.meets_in_public and self.status == MeetingStatus.APPROVED

    @property
    def agenda_published_on(self):
        if self.agenda_published_at is None:
            return None
        return clock.london_date(self.agenda_published_at)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    notes = models.TextField(blank=True, help_text="Discussion notes (sanitised rich text)")
    confidential = models.BooleanField(
        default=False, help_text="Exempt information: hidden from the public and scrutiny"
    )
    link = models.CharField(
        max_length=500, blank=True, help_text="A SaferStat page of this partnership"
    )
    data_request = models.ForeignKey(
        "intelligence.DataRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="unique_item_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Paper(models.Model):
    """A file attached to an agenda item (a report, a presentation), checked by its content
    (`saferstat.core.documents`), kept under MEDIA_ROOT/papers/ and served as a download.
    Hidden with its item when the item is confidential."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    original_name = models.CharField(max_length=200, help_text="Safe file name, for downloads")
    kind = models.CharField(max_length=10, help_text="Checked kind: pdf, docx, xlsx, csv...")
    stored_path = models.CharField(max_length=500)
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = clock.PRESENT, "Present"
    APOLOGIES = clock.APOLOGIES, "Apologies"
    ABSENT = clock.ABSENT, "Absent"
    SUBSTITUTE = clock.SUBSTITUTE, "Substitute attended"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=1, choices=AttendanceStatus.choices)
    substitute = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seat"], name="unique_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.seat}: {self.status}"


class ResolutionKind(models.TextChoices):
    NOTED = "noted", "Noted"
    AGREED = "agreed", "Agreed"
    RECOMMENDATION = "recommendation", "Recommendation"
    INFORMATION = "information", "Request for information"
    WORK_PROGRAMME = "work_programme", "Added to the work programme"


class Resolution(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="resolutions")
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="resolutions"
    )
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=ResolutionKind.choices)
    text = models.TextField(max_length=4000)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="unique_resolution_number")
        ]

    def __str__(self) -> str:
        return f"Resolution {self.number}: {self.text[:60]}"

    @property
    def confidential(self) -> bool:
        return self.item is not None and self.item.confidential


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class Action(models.Model):
    """Something someone must do by a date, from a resolution or freestanding."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    resolution = models.ForeignKey(
        Resolution, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    title = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_role = models.CharField(max_length=200, blank=True, help_text="e.g. Head of Service")
    owner_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT
    )
    priority = models.CharField(max_length=200, blank=True, help_text="Plan priority (free text)")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default="open")
    done_on = models.DateField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title[:100]

    def state(self, today) -> str:
        return clock.action_state(self.due_date, self.status == ActionStatus.DONE, today)

    @property
    def owner_label(self) -> str:
        parts = [str(self.owner) if self.owner else self.owner_role]
        if self.owner_organisation:
            parts.append(str(self.owner_organisation))
        return ", ".join(p for p in parts if p)


class ActionUpdate(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=4000)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class ResponseKind(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    PARTLY = "partly", "Partly accepted"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


class Recommendation(models.Model):
    """A scrutiny recommendation to a responsible authority, with its response clock."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="recommendations")
    resolution = models.ForeignKey(
        Resolution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=4000)
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    made_on = models.DateField()
    response_days = models.PositiveSmallIntegerField(
        help_text="The clock when it was made (the partnership's setting at the time)"
    )
    response = models.CharField(max_length=20, choices=ResponseKind.choices, blank=True)
    response_text = models.TextField(blank=True, max_length=6000)
    responded_on = models.DateField(null=True, blank=True)
    implementation = models.TextField(blank=True, max_length=4000)
    last_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["made_on", "id"]

    def __str__(self) -> str:
        return self.text[:100]

    def clock(self, today) -> clock.Clock:
        return clock.response_clock(self.made_on, self.response_days, today, self.responded_on)

    @property
    def due(self):
        return clock.response_due(self.made_on, self.response_days)


class WorkProgrammeItem(models.Model):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="work_programme")
    topic = models.CharField(max_length=300)
    source = models.CharField(max_length=300, blank=True, help_text="Where the topic came from")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["done", "id"]

    def __str__(self) -> str:
        return self.topic


class StatutoryDuty(models.Model):
    """A duty the partnership must meet on a cycle (docs/governance.md has the sources)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="statutory_duties"
    )
    key = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    legal_basis = models.CharField(max_length=300)
    cycle_months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    period_confirmed = models.BooleanField(
        default=True, help_text="False when the period is a local setting, not confirmed in law"
    )
    owner = models.CharField(max_length=200, blank=True)
    applies = models.BooleanField(default=True)
    last_met = models.DateField(null=True, blank=True)
    first_due = models.DateField(null=True, blank=True)
    evidence = models.CharField(max_length=500, blank=True, help_text="Link to the record")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "key"], name="unique_duty_key")
        ]

    def __str__(self) -> str:
        return self.title


class DhrStatus(models.TextChoices):
    NOTIFIED = "notified", "Notified"
    DECIDING = "deciding", "Deciding"
    IN_PROGRESS = "in_progress", "In progress"
    REPORT_SENT = "report_sent", "Report sent"
    CLOSED = "closed", "Closed"


class DhrDecision(models.TextChoices):
    REVIEW = "review", "Hold a review"
    NO_REVIEW = "no_review", "Do not hold a review"


class DomesticHomicideReview(models.Model):
    """A domestic homicide review (Domestic Violence, Crime and Victims Act 2004 s.9; now
    also called a Domestic Abuse Related Death Review). Confidential: only the roles of
    `governance.dhr` see it. Known by a case reference, never a name."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(
        max_length=40, help_text="A case reference such as DHR 2025-01, never a name"
    )
    notified_on = models.DateField(help_text="Date the partnership was notified")
    status = models.CharField(max_length=20, choices=DhrStatus.choices, default=DhrStatus.NOTIFIED)
    decision = models.CharField(max_length=20, choices=DhrDecision.choices, blank=True)
    decision_on = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, max_length=4000)
    chair_role = models.CharField(
        max_length=200, blank=True, help_text="The independent chair's role, not their name"
    )
    report_sent_on = models.DateField(
        null=True,
        blank=True,
        help_text="Report sent to the Home Office / Domestic Abuse Commissioner",
    )

    class Meta:
        ordering = ["notified_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "reference"], name="unique_dhr_ref")
        ]

    def __str__(self) -> str:
        return self.reference


#: What each scheduled job is called on the jobs page (other apps' jobs included).
JOB_LABELS = {
    "governance.reminders": "Reminder emails",
    "dataprotection.retention": "Personal data retention",
    "reports.rebuild": "Report rebuilds",
    "performance.reminders": "Quarterly return reminders",
}


class JobRun(models.Model):
    """One run of a scheduled job for one partnership (e.g. the reminder emails)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    job = models.CharField(max_length=60)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        return JOB_LABELS.get(self.job, self.job)
