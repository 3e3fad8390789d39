"""Force data has an owner: a police.uk month is the force's, shared by every partnership it
serves, so a partnership analyst can only propose a file and a force administrator loads it.

The attack these tests replay (security review): as `barnsley-analyst`, upload South
Yorkshire's 2024-05 with Rotherham's and Doncaster's rows removed and 5,000 invented
"Possession of weapons" rows. Before the fix the upload loaded at once: Rotherham's 2024-05
went from 2,671 to 5,000 records, Doncaster's from 3,935 to 0, and neither partnership's
import list or audit log showed it.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.analytics.warehouse import Warehouse
from saferstat.core.models import AuditEvent
from saferstat.intelligence.models import ImportRun, ImportStatus

DEMO = Path(__file__).resolve().parents[2] / "demo_data" / "police-uk"
PASSWORD = "a-long-test-password-123"  # tests/django_fixtures.py
MONTH = "2024-05"
NAME = f"{MONTH}-south-yorkshire-street.csv"
#: 2024-05 in the demo data: the force's total, and Rotherham's and Doncaster's records.
FORCE_TOTAL, ROTHERHAM, DONCASTER, BARNSLEY = 15_887, 2_671, 3_935, 2_645
FAKE = 5_000
AREAS = {
    "rotherham": ("E08000018", "Rotherham"),
    "barnsley": ("E08000038", "Barnsley"),
    "doncaster": ("E08000017", "Doncaster"),
    "sheffield": ("E08000039", "Sheffield"),
}


def attack_file() -> bytes:
    """2024-05 without Rotherham's and Doncaster's rows, plus 5,000 invented weapons rows
    in a Rotherham LSOA."""
    with gzip.open(DEMO / f"{NAME}.gz", "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    lsoa_name = header.index("LSOA name")
    rotherham_row = next(r for r in body if r[lsoa_name].startswith("Rotherham"))
    kept = [r for r in body if not r[lsoa_name].startswith(("Rotherham", "Doncaster"))]
    fake = list(rotherham_row)
    fake[header.index("Crime ID")] = ""
    fake[header.index("Crime type")] = "Possession of weapons"
    fake[header.index("Last outcome category")] = ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([header, *kept, *([fake] * FAKE)])
    return out.getvalue().encode()


AFTER_TOTAL = FORCE_TOTAL - ROTHERHAM - DONCASTER + FAKE  # 14,281: -10.1%, over the 10% rule


@pytest.fixture
def south_yorkshire(make_partnership):
    return {slug: make_partnership(slug=slug, code=c, area=a) for slug, (c, a) in AREAS.items()}


def sign_in(client, username: str) -> None:
    """Through the real sign-in form, as a person would."""
    from saferstat.core.models import User

    client.logout()
    response = client.post("/sign-in/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)


def area_rows(root: Path) -> dict[str, int]:
    by_area = Warehouse(root).month_rows_by_area("south-yorkshire", MONTH)
    return {slug: by_area.get(code, 0) for slug, (code, _) in AREAS.items()}


@pytest.mark.django_db(transaction=True)
def test_a_partnership_analyst_cannot_rewrite_the_forces_month(
    client, overview_warehouse, south_yorkshire, make_member, make_force_admin, state_of
):
    make_member(south_yorkshire["barnsley"], "analyst", username="barnsley-analyst")
    make_force_admin("southyorkshire-force-admin")
    before = state_of(overview_warehouse)
    assert area_rows(overview_warehouse)["rotherham"] == ROTHERHAM
    assert area_rows(overview_warehouse)["doncaster"] == DONCASTER

    sign_in(client, "barnsley-analyst")
    response = client.post(
        "/p/barnsley/imports/upload/", {"file": SimpleUploadedFile(NAME, attack_file())}
    )
    run = ImportRun.objects.get()
    assert response["Location"] == f"/p/barnsley/imports/{run.pk}/"
    # Checked and waiting: nothing of the warehouse changed, so no partnership's figures did.
    assert run.status == ImportStatus.AWAITING_APPROVAL, run.errors
    assert (run.rows_in_file, run.rows_before) == (AFTER_TOTAL, FORCE_TOTAL)
    assert state_of(overview_warehouse) == before
    assert area_rows(overview_warehouse)["rotherham"] == ROTHERHAM
    page = client.get(f"/p/barnsley/imports/{run.pk}/").content.decode()
    assert "Awaiting approval" in page and "force administrator must approve" in page

    # The analyst cannot approve it, nor reach the force's pages, nor load by any other URL.
    for url in ("/force/south-yorkshire/imports/", f"/force/south-yorkshire/imports/{run.pk}/"):
        assert client.get(url).status_code == 403
    refused = client.post(
        f"/force/south-yorkshire/imports/{run.pk}/",
        {"decision": "approve", "change_reason": "trust me"},
    )
    assert refused.status_code == 403
    run.refresh_from_db()
    assert run.status == ImportStatus.AWAITING_APPROVAL and run.reviewed_by is None
    assert state_of(overview_warehouse) == before
    # Nothing was loaded, so nothing shows in Rotherham's or Doncaster's audit log.
    assert not AuditEvent.objects.filter(
        partnership__slug__in=["rotherham", "doncaster"], object_type="intelligence.ImportRun"
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_the_force_admin_approves_with_a_reason_and_every_partnership_sees_it(
    client, overview_warehouse, south_yorkshire, make_member, make_force_admin, state_of
):
    analyst = make_member(south_yorkshire["barnsley"], "analyst", username="barnsley-analyst")
    admins = {
        slug: make_member(p, "admin", username=f"{slug}-admin")
        for slug, p in south_yorkshire.items()
    }
    make_force_admin("southyorkshire-force-admin")
    sign_in(client, analyst.username)
    client.post("/p/barnsley/imports/upload/", {"file": SimpleUploadedFile(NAME, attack_file())})
    run = ImportRun.objects.get()
    before = state_of(overview_warehouse)

    sign_in(client, "southyorkshire-force-admin")
    listing = client.get("/force/south-yorkshire/imports/").content.decode()
    assert NAME in listing and "Safer Barnsley Partnership" in listing
    detail = client.get(f"/force/south-yorkshire/imports/{run.pk}/").content.decode()
    assert "-10.1%" in detail and "give a reason" not in detail
    assert f'<td class="govuk-table__cell govuk-table__cell--numeric">{ROTHERHAM}</td>' in detail

    # More than 10% of the month's total: approving needs a written reason.
    url = f"/force/south-yorkshire/imports/{run.pk}/"
    response = client.post(url, {"decision": "approve", "change_reason": "  "})
    assert response.status_code == 400
    assert "more than 10%: give a reason to confirm this change" in response.content.decode()
    run.refresh_from_db()
    assert run.status == ImportStatus.AWAITING_APPROVAL
    assert state_of(overview_warehouse) == before

    response = client.post(
        url, {"decision": "approve", "change_reason": "Reissued by the force after a recount"}
    )
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED, run.errors
    assert (run.rows_before, run.rows_loaded) == (FORCE_TOTAL, AFTER_TOTAL)
    assert run.reviewed_by.username == "southyorkshire-force-admin"
    rows = area_rows(overview_warehouse)
    assert (rows["rotherham"], rows["doncaster"]) == (FAKE + 0, 0)
    assert run.partnership_rows["rotherham"] == [ROTHERHAM, FAKE]
    assert run.partnership_rows["doncaster"] == [DONCASTER, 0]

    # Recorded in the import list and the audit log of every partnership in the force.
    for slug, admin in admins.items():
        events = AuditEvent.objects.filter(
            partnership__slug=slug, verb="import.load", object_id=str(run.pk)
        )
        (event,) = events
        assert event.actor.username == "southyorkshire-force-admin"
        assert event.after["month_rows_before"] == FORCE_TOTAL
        assert event.after["month_rows_after"] == AFTER_TOTAL
        assert event.after["proposed_by"] == str(analyst)
        assert event.after["change_reason"] == "Reissued by the force after a recount"
        assert AuditEvent.objects.filter(
            partnership__slug=slug, verb="import.approve", object_id=str(run.pk)
        ).exists()
        client.force_login(admin)
        imports = client.get(f"/p/{slug}/imports/").content.decode()
        assert NAME in imports and f">{FORCE_TOTAL}<" in imports and f">{AFTER_TOTAL}<" in imports
        detail = client.get(f"/p/{slug}/imports/{run.pk}/").content.decode()
        assert f"{FORCE_TOTAL} → {AFTER_TOTAL}" in detail
        log = client.get(f"/p/{slug}/audit/?object=intelligence.ImportRun:{run.pk}")
        assert log.status_code == 200 and "import.load" in log.content.decode()
    donc = AuditEvent.objects.get(partnership__slug="doncaster", verb="import.load")
    assert (donc.after["partnership_rows_before"], donc.after["partnership_rows_after"]) == (
        DONCASTER,
        0,
    )


@pytest.mark.django_db(transaction=True)
def test_a_rejected_proposal_loads_nothing(
    client, overview_warehouse, south_yorkshire, make_member, make_force_admin, state_of
):
    make_member(south_yorkshire["barnsley"], "analyst", username="barnsley-analyst")
    make_force_admin("southyorkshire-force-admin")
    sign_in(client, "barnsley-analyst")
    client.post("/p/barnsley/imports/upload/", {"file": SimpleUploadedFile(NAME, attack_file())})
    run = ImportRun.objects.get()
    before = state_of(overview_warehouse)
    assert Path(run.stored_path).is_file()  # kept while it waits for a decision
    sign_in(client, "southyorkshire-force-admin")
    url = f"/force/south-yorkshire/imports/{run.pk}/"
    response = client.post(url, {"decision": "reject", "note": "Rows missing for two areas"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.REJECTED and run.review_note == "Rows missing for two areas"
    assert not Path(run.stored_path).exists()  # refused: deleted (retention 0 by default)
    assert state_of(overview_warehouse) == before
    # Decided once: it cannot be approved afterwards.
    again = client.post(url, {"decision": "approve", "change_reason": "x"})
    assert again.status_code == 400 and "not awaiting approval" in again.content.decode()
    assert state_of(overview_warehouse) == before
    assert AuditEvent.objects.filter(partnership__slug="barnsley", verb="import.reject").exists()


@pytest.mark.django_db(transaction=True)
def test_a_small_change_needs_no_reason(
    client, overview_warehouse, south_yorkshire, make_member, make_force_admin
):
    """The same month again (0% change) loads on approval without a reason."""
    make_member(south_yorkshire["rotherham"], "analyst", username="rotherham-analyst")
    make_force_admin("southyorkshire-force-admin")
    sign_in(client, "rotherham-analyst")
    data = (DEMO / f"{NAME}.gz").read_bytes()
    client.post("/p/rotherham/imports/upload/", {"file": SimpleUploadedFile(f"{NAME}.gz", data)})
    run = ImportRun.objects.get()
    sign_in(client, "southyorkshire-force-admin")
    response = client.post(f"/force/south-yorkshire/imports/{run.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED and run.replaced_existing
    assert run.rows_before == run.rows_loaded == FORCE_TOTAL


@pytest.mark.django_db
def test_an_analyst_cannot_propose_another_forces_file(
    client, overview_warehouse, south_yorkshire, make_member
):
    make_member(south_yorkshire["barnsley"], "analyst", username="barnsley-analyst")
    sign_in(client, "barnsley-analyst")
    response = client.post(
        "/p/barnsley/imports/upload/",
        {"file": SimpleUploadedFile("2024-05-west-yorkshire-street.csv", b"x")},
    )
    assert response.status_code == 400
    assert "The file is for West Yorkshire Police" in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_force_admin_uploads_reviews_and_loads_on_the_force_page(
    client, overview_warehouse, south_yorkshire, make_force_admin
):
    make_force_admin("southyorkshire-force-admin")
    sign_in(client, "southyorkshire-force-admin")
    home = client.get("/").content.decode()
    assert "/force/south-yorkshire/imports/" in home
    data = (DEMO / "2024-05-south-yorkshire-street.csv.gz").read_bytes()
    response = client.post(
        "/force/south-yorkshire/imports/upload/",
        {"file": SimpleUploadedFile("2024-05-south-yorkshire-street.csv.gz", data)},
    )
    run = ImportRun.objects.get()
    assert response["Location"] == f"/force/south-yorkshire/imports/{run.pk}/"
    assert run.status == ImportStatus.AWAITING_APPROVAL and run.partnership is None
    client.post(f"/force/south-yorkshire/imports/{run.pk}/", {"decision": "approve"})
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED
    assert AuditEvent.objects.filter(verb="import.load").count() == 4
    # Another force's file is refused on this page.
    response = client.post(
        "/force/south-yorkshire/imports/upload/",
        {"file": SimpleUploadedFile("2024-05-west-yorkshire-street.csv", b"x")},
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_the_demo_has_a_south_yorkshire_force_administrator():
    from saferstat.core.demo import DEMO_PASSWORD, FORCE_ADMIN_USERNAME, demo_install
    from saferstat.core.models import User
    from saferstat.core.permissions import can_replace_force_data, partnerships_for

    logins = demo_install()
    demo_install()  # safe to run again
    assert FORCE_ADMIN_USERNAME == "southyorkshire-force-admin"
    assert FORCE_ADMIN_USERNAME in [username for username, _, _ in logins]
    user = User.objects.get(username=FORCE_ADMIN_USERNAME)
    assert user.check_password(DEMO_PASSWORD) and not user.is_staff
    assert can_replace_force_data(user, "south-yorkshire")
    assert not can_replace_force_data(user, "west-yorkshire")
    assert partnerships_for(user) == []  # force data only, no partnership role
    barnsley_analyst = User.objects.get(username="barnsley-analyst")
    assert not can_replace_force_data(barnsley_analyst, "south-yorkshire")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"`{FORCE_ADMIN_USERNAME}`" in readme


@pytest.mark.django_db
def test_force_administrators_use_two_factor_sign_in_when_it_is_required(
    settings, make_force_admin
):
    from saferstat.core.twofactor import must_use_two_factor

    settings.SAFERSTAT_REQUIRE_2FA = True
    assert must_use_two_factor(make_force_admin())
