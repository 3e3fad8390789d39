"""The permission table, cell by cell: every action against every role and anonymous,
in the user's own partnership and in another one, published and not."""

from __future__ import annotations

import pytest

from saferstat.core.permissions import RULES, can, require

# action -> roles allowed in their own partnership (None = anonymous)
EXPECTED = {
    "partnership.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "overview.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "data.upload": {"admin", "analyst"},
    "imports.view": {"admin", "analyst"},
    "explorer.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "requests.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "requests.raise": {"admin", "analyst", "lead", "board", "scrutiny"},
    "requests.answer": {"admin", "analyst"},
    "audit.view": {"admin"},
    "partnership.publish": {"admin"},
    "privacy.view": {"admin", "analyst", "lead", "board", "scrutiny"},  # public once saved
    "privacy.edit": {"admin"},
    "neighbours.edit": {"admin"},
    "partnership.logo": {"admin"},
    "datasets.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "datasets.view_sensitive": {"admin", "analyst", "lead", "board"},
    "datasets.declare": {"admin"},
    "datasets.upload": {"admin", "analyst"},
    "governance.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "reports.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "reports.view_internal": {"admin", "analyst", "lead", "board"},
    "reports.draft": {"admin", "analyst"},
    "reports.contacts": {"admin", "analyst"},
    "reports.publish": {"admin"},
    "reports.disclosure": {"admin"},
    "governance.view_confidential": {"admin", "analyst", "lead", "board"},
    "governance.manage": {"admin", "analyst"},
    "governance.configure": {"admin"},
    "governance.dhr": {"admin", "analyst"},
    "actions.update": {"admin", "analyst", "lead", "board"},
    "recommendations.respond": {"admin", "analyst"},
    "plan.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "plan.edit": {"admin", "analyst"},
    "performance.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "performance.submit": {"lead"},
    "performance.approve": {"admin", "analyst"},
    "performance.manage": {"admin", "analyst"},
    "performance.publish": {"admin"},
    "casereviews.cases": {"admin", "analyst"},  # analysts only when named: can_read_cases
    "casereviews.manage": {"admin"},
    "casereviews.figures": {"admin", "analyst", "lead", "board", "scrutiny"},
    "casereviews.map": {"admin", "analyst"},  # internal: exact counts, never published
    "calls.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "calls.manage": {"admin", "analyst"},
    # analysts only when named as case reviewers: can_handle_personal_data
    "personaldata.view": {"admin", "analyst"},
    "personaldata.requests": {"admin", "analyst"},
    "personaldata.retention": {"admin"},
    "assessment.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "assessment.manage": {"admin", "analyst"},
    "assessment.score": {"admin", "analyst", "lead", "board"},
    "assessment.approve_refresh": {"admin"},
    "assessment.sign_off": {"admin"},
    "assessment.matrix_edit": {"admin"},
    "assessment.free_text": {"admin", "analyst"},
    "tension.summary": {"admin", "analyst", "lead", "board", "scrutiny"},
    "tension.view": {"admin", "analyst", "board"},
    "tension.record": {"admin", "analyst"},
    "delivery.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "delivery.manage": {"admin", "analyst"},
    "delivery.submit": {"lead"},
    "delivery.approve": {"admin", "analyst"},
}
PUBLIC_WHEN_PUBLISHED = {"overview.view"}
ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]


def test_every_rule_has_an_expected_row():
    assert set(RULES) == set(EXPECTED), "add the new action to EXPECTED in this test"


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("published", [False, True])
def test_permission_matrix(action, published, rotherham, sheffield, members, make_member):
    from django.contrib.auth.models import AnonymousUser

    rotherham.overview_published = published
    sheffield.overview_published = published
    outsider = make_member(sheffield, "admin", username="sheffield-admin")
    opens_to_public = published and action in PUBLIC_WHEN_PUBLISHED
    for role in ROLES:
        assert can(members[role], action, rotherham) == (
            role in EXPECTED[action] or opens_to_public
        ), role
        # A member of Rotherham has no rights in Sheffield beyond what the public has.
        assert can(members[role], action, sheffield) == opens_to_public, role
    assert can(AnonymousUser(), action, rotherham) == opens_to_public
    assert can(outsider, action, rotherham) == opens_to_public


@pytest.mark.django_db
def test_inactive_user_has_no_role(rotherham, members):
    user = members["admin"]
    user.is_active = False
    user.save()
    user = type(user).objects.get(pk=user.pk)
    assert not can(user, "partnership.view", rotherham)


