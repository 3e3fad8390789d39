"""The audit log. Every write service calls `record` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent, Partnership, User


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, JSON-safe, for before/after records."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = field.value_from_object(obj)
        if value is not None and not isinstance(value, bool | int | float | str | list | dict):
            value = str(value)
        data[field.attname] = value
    return data


def record(
    *,
    actor: User | None,
    verb: str,
    obj: models.Model,
    partnership: Partnership | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event (who, what, when, before and after)."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        partnership=partnership,
        verb=verb,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
    )
