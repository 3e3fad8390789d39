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
    "datasets.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "datasets.view_sensitive": {"admin", "analyst", "lead", "board"},
    "datasets.declare": {"admin"},
    "datasets.upload": {"admin", "analyst"},
    "plan.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "plan.edit": {"admin", "analyst"},
    "performance.view": {"admin", "analyst", "lead", "board", "scrutiny"},
    "performance.submit": {"lead"},
    "performance.approve": {"admin", "analyst"},
    "performance.manage": {"admin", "analyst"},
    "performance.publish": {"admin"},
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
