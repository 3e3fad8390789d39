"""The one declaration of personal data in SaferStat (docs/data-protection.md).

Every model field that holds personal data is named here, grouped by **record type** (what
the retention period, the subject-access export and erasure work on). Everything else that
reads it goes through this module: the retention job (`services.retention_run`), the
subject-access export and erasure on request, the case review audit log (which never logs
these fields' values: `casereviews.models.PERSONAL_FIELDS`), and the test
`tests/dataprotection/test_declaration.py`, which fails when a model gains a field whose
name looks like personal data (name, email, phone, address, contact, ...) without it being
declared here or listed in `NOT_PERSONAL` with the reason.

Plain data: models are named by label (``"casereviews.Application"``) and looked up through
the app registry, so this module imports no app.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalModel:
    """A model's personal fields.

    Attributes:
        label: the model, ``app_label.Model``.
        fields: the fields holding personal data: erased at the end of retention or on
            request, exported in a subject-access export.
        identifies: those of `fields` that name or reach the person (searched when someone
            asks for their data). Empty: the rows cannot be linked to anyone.
        partnership: the lookup from the model to its partnership.
        root: the lookup from the model to its record type's main model ("" for the main
            model itself): an appeal belongs to its application.
    """

    label: str
    fields: tuple[str, ...]
    partnership: str
    identifies: tuple[str, ...] = ()
    root: str = ""


@dataclass(frozen=True)
class RecordType:
    """What a retention period applies to.

    Attributes:
        key: stored in `RetentionPeriod.record_type`.
        label: shown to people.
        models: the main model first, then those erased with it.
        default_months: kept this long after `clock` (None: not erased by the schedule).
        clock: what starts the retention period, in words.
        erasable: erasure on request is possible (when closed); otherwise why it is not.
        special: holds special category data (UK GDPR Art. 9: ethnicity, disability).
    """

    key: str
    label: str
    models: tuple[PersonalModel, ...]
    default_months: int | None
    clock: str
    erasable: str = ""
    special: bool = False
    lawful_basis: str = ""

    @property
    def main(self) -> PersonalModel:
        return self.models[0]


CASE_REVIEW = RecordType(
    key="case_review",
    label="ASB case review applications",
    models=(
        PersonalModel(
            "casereviews.Application",
            (
                "applicant_name",
                "applicant_contact",
                "location",
                "behaviour",
                "decision_reason",
                "review_outcome",
            ),
            partnership="partnership",
            identifies=("applicant_name", "applicant_contact", "location"),
        ),
        # Exported with the case; nothing in it to erase (dates and who was complained to).
        PersonalModel(
            "casereviews.Complaint", (), partnership="application__partnership", root="application"
        ),
        PersonalModel(
            "casereviews.Appeal",
            ("grounds", "outcome"),
            partnership="application__partnership",
            root="application",
        ),
        PersonalModel(
            "casereviews.CaseRecommendation",
            ("text",),
            partnership="application__partnership",
            root="application",
        ),
    ),
    default_months=72,
    clock="the case is closed: the applicant was told the outcome, after the review (when "
    "the threshold was met) and any appeal",
    lawful_basis="Public task (ASB, Crime and Policing Act 2014 s.104)",
)

CALL_FOR_ACTION = RecordType(
    key="call_for_action",
    label="Councillor calls for action",
    models=(
        PersonalModel(
            "casereviews.CallForAction",
            ("councillor", "matter", "response", "outcome"),
            partnership="partnership",
            identifies=("councillor", "matter"),
        ),
    ),
    default_months=72,
    clock="the call is closed",
    lawful_basis="Public task (Police and Justice Act 2006 s.19)",
)

TENSION_REPORT = RecordType(
    key="tension_report",
    label="Community tension reports",
    models=(
        PersonalModel(
            "assessment.TensionReport",
            ("community", "source", "description", "reasons"),
            partnership="partnership",
            identifies=("source", "description"),
        ),
        PersonalModel(
            "assessment.TensionAction",
            ("text",),
            partnership="report__partnership",
            root="report",
        ),
    ),
    default_months=24,
    clock="the report's date",
    lawful_basis="Public task (Crime and Disorder Act 1998 s.17)",
)

CONSULTATION_RESPONSE = RecordType(
    key="consultation_response",
    label="Consultation responses (equality monitoring)",
    models=(
        PersonalModel(
            "assessment.ConsultationResponse",
            ("age", "sex", "disability", "ethnic_group", "area", "free_text"),
            partnership="consultation__assessment__partnership",
            # Free text may name the respondent or someone else: it is searched, and a
            # response is erased on request once the consultation has closed.
            identifies=("free_text",),
        ),
    ),
    default_months=24,
    clock="the consultation's closing date",
    special=True,
    lawful_basis="Public task; Art. 9(2)(g) substantial public interest (equality of "
    "opportunity, DPA 2018 Sch. 1 para. 8)",
)

MEETING_RECORD = RecordType(
    key="meeting_record",
    label="Board seats, attendance and committee work programmes",
    models=(
        PersonalModel(
            "governance.Seat",
            ("holder",),
            partnership="body__partnership",
            identifies=("holder",),
        ),
        PersonalModel(
            "governance.Attendance",
            ("substitute",),
            partnership="meeting__partnership",
            identifies=("substitute",),
        ),
        PersonalModel(
            "governance.WorkProgrammeItem",
            ("source",),
            partnership="body__partnership",
            identifies=("source",),
        ),
    ),
    default_months=None,
    clock="kept: the record of the partnership's meetings",
    erasable="Names in the record of meetings are kept as the public record of the "
    "partnership's decisions (UK GDPR Art. 17(3)(b) and (e)).",
    lawful_basis="Public task",
)

DHR = RecordType(
    key="dhr",
    label="Domestic homicide reviews",
    models=(
        # Known by a case reference, never a name; the reason and the chair are free text a
        # user might still put a name in, so they are declared, searched and exported.
        PersonalModel(
            "governance.DomesticHomicideReview",
            ("decision_reason", "chair_role"),
            partnership="partnership",
            identifies=("decision_reason", "chair_role"),
        ),
    ),
    default_months=None,
    clock="kept: the partnership's statutory record of its reviews",
    erasable="The register is the partnership's record of a statutory duty (Domestic "
    "Violence, Crime and Victims Act 2004 s.9) (UK GDPR Art. 17(3)(b)).",
    lawful_basis="Public task (Domestic Violence, Crime and Victims Act 2004 s.9)",
)

USER_ACCOUNT = RecordType(
    key="user_account",
    label="User accounts of members",
    models=(
        PersonalModel(
            "core.User",
            ("username", "first_name", "last_name", "email", "display_name"),
            partnership="memberships__partnership",
            identifies=("username", "first_name", "last_name", "email", "display_name"),
        ),
    ),
    default_months=None,
    clock="kept while the account is in use; the site administrator closes accounts",
    erasable="Accounts are closed by the site administrator; the audit log keeps who did "
    "what (UK GDPR Art. 17(3)(b)).",
    lawful_basis="Public task; the audit trail is a legal obligation of the partners",
)

RECORD_TYPES: tuple[RecordType, ...] = (
    CASE_REVIEW,
    CALL_FOR_ACTION,
    TENSION_REPORT,
    CONSULTATION_RESPONSE,
    MEETING_RECORD,
    DHR,
    USER_ACCOUNT,
)
BY_KEY: dict[str, RecordType] = {r.key: r for r in RECORD_TYPES}

#: Fields whose names look like personal data (see `LOOKS_PERSONAL` in the test) but hold
#: none, with the reason. A new field must be declared above or listed here.
NOT_PERSONAL: dict[tuple[str, str], str] = {
    ("delivery.Communication", "file_name"): "the name of a bulletin or campaign file as "
    "uploaded, shown so readers know which file it is: not about a data subject",
    ("governance.Paper", "original_name"): "the name of a meeting paper's file as uploaded, "
    "shown so members know which paper it is: not about a data subject",
    ("core.PrivacyNotice", "contact"): "how to reach the controller and its data protection "
    "officer: an office's published contact, not a data subject's",
    ("core.Partnership", "name"): "the partnership's name",
    ("core.PartnershipArea", "name"): "a local authority's name",
    ("core.Organisation", "name"): "a partner organisation's name",
    ("reports.SupportService", "name"): "a support service's name (a helpline, a charity's "
    "service), as published in the annual report: not a person's",
    ("reports.SupportService", "phone"): "a support service's published phone number, "
    "printed in the annual report: a service's number, not a person's",
    ("reports.SupportService", "web_address"): "a support service's published website: "
    "a service's address, not a person's",
    ("core.ApiToken", "name"): "a label the user gives a token",
    ("intelligence.PartnerDataset", "name"): "a dataset's name",
    ("intelligence.PartnerUpload", "original_name"): "a file's name",
    ("intelligence.ImportRun", "original_name"): "a file's name",
    ("intelligence.PartnerUpload", "source_sha256"): "a checksum of an uploaded file",
    ("governance.Body", "name"): "a board or committee's name",
    ("governance.Meeting", "location"): "where a meeting is held (a venue)",
    ("governance.Action", "owner_role"): "a role, not a person",
    ("governance.StatutoryDuty", "owner"): "the role owning a statutory duty",
    ("plan.Theme", "name"): "a plan theme",
    ("plan.Priority", "name"): "a priority",
    ("plan.Priority", "lead_role"): "a role, not a person",
    ("performance.Indicator", "name"): "an indicator",
    ("performance.Indicator", "source"): "a data source",
    ("assessment.CandidateIssue", "name"): "an issue's name",
    ("assessment.TensionAction", "owner_role"): "a role, not a person",
    ("delivery.FundingStream", "name"): "a funding stream",
    ("delivery.Project", "name"): "a project",
    ("delivery.Project", "lead_role"): "a role, not a person",
    ("delivery.Measure", "name"): "an output or outcome measure",
    ("delivery.Activity", "provider"): "an organisation that delivered training",
    ("casereviews.Application", "applicant_type"): "a category (victim, business, ...)",
    ("casereviews.Complaint", "body"): "the organisation a complaint was made to",
    ("core.AuditEvent", "actor_label"): "the command line or a scheduled job",
    ("intelligence.FetchRun", "actor_label"): "the command line or a scheduled job",
    ("intelligence.ImportRun", "actor_label"): "the command line or a scheduled job",
}


def personal_fields(label: str) -> tuple[str, ...]:
    """The declared personal fields of a model (empty when it holds none)."""
    for record_type in RECORD_TYPES:
        for model in record_type.models:
            if model.label == label:
                return model.fields
    return ()


def declared() -> dict[str, tuple[RecordType, PersonalModel]]:
    """Every declared model by label."""
    return {m.label: (r, m) for r in RECORD_TYPES for m in r.models}
