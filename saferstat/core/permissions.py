"""Who may do what, in one place.

Every view, API endpoint and write service asks `can` or `require`; templates ask through
the `can` template filter. Later modules add rows to `RULES`, not new machinery. The whole
table is tested against every role in `tests/core/test_permissions.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from .choices import Role
from .models import ForceAdministrator, Membership, Partnership, User

ALL_MEMBERS = frozenset(Role)
ANALYSTS = frozenset({Role.ADMIN, Role.ANALYST})


@dataclass(frozen=True)
class Rule:
    """An action, the roles that may take it, and whether the public may when published."""

    roles: frozenset[str]
    public_when: str | None = None  # name of a Partnership boolean that opens it to everyone
    description: str = ""


RULES: dict[str, Rule] = {
    "partnership.view": Rule(ALL_MEMBERS, description="See the partnership's home page"),
    "overview.view": Rule(
        ALL_MEMBERS, public_when="overview_published", description="See the crime overview"
    ),
    "data.upload": Rule(
        ANALYSTS,
        description="Propose a police.uk file (a force administrator approves it) and upload "
        "partner data",
    ),
    "imports.view": Rule(ANALYSTS, description="See import runs and their errors"),
    "explorer.view": Rule(ALL_MEMBERS, description="Use the crime and data explorer"),
    "requests.view": Rule(ALL_MEMBERS, description="Read members' data requests and answers"),
    "requests.raise": Rule(ALL_MEMBERS, description="Raise a data request"),
    "requests.answer": Rule(ANALYSTS, description="Answer a data request and attach saved views"),
    "audit.view": Rule(frozenset({Role.ADMIN}), description="Read the audit log"),
    "partnership.publish": Rule(frozenset({Role.ADMIN}), description="Publish or unpublish pages"),
    # The privacy notice (UK GDPR articles 13 and 14) is for everyone whose data the
    # partnership holds, most of whom never sign in: public once the admin has saved it.
    "privacy.view": Rule(
        ALL_MEMBERS,
        public_when="privacy_notice_public",
        description="Read the privacy notice (everyone, once the admin has saved it)",
    ),
    "privacy.edit": Rule(
        frozenset({Role.ADMIN}), description="Write and publish the partnership's privacy notice"
    ),
    "partnership.logo": Rule(
        frozenset({Role.ADMIN}), description="Upload or remove the partnership's logo"
    ),
    "neighbours.edit": Rule(
        frozenset({Role.ADMIN}),
        description="Set the neighbour group that comparisons use by default",
    ),
    # Partner datasets (docs/partner-data.md). Sensitive datasets are hidden from scrutiny
    # members unless the admin shares them: see `can_view_partner_dataset`.
    "datasets.view": Rule(ALL_MEMBERS, description="See partner datasets and their figures"),
    "datasets.view_sensitive": Rule(
        frozenset({Role.ADMIN, Role.ANALYST, Role.LEAD, Role.BOARD}),
        description="See sensitive partner datasets that are not shared with scrutiny",
    ),
    "datasets.declare": Rule(frozenset({Role.ADMIN}), description="Declare a partner dataset"),
    "datasets.upload": Rule(ANALYSTS, description="Upload partner data and read upload errors"),
    # Governance (docs/governance.md). Confidential agenda items are hidden from scrutiny
    # members; approved minutes of a body that meets in public are open to everyone
    # (`can_view_meeting`); Board members and leads update only their own actions
    # (`can_update_action`).
    "governance.view": Rule(ALL_MEMBERS, description="See bodies, meetings and the action log"),
    "governance.view_confidential": Rule(
        frozenset({Role.ADMIN, Role.ANALYST, Role.LEAD, Role.BOARD}),
        description="See confidential (exempt) agenda items and their resolutions",
    ),
    "governance.manage": Rule(
        ANALYSTS,
        description="Set up bodies and meetings; record attendance, minutes, actions, "
        "recommendations and the statutory calendar",
    ),
    "governance.configure": Rule(
        frozenset({Role.ADMIN}), description="Set the recommendation response clock"
    ),
    # Domestic homicide reviews are confidential: not the Board, leads, scrutiny or the
    # public; the statutory calendar shows their line only to these roles.
    "governance.dhr": Rule(
        ANALYSTS, description="See and record domestic homicide reviews (confidential)"
    ),
    "actions.update": Rule(
        frozenset({Role.ADMIN, Role.ANALYST, Role.LEAD, Role.BOARD}),
        description="Update actions (Board members and leads: only their own)",
    ),
    "recommendations.respond": Rule(
        ANALYSTS, description="Record a responsible authority's response to a recommendation"
    ),
    # Plan and performance (docs/plan-performance.md). A lead submits returns for the
    # priorities they lead only: see `can_submit_for`.
    "plan.view": Rule(ALL_MEMBERS, description="Read the partnership plan and its versions"),
    "plan.edit": Rule(ANALYSTS, description="Change the plan, refresh it as a new version"),
    "performance.view": Rule(
        ALL_MEMBERS, description="Read the Board dashboard, indicators and returns"
    ),
    "performance.submit": Rule(
        frozenset({Role.LEAD}),
        description="Enter, save and submit returns for the priorities one leads",
    ),
    "performance.approve": Rule(
        ANALYSTS,
        description="Approve or return returns, see late returns, decide highlights",
    ),
    "performance.manage": Rule(
        ANALYSTS, description="Define indicators, targets, the reporting calendar, RAG rule"
    ),
    "performance.publish": Rule(
        frozenset({Role.ADMIN}), description="Publish the performance dashboard"
    ),
    # ASB case reviews and councillor calls for action (docs/casereviews.md). Applications
    # hold victims' personal data: admins, and analysts the admin names as case reviewers,
    # only (`can_read_cases`). Everyone else sees the four yearly figures, disclosure-
    # controlled; the public once a year is published.
    "casereviews.cases": Rule(
        ANALYSTS,
        description="Read and handle ASB case review applications (an analyst only when "
        "named as a case reviewer)",
    ),
    "casereviews.manage": Rule(
        frozenset({Role.ADMIN}),
        description="Name case reviewers, set the threshold and timescales, publish figures",
    ),
    "casereviews.figures": Rule(
        ALL_MEMBERS, description="See the yearly case review figures (disclosure-controlled)"
    ),
    "casereviews.map": Rule(
        ANALYSTS,
        description="See the ward map of case review applications (exact counts, internal: "
        "never published)",
    ),
    "calls.view": Rule(ALL_MEMBERS, description="Read councillor calls for action"),
    "calls.manage": Rule(
        ANALYSTS, description="Record calls for action, responses, referrals and outcomes"
    ),
    # Personal data (docs/data-protection.md): the declaration, retention, subject-access
    # export and erasure on request. The casework roles only: admins, and analysts named as
    # case reviewers (`can_handle_personal_data`).
    "personaldata.view": Rule(
        ANALYSTS,
        description="See which personal data is held, its retention and the erasures made "
        "(an analyst only when named as a case reviewer)",
    ),
    "personaldata.requests": Rule(
        ANALYSTS,
        description="Find one person's data, export it (subject access) or erase it on "
        "request (an analyst only when named as a case reviewer)",
    ),
    "personaldata.retention": Rule(
        frozenset({Role.ADMIN}), description="Set the retention period of each record type"
    ),
    # Reports (docs/reports.md). A published report is open to everyone in its
    # disclosure-controlled version (`reports.selectors.can_view_report`).
    "reports.view": Rule(ALL_MEMBERS, description="Read reports, drafts included"),
    "reports.view_internal": Rule(
        frozenset({Role.ADMIN, Role.ANALYST, Role.LEAD, Role.BOARD}),
        description="See a report's true values, before disclosure control",
    ),
    "reports.draft": Rule(ANALYSTS, description="Start reports and write their narrative"),
    "reports.contacts": Rule(
        ANALYSTS,
        description="Keep the contacts and support services directory printed in reports",
    ),
    "reports.publish": Rule(
        frozenset({Role.ADMIN}),
        description="Publish a built version of a report (it replaces the published one)",
    ),
    "reports.disclosure": Rule(
        frozenset({Role.ADMIN}),
        description="Set the partnership's disclosure rule for everything it publishes",
    ),
    # Strategic assessment (docs/assessment.md). Scorers see others' scores only after
    # submitting their own (`assessment.services.sheets_visible`); tension reports are
    # confidential: only the roles of `tension.view` read them, others the weekly summary.
    "assessment.view": Rule(
        ALL_MEMBERS,
        description="Read the strategic assessment, ranked issues and consultation coverage",
    ),
    "assessment.manage": Rule(
        ANALYSTS,
        description="Set up assessments, candidate issues, evidence and consultations; "
        "import responses; propose the plan refresh",
    ),
    "assessment.score": Rule(
        frozenset({Role.ADMIN, Role.ANALYST, Role.LEAD, Role.BOARD}),
        description="Score candidate issues as a member of the panel",
    ),
    "assessment.approve_refresh": Rule(
        frozenset({Role.ADMIN}),
        description="Review the proposed plan refresh and apply it (not one's own proposal)",
    ),
    "assessment.sign_off": Rule(
        frozenset({Role.ADMIN}),
        description="Sign the strategic assessment document off (its figures are then frozen)",
    ),
    # Consultation responses' free text is personal data: analysts and admins only, never
    # published (dataprotection/declaration.py); everyone else sees the counts by theme.
    "assessment.free_text": Rule(
        ANALYSTS,
        description="Read consultation responses' free-text answers and tag them by theme",
    ),
    "assessment.matrix_edit": Rule(
        frozenset({Role.ADMIN}),
        description="Edit the scoring matrix's dimensions, scales and weights (a new version)",
    ),
    "tension.summary": Rule(ALL_MEMBERS, description="Read the weekly community tension summary"),
    "tension.view": Rule(
        frozenset({Role.ADMIN, Role.ANALYST, Role.BOARD}),
        description="Read confidential community tension reports (every read is audited)",
    ),
    "tension.record": Rule(
        ANALYSTS, description="Record community tension reports, risk ratings and actions"
    ),
    # Delivery (docs/delivery.md). A lead enters monitoring returns for the projects they are
    # named lead of only: see `can_submit_project`.
    "delivery.view": Rule(
        ALL_MEMBERS,
        description="Read funding streams, projects, monitoring returns, communications, "
        "training and engagement",
    ),
    "delivery.manage": Rule(
        ANALYSTS,
        description="Record funding streams, projects, grants, outputs and outcomes, "
        "communications, training and engagement",
    ),
    "delivery.submit": Rule(
        frozenset({Role.LEAD}),
        description="Enter and submit monitoring returns for the projects one leads",
    ),
    "delivery.approve": Rule(
        ANALYSTS, description="Approve or return monitoring returns, see late ones"
    ),
}


#: Force-level actions. A police.uk month belongs to a police force and is shared by every
#: partnership the force serves, so these are held only by roles that hold all of them: a
#: force administrator of that force (``ForceAdministrator``) or a site administrator
#: (an active superuser). No partnership role, not even a partnership admin, holds them.
FORCE_RULES: dict[str, str] = {
    "force.replace_month": "Load or replace a police.uk month for every partnership in the force",
    "force.review": "See, approve and reject the police.uk files partnerships propose",
}


#: Site-wide actions, held only by active site administrators (superusers): what belongs to
#: the service as a whole rather than to a partnership or a police force.
SITE_RULES: dict[str, str] = {
    "site.accessibility_statement": "Edit the service's accessibility statement",
}


def can_site(user: User | AnonymousUser | None, action: str) -> bool:
    """True when the user may take the site-wide `action`: an active superuser."""
    if action not in SITE_RULES:
        raise ValueError(
            f"Unknown site action {action!r}: add it to saferstat.core.permissions.SITE_RULES"
        )
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser)


def require_site(user: User | AnonymousUser | None, action: str) -> None:
    """Raise PermissionDenied unless the user may take the site-wide `action`."""
    if not can_site(user, action):
        raise PermissionDenied(f"Not allowed: {action}")


def forces_administered(user: User | AnonymousUser | None) -> frozenset[str]:
    """Force slugs the user is a force administrator of (not counting superuser powers).

    Cached per request on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cache = getattr(user, "_saferstat_forces", None)
    if cache is None:
        cache = frozenset(
            ForceAdministrator.objects.filter(user=user).values_list("force_slug", flat=True)
        )
        user._saferstat_forces = cache
    return cache


