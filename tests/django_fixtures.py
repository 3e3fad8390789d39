"""Fixtures for tests that use the Django database: two partnerships and a user per role.

Loaded for every test run as a pytest plugin (see pyproject.toml), so core, intelligence
and browser tests share one way of building a partnership.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[1] / "demo_data"

ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]
PASSWORD = "a-long-test-password-123"


@pytest.fixture
def make_partnership(db):
    from saferstat.core.services import partnership_upsert

    def make(
        slug: str = "rotherham",
        name: str | None = None,
        code: str = "E08000018",
        area: str = "Rotherham",
    ):
        return partnership_upsert(
            slug=slug,
            name=name or f"Safer {area} Partnership",
            force_slug="south-yorkshire",
            areas=[(code, area)],
        )

    return make


@pytest.fixture
def make_member(db):
    from saferstat.core.models import User
    from saferstat.core.services import membership_set

    def make(partnership, role: str, username: str | None = None):
        user = User.objects.create_user(
            username=username or f"{partnership.slug}-{role}",
            password=PASSWORD,
            display_name=f"Test {role}",
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


FY2425_MONTHS = [f"2024-{m:02d}" for m in range(4, 13)] + ["2025-01", "2025-02", "2025-03"]


@pytest.fixture(scope="session")
def fy2425_warehouse(tmp_path_factory):
    """Reference data and the 12 months of 2024/25 (and nothing else), built once and kept
    between runs (``tests/warehouse_cache.py``: rebuilt when the data or the code changes)."""
    from tests.warehouse_cache import cached_warehouse

    files = [DEMO / "police-uk" / f"{m}-south-yorkshire-street.csv.gz" for m in FY2425_MONTHS]

    def build(into):
        from saferstat.analytics.reference import load_reference
        from saferstat.analytics.warehouse import Warehouse

        load_reference(into, DEMO / "ons")
        wh = Warehouse(into)
        for path in files:
            wh.load_policeuk_file(path)

    root = tmp_path_factory.mktemp("fy2425") / "warehouse"
    return cached_warehouse("fy2425", root, [DEMO / "ons", *files], build)


@pytest.fixture
def overview_warehouse(fy2425_warehouse, tmp_path, settings):
    """A private copy of the 2024/25 warehouse that the test may write to, set as the app's."""
    import shutil

    root = tmp_path / "warehouse"
    shutil.copytree(fy2425_warehouse, root)
    settings.SAFERSTAT_WAREHOUSE = root
    settings.MEDIA_ROOT = tmp_path / "media"
    return root


@pytest.fixture
def make_force_admin(db):
    """``make_force_admin(username, force="south-yorkshire")``: a force administrator (no
    partnership membership) with the test password."""
    from saferstat.core.models import User
    from saferstat.core.services import force_administrator_set

    def make(username: str = "sy-force-admin", force: str = "south-yorkshire"):
        user = User.objects.create_user(
            username=username, password=PASSWORD, display_name="Test force administrator"
        )
        force_administrator_set(user=user, force_slug=force)
        return user

    return make
