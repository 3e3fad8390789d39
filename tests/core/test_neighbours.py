"""A partnership's neighbour group: data its admin sets (not a constant), audited, and the
group the explorer's and the API's comparisons use by default."""

from __future__ import annotations

import pytest

from saferstat.core.models import AuditEvent, NeighbourArea
from saferstat.core.services import default_neighbour_codes, neighbour_group_set
from saferstat.core.tokens import api_token_create

URL = "/p/rotherham/neighbours/"
BARNSLEY, DONCASTER = "E08000038", "E08000017"


@pytest.mark.django_db
def test_the_admin_sets_the_group_and_it_is_audited(client, rotherham, members):
    client.force_login(members["admin"])
    page = client.get(URL)
    assert page.status_code == 200 and 'name="codes"' in page.content.decode()
    response = client.post(URL, {"codes": "e08000038,  E08000017"})
    assert response.status_code == 302
    assert rotherham.neighbour_codes() == [BARNSLEY, DONCASTER]
    event = AuditEvent.objects.get(verb="partnership.neighbours")
    assert event.before == {"neighbours": []}
    assert event.after == {"neighbours": [BARNSLEY, DONCASTER]}
    assert event.partnership == rotherham and event.actor == members["admin"]
    # Saving the same group again records nothing.
    client.post(URL, {"codes": f"{BARNSLEY},{DONCASTER}"})
    assert AuditEvent.objects.filter(verb="partnership.neighbours").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ("", "Enter at least one local authority code."),
        ("E08000038, Barnsley", "Not a local authority code: BARNSLEY"),
        ("E08000018", "is the partnership&#x27;s own area"),
    ],
)
def test_a_bad_group_is_an_error_summary_and_changes_nothing(
    client, rotherham, members, codes, message
):
    client.force_login(members["admin"])
    response = client.post(URL, {"codes": codes})
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html and message in html
    assert not NeighbourArea.objects.exists()
    assert not AuditEvent.objects.filter(verb="partnership.neighbours").exists()


@pytest.mark.django_db
def test_only_the_admin_may_set_it(client, rotherham, members):
    from django.core.exceptions import PermissionDenied

    for role in ("analyst", "lead", "board", "scrutiny"):
        client.force_login(members[role])
        assert client.post(URL, {"codes": BARNSLEY}).status_code == 403
        with pytest.raises(PermissionDenied):
            neighbour_group_set(partnership=rotherham, by=members[role], codes=[BARNSLEY])
    assert not NeighbourArea.objects.exists()


@pytest.mark.django_db
def test_comparisons_use_the_partnerships_group(client, overview_warehouse, rotherham, members):
    client.force_login(members["analyst"])
    _, key = api_token_create(user=members["analyst"], name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    api = "/api/partnerships/rotherham/compare?period=2024/25"
    explorer = {"view": "compare", "period": "2024/25", "format": "csv"}
    # No group set: the area's default group (the other three South Yorkshire authorities).
    assert len(client.get(api, **auth).json()["areas"]) == 4
    neighbour_group_set(partnership=rotherham, by=members["admin"], codes=[BARNSLEY])
    names = [a["name"] for a in client.get(api, **auth).json()["areas"]]
    assert sorted(names) == ["Barnsley", "Rotherham"]
    csv_text = client.get("/p/rotherham/explore/", explorer).content.decode("utf-8-sig")
    assert "Barnsley" in csv_text and "Doncaster" not in csv_text and "Sheffield" not in csv_text
    # Areas chosen in the query still win over the group.
    chosen = client.get(f"{api}&with_codes={DONCASTER}", **auth).json()["areas"]
    assert sorted(a["name"] for a in chosen) == ["Doncaster", "Rotherham"]


@pytest.mark.django_db
def test_the_demo_seeds_todays_groups(make_partnership):
    from saferstat.core.demo import demo_install
    from saferstat.core.models import Partnership

    demo_install()
    groups = {p.slug: p.neighbour_codes() for p in Partnership.objects.all()}
    assert groups == {
        "rotherham": ["E08000016", "E08000017", "E08000019"],
        "barnsley": ["E08000017", "E08000018", "E08000019"],
        "doncaster": ["E08000016", "E08000018", "E08000019"],
        "sheffield": ["E08000016", "E08000017", "E08000018"],
    }
    sheffield = Partnership.objects.get(slug="sheffield")
    assert default_neighbour_codes(sheffield) == tuple(groups["sheffield"])