def can_force(user: User | AnonymousUser | None, action: str, force: str) -> bool:
    """True when the user may take the force-level `action` for police force `force`."""
    if action not in FORCE_RULES:
        raise ValueError(
            f"Unknown force action {action!r}: add it to saferstat.core.permissions.FORCE_RULES"
        )
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser) or force in forces_administered(user)


def require_force(user: User | AnonymousUser | None, action: str, force: str) -> None:
    """Raise PermissionDenied unless the user may take force-level `action` for `force`."""
    if not can_force(user, action, force):
        raise PermissionDenied(f"Not allowed: {action} for {force}")


def can_replace_force_data(user: User | AnonymousUser | None, force: str) -> bool:
    """True when the user may load or replace a police.uk month of `force` (every
    partnership the force serves sees the change)."""
    return can_force(user, "force.replace_month", force)


def forces_for(user: User | AnonymousUser | None) -> list[str]:
    """The police forces whose data the user may administer, by slug: a force administrator's
    forces; for a site administrator, every force a partnership is served by."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return sorted(set(Partnership.objects.values_list("force_slug", flat=True)))
    return sorted(forces_administered(user))


def role_in(user: User | AnonymousUser | None, partnership: Partnership) -> str | None:
    """The user's role in the partnership, or None. Cached per request on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cache = getattr(user, "_saferstat_roles", None)
    if cache is None:
        cache = dict(Membership.objects.filter(user=user).values_list("partnership_id", "role"))
        user._saferstat_roles = cache
    return cache.get(partnership.pk)


