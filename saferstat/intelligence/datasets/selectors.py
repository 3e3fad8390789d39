"""Reads of partner datasets and their uploads. Every selector takes the partnership, and
those that list datasets take the user, because sensitive datasets are hidden from scrutiny
members unless shared (`saferstat.core.permissions.can_view_partner_dataset`)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from saferstat.core.models import Partnership, User
from saferstat.core.permissions import can

from ..jobs import ImportStatus
from .models import PartnerDataset, PartnerUpload


def partner_dataset_list(
    *, partnership: Partnership, user: User | AnonymousUser
) -> QuerySet[PartnerDataset]:
    """The partnership's datasets this user may see, with upload counts, by name."""
    datasets = PartnerDataset.objects.filter(partnership=partnership).select_related("organisation")
    if not can(user, "datasets.view", partnership):
        return datasets.none()
    if not can(user, "datasets.view_sensitive", partnership):
        datasets = datasets.filter(Q(sensitive=False) | Q(shared_with_scrutiny=True))
    return datasets.annotate(
        loaded_uploads=Count("uploads", filter=Q(uploads__status=ImportStatus.SUCCEEDED)),
        last_loaded_at=Max(
            "uploads__finished_at", filter=Q(uploads__status=ImportStatus.SUCCEEDED)
        ),
    )


def partner_dataset_get(
    *, partnership: Partnership, user: User | AnonymousUser, slug: str
) -> PartnerDataset:
    """One dataset, or 404 if there is none or the user may not see it (its existence is not
    revealed)."""
    try:
        return partner_dataset_list(partnership=partnership, user=user).get(slug=slug)
    except PartnerDataset.DoesNotExist:
        raise Http404("No such dataset") from None


def partner_upload_list(*, dataset: PartnerDataset) -> QuerySet[PartnerUpload]:
    return PartnerUpload.objects.filter(
        dataset=dataset, partnership=dataset.partnership
    ).select_related("uploaded_by")


def partner_upload_get(*, dataset: PartnerDataset, upload_id: int) -> PartnerUpload:
    try:
        return partner_upload_list(dataset=dataset).get(pk=upload_id)
    except PartnerUpload.DoesNotExist:
        raise Http404("No such upload") from None
