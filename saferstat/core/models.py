"""Partnerships (tenants), their partner organisations, users, memberships and the audit log."""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import RegexValidator
from django.db import models

from .choices import OrganisationKind, Role

lad_code_validator = RegexValidator(
    r"^[EW]0[6-9]\d{6}$", "Enter an ONS local authority code, e.g. E08000018."
)


class User(AbstractUser):
    """A person who signs in. What they may see and do comes from their memberships."""

    display_name = models.CharField(max_length=150, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Partnership(models.Model):
    """A Community Safety Partnership: the tenant. No user sees another's unpublished data."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    force_slug = models.SlugField(
        max_length=60, help_text="police.uk force whose files cover this area, e.g. south-yorkshire"
    )
    neighbours = models.ManyToManyField("self", blank=True, symmetrical=False)
    overview_published = models.BooleanField(
        default=False, help_text="When ticked, the crime overview is public (no sign-in)."
    )
    #: The partnership's logo for report covers: a PNG that SaferStat drew again from the
    #: uploaded image (services.partnership_logo_set), kept in the database so that backups
    #: carry it. Empty: no logo.
    logo_png = models.BinaryField(blank=True, default=b"", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def lad_codes(self) -> list[str]:
        return [area.lad_code for area in self.areas.all()]

    @property
    def privacy_notice_public(self) -> bool:
        """True once the partnership's admin has checked and saved its privacy notice: from
        then on anyone may read it (`privacy.view`); until then, members see the default."""
        try:
            return self.privacy_notice is not None
        except ObjectDoesNotExist:
            return False

    @property
    def logo_data_url(self) -> str:
        """The logo as a ``data:`` address for pages and PDFs ("" without one)."""
        if not self.logo_png:
            return ""
        return "data:image/png;base64," + base64.b64encode(bytes(self.logo_png)).decode("ascii")

    def neighbour_codes(self) -> list[str]:
        """The local authority codes of the partnership's neighbour group, in order."""
        return [n.lad_code for n in self.neighbour_areas.all()]


class PartnershipArea(models.Model):
    """A local authority district a partnership covers, by its current ONS code."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="areas")
    lad_code = models.CharField(max_length=9, validators=[lad_code_validator])
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "lad_code"], name="unique_partnership_area"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.lad_code})"


class NeighbourArea(models.Model):
    """A local authority in the partnership's neighbour group: the areas its comparisons
    (the explorer's and the API's) set it against by default. Set by the partnership's
    admin (``core.services.neighbour_group_set``)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="neighbour_areas"
    )
    lad_code = models.CharField(max_length=9, validators=[lad_code_validator])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["partnership", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "lad_code"], name="unique_partnership_neighbour"
            )
        ]

    def __str__(self) -> str:
        return self.lad_code


class Organisation(models.Model):
    """A partner organisation in a partnership: council, police, fire, probation, health, ..."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    is_responsible_authority = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="unique_organisation_name")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one partnership. A user may belong to several partnerships."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "partnership"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.partnership}"

    def clean(self) -> None:
        if self.organisation_id and self.organisation.partnership_id != self.partnership_id:
            raise ValidationError(
                {"organisation": "The organisation belongs to another partnership."}
            )


force_slug_validator = RegexValidator(
    r"^[a-z0-9]+(-[a-z0-9]+)*$", "Enter a police.uk force, e.g. south-yorkshire."
)


class ForceAdministrator(models.Model):
    """A user who administers one police force's data (docs/security.md, force data).

    A police.uk month belongs to the force and is shared by every partnership the force
    serves, so only a force administrator (or a site administrator) may load or replace one,
    and approve or reject the files partnership analysts propose.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="force_roles"
    )
    force_slug = models.CharField(
        max_length=60,
        validators=[force_slug_validator],
        help_text="police.uk force whose data this user administers, e.g. south-yorkshire",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["force_slug", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "force_slug"], name="unique_force_admin")
        ]

    def __str__(self) -> str:
        return f"{self.user} - force administrator - {self.force_slug}"


class AuditEvent(models.Model):
    """One write: who did what to which object, when, with the values before and after.

    Written only by `saferstat.core.audit.record`; never edited or deleted through the app.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(
        max_length=150,
        blank=True,
        help_text="Who acted when it was not a signed-in user, e.g. 'command line (OS user ops)'.",
    )
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    verb = models.CharField(max_length=60)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.who} {self.verb} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit events cannot be deleted.")

    @property
    def who(self) -> str:
        """The user, or the label of the command or job that acted."""
        if self.actor_id:
            return str(self.actor)
        return self.actor_label or "system"


class ApiToken(models.Model):
    """A secret a user gives the JSON API instead of signing in. Only its hash is stored.

    A token acts as its user: it sees exactly what the user sees on the pages.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class PrivacyNotice(models.Model):
    """A partnership's privacy notice (UK GDPR articles 13 and 14): who the controller is,
    why and on what lawful basis it holds personal data, for how long, people's rights and
    whom to contact. Each partnership is the controller of what its members record, so each
    writes its own. Written only by `core.services.privacy_notice_save`; until the admin
    saves one, members see the default text (`core.privacy.default_notice`) and the public
    nothing."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="privacy_notice"
    )
    controller = models.TextField(help_text="Who decides how the personal data is used.")
    purposes = models.TextField(help_text="What personal data is held and why.")
    lawful_basis = models.TextField(help_text="The UK GDPR article 6 (and 9, 10) bases.")
    retention = models.TextField(help_text="How long each kind of record is kept.")
    rights = models.TextField(help_text="People's rights, and how to complain to the ICO.")
    contact = models.TextField(help_text="The data protection officer and how to reach them.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Privacy notice of {self.partnership}"


class ComplianceStatus(models.TextChoices):
    FULL = "full", "fully compliant"
    PARTIAL = "partial", "partially compliant"
    NONE = "not", "not compliant"


class AccessibilityStatement(models.Model):
    """The service's accessibility statement, in the sections of the GOV.UK model statement
    (Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility
    Regulations 2018). One row for the whole site; site administrators edit it through
    `core.services.accessibility_statement_save`. Until one is saved, the default
    (`core.accessibility.default_statement`) is shown."""

    organisation = models.CharField(
        max_length=200, help_text="The organisation that runs this SaferStat site."
    )
    compliance_status = models.CharField(max_length=10, choices=ComplianceStatus.choices)
    non_compliance = models.TextField(
        help_text="Known problems: what fails, which WCAG success criterion, and when it "
        "will be fixed."
    )
    disproportionate_burden = models.TextField(blank=True)
    out_of_scope = models.TextField(blank=True)
    report_a_problem = models.TextField(
        help_text="How to ask for content in another format or report a problem."
    )
    enforcement = models.TextField()
    improvements = models.TextField(blank=True, help_text="What is being done to improve.")
    testing = models.TextField(help_text="How and by whom the service was tested.")
    prepared_on = models.DateField()
    reviewed_on = models.DateField()
    tested_on = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return "Accessibility statement"
