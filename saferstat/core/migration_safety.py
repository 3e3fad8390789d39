"""Which migrations may rewrite or lock a large table, and what each one says about it.

An upgrade runs `migrate` while the old web app may still serve (docs/upgrade.md). Creating
a table, adding a nullable column or an index to a small table is quick. But on a table that
grows with use (the audit log, consultation responses, return lines) a changed column type,
a new NOT NULL column or default, a removed column, a new index or constraint, or a data
migration may rewrite or scan the whole table, holding a lock the web app waits on (and on
SQLite every such change copies the table).

So every migration of SaferStat's apps with such an operation must say so, with one of two
attributes on its ``Migration`` class (tests/core/test_migrations.py enforces it):

- ``saferstat_online = "why it is safe while the site is up"``, or
- ``saferstat_downtime = "what it rewrites, and for how long"``: the site must be stopped
  while it runs. ``manage.py upgrade_plan`` lists these among the pending migrations.

`RunPython` and `RunSQL` are flagged in every migration: nobody can tell from outside which
tables they touch.
"""

from __future__ import annotations

from django.db import migrations

#: Tables that grow with use, by model label, with what makes them grow.
LARGE_TABLES: dict[str, str] = {
    "core.AuditEvent": "a row for every write anyone makes",
    "assessment.ConsultationResponse": "a row for every consultation answer imported",
    "performance.ReturnLine": "a row per indicator in every quarterly return",
    "performance.ReturnEvent": "a row for every step of every return",
    "delivery.MonitoringLine": "a row per measure in every monitoring return",
    "delivery.MonitoringEvent": "a row for every step of every monitoring return",
    "governance.Attendance": "a row per member at every meeting",
}

_LARGE = {label.lower() for label in LARGE_TABLES}


def _large(app_label: str, model_name: str) -> bool:
    return f"{app_label}.{model_name}".lower() in _LARGE


def _add_field_rewrites(field) -> bool:
    """A new column fills every existing row (or SQLite copies the table) when it is NOT
    NULL, has a default, or is unique. A nullable column without a default is only a
    catalogue change; a many-to-many field is a new table."""
    if field.many_to_many:
        return False
    has_db_default = getattr(field, "db_default", migrations.operations.fields.NOT_PROVIDED)
    return (
        not field.null
        or field.has_default()
        or field.unique
        or has_db_default is not migrations.operations.fields.NOT_PROVIDED
    )


def risky_operations(migration) -> list[str]:
    """The operations of `migration` that may rewrite, scan or lock a large table, described
    (an empty list: safe while the site is up)."""
    found = []
    created: set[str] = set()  # tables this migration makes: empty, nothing to rewrite
    for op in migration.operations:
        kind = type(op).__name__
        if isinstance(op, migrations.RunPython | migrations.RunSQL):
            found.append(f"{kind} (may touch any table)")
            continue
        if isinstance(op, migrations.CreateModel):
            created.add(op.name.lower())
            continue
        if getattr(migration, "initial", False):
            continue  # an app's first migrations make its tables: empty, nothing to rewrite
        model = getattr(op, "model_name", None) or getattr(op, "name", None)
        if model is None or model.lower() in created or not _large(migration.app_label, model):
            continue
        if isinstance(op, migrations.AddField) and not _add_field_rewrites(op.field):
            continue
        if isinstance(
            op,
            migrations.AddField
            | migrations.AlterField
            | migrations.RemoveField
            | migrations.AddIndex
            | migrations.AddConstraint
            | migrations.AlterUniqueTogether
            | migrations.AlterModelTable,
        ):
            field = getattr(op, "name", "")
            found.append(f"{kind} {migration.app_label}.{model}.{field}".rstrip("."))
    return found


def declaration(migration) -> tuple[str, str] | None:
    """``("online" | "downtime", text)`` as the migration declares it, or None."""
    online = getattr(migration, "saferstat_online", "")
    downtime = getattr(migration, "saferstat_downtime", "")
    if online and downtime:
        raise ValueError(f"{migration.app_label}.{migration.name} declares both")
    if downtime:
        return "downtime", downtime
    if online:
        return "online", online
    return None
