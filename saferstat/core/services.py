"""Writes for partnerships, organisations and memberships. Each one is audited."""

from __future__ import annotations

import hashlib
import io
import re

from django.core.exceptions import ValidationError
from django.db import transaction

from . import audit
from .models import (
    AccessibilityStatement,
    ForceAdministrator,
    Membership,
    NeighbourArea,
    Organisation,
    Partnership,
    PartnershipArea,
    PrivacyNotice,
    User,
)
from .permissions import require, require_site
from .sanitise import clean_plain


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
        audit.record_saved(
            actor=by,
            noun="partnership",
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


PRIVACY_FIELDS = ["controller", "purposes", "lawful_basis", "retention", "rights", "contact"]


@transaction.atomic
def privacy_notice_save(*, partnership: Partnership, by: User, **text: str) -> PrivacyNotice:
    """Write the partnership's privacy notice (its six sections, plain text). Saving it the
    first time makes it public (`privacy.view`). Every section is needed."""
    require(by, "privacy.edit", partnership)
    unknown = set(text) - set(PRIVACY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown privacy notice fields: {sorted(unknown)}")
    notice = PrivacyNotice.objects.filter(partnership=partnership).first()
    before = audit.snapshot(notice, PRIVACY_FIELDS) if notice else None
    if notice is None:
        notice = PrivacyNotice(partnership=partnership)
    for field in PRIVACY_FIELDS:
        setattr(notice, field, clean_plain(text.get(field, "")))
    notice.updated_by = by
    notice.full_clean()
    notice.save()
    after = audit.snapshot(notice, PRIVACY_FIELDS)
    if before != after:
        audit.record(
            actor=by,
            verb="privacy_notice.publish" if before is None else "privacy_notice.update",
            obj=notice,
            partnership=partnership,
            before=before,
            after=after,
        )
    return notice


ACCESSIBILITY_TEXT_FIELDS = [
    "organisation",
    "non_compliance",
    "disproportionate_burden",
    "out_of_scope",
    "report_a_problem",
    "enforcement",
    "improvements",
    "testing",
]
ACCESSIBILITY_FIELDS = [
    *ACCESSIBILITY_TEXT_FIELDS,
    "compliance_status",
    "prepared_on",
    "reviewed_on",
    "tested_on",
]


@transaction.atomic
def accessibility_statement_save(*, by: User, **values) -> AccessibilityStatement:
    """Write the service's accessibility statement (site administrators only). There is one;
    the first save replaces the default text. The review date may not be before the date it
    was prepared."""
    require_site(by, "site.accessibility_statement")
    unknown = set(values) - set(ACCESSIBILITY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown accessibility statement fields: {sorted(unknown)}")
    statement = AccessibilityStatement.objects.order_by("pk").first()
    before = audit.snapshot(statement, ACCESSIBILITY_FIELDS) if statement else None
    if statement is None:
        statement = AccessibilityStatement()
    for field in ACCESSIBILITY_FIELDS:
        value = values.get(field)
        if field in ACCESSIBILITY_TEXT_FIELDS:
            value = clean_plain(value or "")
        setattr(statement, field, value)
    statement.updated_by = by
    statement.full_clean()
    if statement.reviewed_on < statement.prepared_on:
        raise ValidationError(
            {"reviewed_on": "The review date cannot be before the date it was prepared."}
        )
    statement.save()
    after = audit.snapshot(statement, ACCESSIBILITY_FIELDS)
    if before != after:
        audit.record(
            actor=by,
            verb="accessibility_statement.update",
            obj=statement,
            before=before,
            after=after,
        )
    return statement


#: Earlier and current ONS codes of the same local authority (boundary changes).
SAME_AREA = {"E08000016": "E08000038", "E08000019": "E08000039"}


def default_neighbour_codes(partnership: Partnership) -> tuple[str, ...]:
    """The other members of the area's group in ``analytics.compare.NEIGHBOUR_GROUPS``
    (codes as listed there), for seeding a partnership's group; empty if it is in none."""
    from saferstat.analytics.compare import NEIGHBOUR_GROUPS

    own = set(partnership.lad_codes)
    own |= {old for old, new in SAME_AREA.items() if new in own}
    for members in NEIGHBOUR_GROUPS.values():
        if own & set(members):
            return tuple(m for m in members if m not in own)
    return ()


#: At most this many local authorities in a neighbour group (the explorer compares at most 50).
MAX_NEIGHBOURS = 50


@transaction.atomic
def neighbour_group_set(
    *, partnership: Partnership, by: User | None, codes: list[str]
) -> list[str]:
    """Set the partnership's neighbour group: the local authorities its comparisons use by
    default. ``by`` None is a set-up script or the demo (audited as the system).

    Raises:
        PermissionDenied: ``by`` may not edit the group (``neighbours.edit``).
        ValidationError: no code, a code that is not an ONS local authority code, the
            partnership's own area, or more than :data:`MAX_NEIGHBOURS`.
    """
    if by is not None:
        require(by, "neighbours.edit", partnership)
    wanted = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    if not wanted:
        raise ValidationError({"codes": "Enter at least one local authority code."})
    bad = [c for c in wanted if not re.fullmatch(r"[EW]0[6-9]\d{6}", c)]
    if bad:
        raise ValidationError(
            {"codes": f"Not a local authority code: {', '.join(bad)}. Codes look like E08000038."}
        )
    own = set(partnership.lad_codes) & set(wanted)
    if own:
        raise ValidationError(
            {"codes": f"{', '.join(sorted(own))} is the partnership's own area, not a neighbour."}
        )
    if len(wanted) > MAX_NEIGHBOURS:
        raise ValidationError({"codes": f"Enter at most {MAX_NEIGHBOURS} local authorities."})
    before = partnership.neighbour_codes()
    if before == wanted:
        return wanted
    partnership.neighbour_areas.all().delete()
    NeighbourArea.objects.bulk_create(
        NeighbourArea(partnership=partnership, lad_code=code, position=i)
        for i, code in enumerate(wanted)
    )
    audit.record(
        actor=by,
        actor_label="" if by is not None else "set-up",
        verb="partnership.neighbours",
        obj=partnership,
        partnership=partnership,
        before={"neighbours": before},
        after={"neighbours": wanted},
    )
    return wanted


#: The largest logo file taken, and the largest side it is drawn at on a cover.
LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 600
LOGO_MAX_PIXELS = 25_000_000


def _logo_png(upload) -> bytes:
    """The uploaded image drawn again as a PNG no larger than :data:`LOGO_MAX_SIDE`, so
    that nothing but pixels is kept (no metadata, no other file hidden in it).

    Raises:
        ValidationError: not a PNG or JPEG by its content, too large, or damaged.
    """
    from PIL import Image, UnidentifiedImageError

    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError({"logo": "The logo must be smaller than 1 MB."})
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
        if kind not in ("PNG", "JPEG"):
            raise ValidationError({"logo": "The logo must be a PNG or JPEG image."})
        if width * height > LOGO_MAX_PIXELS:
            raise ValidationError({"logo": "The logo has too many pixels."})
        with Image.open(io.BytesIO(data)) as image:
            image = image.convert("RGBA")
            image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError({"logo": "The file is not a PNG or JPEG image."}) from None
    return out.getvalue()


@transaction.atomic
def partnership_logo_set(*, partnership: Partnership, by: User, upload=None) -> Partnership:
    """Set the partnership's logo from an uploaded PNG or JPEG (drawn again as a PNG), or
    remove it (``upload`` None). Audited with a fingerprint of the image, not the image."""
    require(by, "partnership.logo", partnership)

    def fingerprint(png: bytes) -> str:
        return hashlib.sha256(png).hexdigest()[:16] if png else ""

    before = fingerprint(bytes(partnership.logo_png))
    png = _logo_png(upload) if upload is not None else b""
    after = fingerprint(png)
    if before == after:
        return partnership
    partnership.logo_png = png
    partnership.save(update_fields=["logo_png"])
    audit.record(
        actor=by,
        verb="partnership.logo" if png else "partnership.logo_remove",
        obj=partnership,
        partnership=partnership,
        before={"logo": before},
        after={"logo": after},
    )
    return partnership