def can(user: User | AnonymousUser | None, action: str, partnership: Partnership) -> bool:
    """True when the user may take `action` in `partnership`."""
    try:
        rule = RULES[action]
    except KeyError:
        raise ValueError(
            f"Unknown action {action!r}: add it to saferstat.core.permissions.RULES"
        ) from None
    if role_in(user, partnership) in rule.roles:  # cached per request: no query
        return True
    # Opening to the public may need a query (`Partnership.privacy_notice_public`): last.
    return bool(rule.public_when and getattr(partnership, rule.public_when))


def require(user: User | AnonymousUser | None, action: str, partnership: Partnership) -> None:
    """Raise PermissionDenied unless the user may take `action` in `partnership`."""
    if not can(user, action, partnership):
        raise PermissionDenied(f"Not allowed: {action}")


def can_view_partner_dataset(user: User | AnonymousUser | None, dataset) -> bool:
    """True when the user may see this partner dataset (an `intelligence.PartnerDataset`).

    Members may see datasets; a sensitive one only with `datasets.view_sensitive`, or when
    the admin has shared it with scrutiny.
    """
    partnership = dataset.partnership
    if not can(user, "datasets.view", partnership):
        return False
    if not dataset.sensitive or dataset.shared_with_scrutiny:
        return True
    return can(user, "datasets.view_sensitive", partnership)


