"""The shared reporting calendar opens monitoring returns: when a quarter is added to it
(`performance.services.reporting_period_upsert`), every project delivering in that quarter
gets a return, as every priority does."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from saferstat.performance.models import ReportingPeriod


@receiver(post_save, sender=ReportingPeriod, dispatch_uid="delivery-open-returns")
def _open_returns(sender, instance: ReportingPeriod, **kwargs) -> None:
    from .services import monitoring_returns_open

    monitoring_returns_open(partnership=instance.partnership, periods=[instance])
