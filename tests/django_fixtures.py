"""Fixtures for tests that use the Django database: two partnerships and a user per role.

Loaded for every test run as a pytest plugin (see pyproject.toml), so core, intelligence
and browser tests share one way of building a partnership.
"""

from __future__ import annotations

import pytest

ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]
PASSWORD = "a-long-test-password-123"


@pytest.fixture
def make_partnership(db):
    from saferstat.core.services import partnership_upsert

    def make(slug: str = "rotherham", name: str | None = None, code: str = "E08000018", area: str = "Rotherham"):
        return partnership_upsert(
            slug=slug, name=name or f"Safer {area} Partnership", force_slug="south-yorkshire", areas=[(code, area)]
        )

    return make


@pytest.fixture
def make_member(db):
    from saferstat.core.models import User
    from saferstat.core.services import membership_set

    def make(partnership, role: str, username: str | None = None):
        user = User.objects.create_user(
            username=username or f"{partnership.slug}-{role}", password=PASSWORD, display_name=f"Test {role}"
        )
        membership_set(user=user, partnership=partnership, role=role)
        return user

    return make


@pytest.fixture
def rotherham(make_partnership):
    return make_partnership()


@pytest.fixture
def sheffield(make_partnership):
    return make_partnership(slug="sheffield", code="E08000039", area="Sheffield")


@pytest.fixture
def members(rotherham, make_member):
    """One Rotherham user per role, by role name."""
    return {role: make_member(rotherham, role) for role in ROLES}