def can_view_indicator(user: User | AnonymousUser | None, indicator) -> bool:
    """True when the user may see this indicator (a `performance.Indicator`) and its figures:
    members may, except that one computed from a partner dataset inherits the dataset's
    sensitivity (`can_view_partner_dataset`)."""
    if not can(user, "performance.view", indicator.partnership):
        return False
    dataset = getattr(indicator, "dataset", None)
    return dataset is None or can_view_partner_dataset(user, dataset)


def can_view_meeting(user: User | AnonymousUser | None, meeting) -> bool:
    """True when the user may see this meeting (a `governance.Meeting`): members may; anyone
    may once its minutes are approved and its body meets in public."""
    return meeting.is_public or can(user, "governance.view", meeting.partnership)


def can_update_action(user: User | AnonymousUser | None, action) -> bool:
    """True when the user may update this action (a `governance.Action`): those who manage
    governance any action; Board members and leads the actions they own."""
    partnership = action.partnership
    if can(user, "governance.manage", partnership):
        return True
    return (
        can(user, "actions.update", partnership)
        and action.owner_id is not None
        and action.owner_id == getattr(user, "pk", None)
    )


def can_read_cases(user: User | AnonymousUser | None, partnership: Partnership) -> bool:
    """True when the user may read and handle ASB case review applications (personal data
    of victims): the partnership's admins, and analysts named as case reviewers
    (`casereviews.CaseReviewer`). The model is looked up by name: core imports no app."""
    if not can(user, "casereviews.cases", partnership):
        return False
    if role_in(user, partnership) == Role.ADMIN:
        return True
    from django.apps import apps

    reviewer = apps.get_model("casereviews", "CaseReviewer")
    return reviewer.objects.filter(partnership=partnership, user=user).exists()


