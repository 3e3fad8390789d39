"""The audit log. Every write service calls `record` inside its transaction."""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

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
    actor_label: str = "",
) -> AuditEvent:
    """Write one audit event (who, what, when, before and after).

    ``actor_label`` names who acted when it was not a signed-in user: the command line
    (with the OS user) or a scheduled job.
    """
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label[:150],
        partnership=partnership,
        verb=verb,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
    )


def record_saved(
    *,
    actor: User | None,
    noun: str,
    obj: models.Model,
    partnership: Partnership | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record a create-or-update: ``<noun>.create`` when there was nothing `before`, else
    ``<noun>.update``; `after` is every field of `obj` unless given."""
    return record(
        actor=actor,
        verb=f"{noun}.create" if before is None else f"{noun}.update",
        obj=obj,
        partnership=partnership,
        before=before,
        after=snapshot(obj) if after is None else after,
    )


#: ``<app label>.<Model>:<primary key>``, as in ``?object=intelligence.ImportRun:12``.
OBJECT_REF = re.compile(r"^([a-z][a-z0-9_]*\.[A-Za-z][A-Za-z0-9]*):([A-Za-z0-9_-]{1,64})$")


def object_ref(obj: models.Model) -> str:
    """How the audit log names an object in its filter: ``intelligence.ImportRun:12``."""
    return f"{obj._meta.label}:{obj.pk}"


def parse_object_ref(text: str) -> tuple[str, str]:
    """``"intelligence.ImportRun:12"`` -> ``("intelligence.ImportRun", "12")``.

    Raises:
        ValueError: the text is not an object reference.
    """
    match = OBJECT_REF.match(text or "")
    if match is None:
        raise ValueError(f"Not an object reference: {text!r}")
    return match.group(1), match.group(2)


class Change(NamedTuple):
    """One field of an audit event: its value before and after, as text ("" when absent)."""

    field: str
    before: str
    after: str


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The fields an event changed: every field of a creation (no ``before``), otherwise
    only those whose value differs, in the order the event recorded them."""
    before, after = before or {}, after or {}
    fields = list(after) + [name for name in before if name not in after]
    return [
        Change(name, _as_text(before.get(name)), _as_text(after.get(name)))
        for name in fields
        if not before or before.get(name) != after.get(name)
    ]
