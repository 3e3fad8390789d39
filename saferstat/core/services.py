"""Writes for partnerships, organisations and memberships. Each one is audited."""

from __future__ import annotations

from django.db import transaction

from . import audit
from .models import ForceAdministrator, Membership, Organisation, Partnership, PartnershipArea, User
from .permissions import require


@transaction.atomic
def partnership_publish_overview(
    *, partnership: Partnership, by: User, published: bool
) -> Partnership:
    """Open the crime overview to the public, or close it again."""
    require(by, "partnership.publish", partnership)
    before = audit.snapshot(partnership, ["overview_published"])
    partnership.overview_published = published
    partnership.save(update_fields=["overview_published"])
    audit.record(
        actor=by,
        verb="partnership.publish" if published else "partnership.unpublish",
        obj=partnership,
        partnership=partnership,
        before=before,
        after=audit.snapshot(partnership, ["overview_published"]),
    )
    return partnership


@transaction.atomic
def partnership_upsert(
    *, slug: str, name: str, force_slug: str, areas: list[tuple[str, str]], by: User | None = None
) -> Partnership:
    """Create a partnership or bring it up to date (used by set-up scripts and the demo)."""
    partnership = Partnership.objects.filter(slug=slug).first()
    before = audit.snapshot(partnership) if partnership else None
    if partnership is None:
        partnership = Partnership(slug=slug)
    partnership.name = name
    partnership.force_slug = force_slug
    partnership.full_clean()
    partnership.save()
    for code, area_name in areas:
        area, _ = PartnershipArea.objects.update_or_create(
            partnership=partnership, lad_code=code, defaults={"name": area_name}
        )
        area.full_clean()
    after = audit.snapshot(partnership)
    if before != after:
        audit.record(
            actor=by,
            verb="partnership.create" if before is None else "partnership.update",
            obj=partnership,
            partnership=partnership,
            before=before,
            after=after,
        )
    return partnership


@transaction.atomic
def organisation_upsert(
    *,
    partnership: Partnership,
    name: str,
    kind: str,
    is_responsible_authority: bool,
    by: User | None = None,
) -> Organisation:
    org, created = Organisation.objects.get_or_create(
        partnership=partnership,
        name=name,
        defaults={"kind": kind, "is_responsible_authority": is_responsible_authority},
    )
    if created:
        audit.record(
            actor=by,
            verb="organisation.create",
            obj=org,
            partnership=partnership,
            after=audit.snapshot(org),
        )
    return org


@transaction.atomic
def membership_set(
    *,
    user: User,
    partnership: Partnership,
    role: str,
    organisation: Organisation | None = None,
    by: User | None = None,
) -> Membership:
    """Give a user a role in a partnership (replacing any role they had there)."""
    membership = Membership.objects.filter(user=user, partnership=partnership).first()
    before = audit.snapshot(membership) if membership else None
    if membership is None:
        membership = Membership(user=user, partnership=partnership)
    membership.role = role
    membership.organisation = organisation
    membership.full_clean()
    membership.save()
    after = audit.snapshot(membership)
    if before != after:
        audit.record(
            actor=by,
            verb="membership.set",
            obj=membership,
            partnership=partnership,
            before=before,
            after=after,
        )
    return membership


@transaction.atomic
def force_administrator_set(
    *, user: User, force_slug: str, by: User | None = None
) -> ForceAdministrator:
    """Make a user a force administrator: they may load, replace and approve police.uk months
    of ``force_slug`` for every partnership it serves. Audited in each of those partnerships
    (set-up scripts and the demo; site administrators use the Django admin)."""
    role = ForceAdministrator.objects.filter(user=user, force_slug=force_slug).first()
    if role is not None:
        return role
    role = ForceAdministrator(user=user, force_slug=force_slug)
    role.full_clean()
    role.save()
    for partnership in Partnership.objects.filter(force_slug=force_slug) or [None]:
        audit.record(
            actor=by,
            verb="force_admin.set",
            obj=role,
            partnership=partnership,
            after=audit.snapshot(role),
        )
    return role