@pytest.mark.django_db
def test_require_raises_and_unknown_action_is_an_error(rotherham, members):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        require(members["scrutiny"], "data.upload", rotherham)
    with pytest.raises(ValueError, match="Unknown action"):
        can(members["admin"], "no.such.action", rotherham)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sensitive", "shared", "seen_by"),
    [
        (False, False, {"admin", "analyst", "lead", "board", "scrutiny"}),
        (True, False, {"admin", "analyst", "lead", "board"}),
        (True, True, {"admin", "analyst", "lead", "board", "scrutiny"}),
    ],
)
def test_sensitive_partner_datasets_are_hidden_from_scrutiny_unless_shared(
    sensitive, shared, seen_by, rotherham, sheffield, members, make_member
):
    from django.contrib.auth.models import AnonymousUser

    from saferstat.core.permissions import can_view_partner_dataset
    from saferstat.intelligence.models import PartnerDataset

    dataset = PartnerDataset(
        partnership=rotherham,
        slug="x",
        name="X",
        schema={},
        sensitive=sensitive,
        shared_with_scrutiny=shared,
    )
    for role in ROLES:
        assert can_view_partner_dataset(members[role], dataset) == (role in seen_by), role
    outsider = make_member(sheffield, "admin", username="sheffield-admin")
    assert not can_view_partner_dataset(outsider, dataset)
    assert not can_view_partner_dataset(AnonymousUser(), dataset)


# --- force-level actions: a police.uk month is the force's ----------------------------------

FORCE_ACTIONS = {"force.replace_month", "force.review"}


def test_every_force_rule_has_a_test():
    from saferstat.core.permissions import FORCE_RULES

    assert set(FORCE_RULES) == FORCE_ACTIONS, "add the new force action to FORCE_ACTIONS"


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(FORCE_ACTIONS))
def test_force_permission_matrix(action, rotherham, sheffield, members, make_force_admin):
    """Cell by cell: only a force administrator of that force, or an active site
    administrator, may take a force action; no partnership role does, not even an admin of
    every partnership the force serves."""
    from django.contrib.auth.models import AnonymousUser

    from saferstat.core.models import User
    from saferstat.core.permissions import can_force, can_replace_force_data
    from saferstat.core.services import membership_set

    sy, wy = "south-yorkshire", "west-yorkshire"
    force_admin = make_force_admin("sy-admin", force=sy)
    other_force_admin = make_force_admin("wy-admin", force=wy)
    superuser = User.objects.create_superuser("root", password="x-long-password-1")
    inactive_superuser = User.objects.create_superuser("gone", password="x-long-password-1")
    inactive_superuser.is_active = False
    inactive_superuser.save()
    inactive_force_admin = make_force_admin("sy-gone", force=sy)
    inactive_force_admin.is_active = False
    inactive_force_admin.save()
    everywhere_admin = members["admin"]  # admin of both South Yorkshire partnerships
    membership_set(user=everywhere_admin, partnership=sheffield, role="admin")
    expected = {
        force_admin: {sy},
        other_force_admin: {wy},
        superuser: {sy, wy},
        inactive_superuser: set(),
        inactive_force_admin: set(),
        AnonymousUser(): set(),
        **{members[role]: set() for role in ROLES},
    }
    for user, forces in expected.items():
        user = user if not user.pk else type(user).objects.get(pk=user.pk)  # no cached roles
        for force in (sy, wy):
            assert can_force(user, action, force) == (force in forces), (user, force)
            if action == "force.replace_month":
                assert can_replace_force_data(user, force) == (force in forces), (user, force)
    assert not can_force(None, action, sy)


@pytest.mark.django_db
def test_require_force_raises_and_unknown_force_action_is_an_error(members):
    from django.core.exceptions import PermissionDenied

    from saferstat.core.permissions import can_force, require_force

    with pytest.raises(PermissionDenied):
        require_force(members["admin"], "force.replace_month", "south-yorkshire")
    with pytest.raises(ValueError, match="Unknown force action"):
        can_force(members["admin"], "force.nothing", "south-yorkshire")


@pytest.mark.django_db
def test_forces_for(members, make_force_admin, rotherham):
    from saferstat.core.models import User
    from saferstat.core.permissions import forces_for

    assert forces_for(make_force_admin("sy-admin")) == ["south-yorkshire"]
    assert forces_for(members["admin"]) == []
    root = User.objects.create_superuser("root", password="x-long-password-1")
    assert forces_for(root) == ["south-yorkshire"]
