"""Closed and open records for the personal-data tests (invented text and roles only)."""

from __future__ import annotations

import datetime as dt

from saferstat.casereviews import services as casereviews
from saferstat.casereviews.models import Appeal, Application, CallForAction
from tests.casereviews.world import build as build_casereviews

D = dt.date


def closed_cases(partnership, admin, *, mark: str = "") -> dict:
    """The case review world, with the reviewed case closed on 1 November 2024 (its appeal
    decided) and the call closed on 1 August 2024; the case not met stays open."""
    world = build_casereviews(partnership, admin, mark=mark, published=False)
    met = Application.objects.get(pk=world["application"])
    casereviews.appeal_decide(
        appeal=Appeal.objects.get(application=met),
        by=admin,
        decided_on=D(2024, 11, 1),
        result="not_upheld",
        outcome=f"{mark}The panel found the plan sufficient",
    )
    call = casereviews.call_close(
        call=CallForAction.objects.get(pk=world["call"]),
        by=admin,
        outcome=f"{mark}Patrols increased",
        closed_on=D(2024, 8, 1),
    )
    return {**world, "call": call.pk}