def require_cases(user: User | AnonymousUser | None, partnership: Partnership) -> None:
    """Raise PermissionDenied unless the user may read case review applications."""
    if not can_read_cases(user, partnership):
        raise PermissionDenied("Only the partnership's named case reviewers see case reviews")


def can_handle_personal_data(
    user: User | AnonymousUser | None,
    partnership: Partnership,
    action: str = "personaldata.requests",
) -> bool:
    """True when the user may take a personal-data `action` (``personaldata.view`` or
    ``personaldata.requests``): the casework roles, i.e. the partnership's admins and the
    analysts named as case reviewers, as for `can_read_cases`."""
    return can(user, action, partnership) and can_read_cases(user, partnership)


def require_personal_data(
    user: User | AnonymousUser | None,
    partnership: Partnership,
    action: str = "personaldata.requests",
) -> None:
    """Raise PermissionDenied unless the user may take the personal-data `action`."""
    if not can_handle_personal_data(user, partnership, action):
        raise PermissionDenied("Only the partnership's casework roles handle personal data")


def can_submit_for(user: User | AnonymousUser | None, priority) -> bool:
    """True when the user may enter and submit returns for this priority (a
    `plan.Priority`): a priority lead of its partnership who is named as its lead."""
    partnership = priority.theme.plan.partnership
    return (
        can(user, "performance.submit", partnership)
        and priority.lead_id is not None
        and priority.lead_id == user.pk
    )


def can_correct(user: User | AnonymousUser | None, priority) -> bool:
    """True when the user may correct a signed-off return of this priority: its lead, or an
    analyst or admin of the partnership."""
    return can_submit_for(user, priority) or can(
        user, "performance.approve", priority.theme.plan.partnership
    )


def can_submit_project(user: User | AnonymousUser | None, project) -> bool:
    """True when the user may enter and submit monitoring returns for this project (a
    `delivery.Project`): a priority lead of its partnership named as the project's lead."""
    return (
        can(user, "delivery.submit", project.partnership)
        and project.lead_id is not None
        and project.lead_id == getattr(user, "pk", None)
    )


def can_correct_project(user: User | AnonymousUser | None, project) -> bool:
    """True when the user may correct a signed-off monitoring return of this project: its
    lead, or an analyst or admin of the partnership."""
    return can_submit_project(user, project) or can(user, "delivery.approve", project.partnership)


def partnerships_for(user: User | AnonymousUser | None) -> list[Partnership]:
    """The partnerships a user belongs to, by name."""
    if user is None or not user.is_authenticated:
        return []
    return list(Partnership.objects.filter(memberships__user=user).distinct().order_by("name"))
