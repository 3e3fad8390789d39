from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from saferstat.core.models import AuditEvent
from saferstat.core.services import partnership_publish_overview


@pytest.mark.django_db
def test_publishing_is_audited_with_before_and_after(rotherham, members):
    partnership_publish_overview(partnership=rotherham, by=members["admin"], published=True)
    event = AuditEvent.objects.filter(verb="partnership.publish").get()
    assert event.actor == members["admin"]
    assert event.partnership == rotherham
    assert event.before == {"overview_published": False}
    assert event.after == {"overview_published": True}


@pytest.mark.django_db
def test_only_admin_may_publish(rotherham, members):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        partnership_publish_overview(partnership=rotherham, by=members["analyst"], published=True)
    rotherham.refresh_from_db()
    assert not rotherham.overview_published
    assert not AuditEvent.objects.filter(verb="partnership.publish").exists()


@pytest.mark.django_db
def test_audit_rows_cannot_be_changed_or_deleted(rotherham, members):
    partnership_publish_overview(partnership=rotherham, by=members["admin"], published=True)
    event = AuditEvent.objects.latest("id")
    event.verb = "tampered"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).verb == "partnership.publish"


@pytest.mark.django_db
def test_membership_changes_are_audited(rotherham, members):
    assert AuditEvent.objects.filter(verb="membership.set", partnership=rotherham).count() == len(
        members
    )
