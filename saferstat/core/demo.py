"""The demo installation: the four South Yorkshire partnerships and a user for each role.

Names are roles, not people: the source documents name real people, the demo does not.
"""

from __future__ import annotations

from django.db import transaction

from .choices import OrganisationKind, Role
from .models import Partnership, User
from .services import (
    default_neighbour_codes,
    force_administrator_set,
    membership_set,
    neighbour_group_set,
    organisation_upsert,
    partnership_upsert,
)

DEMO_PASSWORD = "saferstat-demo"
FORCE_ADMIN_USERNAME = "southyorkshire-force-admin"

PARTNERSHIPS = [
    # slug, name, [(current LA code, name)], overview published?
    ("rotherham", "Safer Rotherham Partnership", [("E08000018", "Rotherham")], False),
    ("barnsley", "Safer Barnsley Partnership", [("E08000038", "Barnsley")], False),
    ("doncaster", "Safer Doncaster Partnership", [("E08000017", "Doncaster")], True),
    ("sheffield", "Safer Sheffield Partnership", [("E08000039", "Sheffield")], False),
]

ORGANISATIONS = [
    ("{place} Council", OrganisationKind.COUNCIL, True),
    ("South Yorkshire Police", OrganisationKind.POLICE, True),
    ("South Yorkshire Fire and Rescue", OrganisationKind.FIRE, True),
    ("Probation Service", OrganisationKind.PROBATION, True),
    ("NHS South Yorkshire ICB", OrganisationKind.HEALTH, True),
    ("South Yorkshire Mayoral Combined Authority (PCC functions)", OrganisationKind.PCC, False),
    ("Voluntary Action {place}", OrganisationKind.VOLUNTARY, False),
]

# Rotherham gets one user per role; the neighbours an admin and an analyst each.
ROTHERHAM_USERS = [
    ("rotherham-admin", "Partnership admin (demo)", Role.ADMIN, "{place} Council"),
    ("rotherham-analyst", "Community safety analyst (demo)", Role.ANALYST, "{place} Council"),
    ("rotherham-lead", "Priority lead (demo)", Role.LEAD, "South Yorkshire Police"),
    ("rotherham-board", "Board member (demo)", Role.BOARD, "South Yorkshire Fire and Rescue"),
    ("rotherham-scrutiny", "Scrutiny member, councillor (demo)", Role.SCRUTINY, None),
]
NEIGHBOUR_USERS = [
    ("{slug}-admin", "Partnership admin (demo)", Role.ADMIN, "{place} Council"),
    ("{slug}-analyst", "Community safety analyst (demo)", Role.ANALYST, "{place} Council"),
]


@transaction.atomic
def demo_install() -> list[tuple[str, str, str]]:
    """Create or update the demo partnerships and users. Returns (username, role, partnership)."""
    logins = []
    created = {}
    for slug, name, areas, published in PARTNERSHIPS:
        place = areas[0][1]
        is_new = not Partnership.objects.filter(slug=slug).exists()
        partnership = partnership_upsert(
            slug=slug, name=name, force_slug="south-yorkshire", areas=areas
        )
        if is_new and published:
            # Only the first run decides; later runs keep what an admin chose since.
            partnership.overview_published = True
            partnership.save(update_fields=["overview_published"])
        created[slug] = partnership
        orgs = {}
        for org_name, kind, responsible in ORGANISATIONS:
            label = org_name.format(place=place)
            orgs[org_name] = organisation_upsert(
                partnership=partnership, name=label, kind=kind, is_responsible_authority=responsible
            )
        users = ROTHERHAM_USERS if slug == "rotherham" else NEIGHBOUR_USERS
        for username, display, role, org_key in users:
            username = username.format(slug=slug)
            user, _ = User.objects.get_or_create(
                username=username, defaults={"display_name": f"{place} {display}"}
            )
            user.set_password(DEMO_PASSWORD)
            user.display_name = f"{place} {display}"
            user.save()
            membership_set(
                user=user, partnership=partnership, role=role, organisation=orgs.get(org_key)
            )
            logins.append((username, Role(role).label, name))
    for slug, partnership in created.items():
        partnership.neighbours.set([p for s, p in created.items() if s != slug])
        # The neighbour group its comparisons use: the other South Yorkshire authorities, as
        # the codes of `analytics.compare.NEIGHBOUR_GROUPS` (so no figure changes). Only the
        # first run decides; later runs keep what an admin chose since.
        if not partnership.neighbour_codes():
            neighbour_group_set(
                partnership=partnership, by=None, codes=list(default_neighbour_codes(partnership))
            )
    # A force administrator: the only demo role (with the superuser) that may load or replace a
    # police.uk month, which every South Yorkshire partnership shares, and that approves the
    # files the partnerships' analysts propose.
    force_admin, _ = User.objects.get_or_create(
        username=FORCE_ADMIN_USERNAME,
        defaults={"display_name": "South Yorkshire force data administrator (demo)"},
    )
    force_admin.set_password(DEMO_PASSWORD)
    force_admin.save()
    force_administrator_set(user=force_admin, force_slug="south-yorkshire")
    logins.append((FORCE_ADMIN_USERNAME, "Force administrator", "South Yorkshire (all four)"))
    superuser, _ = User.objects.get_or_create(
        username="demo-superuser", defaults={"display_name": "Site administrator (demo)"}
    )
    superuser.is_staff = superuser.is_superuser = True
    superuser.set_password(DEMO_PASSWORD)
    superuser.save()
    logins.append(("demo-superuser", "Site administrator (Django admin at /admin/)", "all"))
    return logins
