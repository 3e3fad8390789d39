from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from saferstat.core.migration_safety import declaration, risky_operations


class Command(BaseCommand):
    help = (
        "List the migrations `migrate` would run, and say whether the web app may keep "
        "serving while they run (docs/upgrade.md, step 3): a migration that rewrites a large "
        "table declares it, and then the site must be stopped first. Changes nothing. Exit "
        "status 0 in both cases."
    )

    def handle(self, *args, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if not plan:
            self.stdout.write("No migrations to run.")
            return
        stop = []
        for migration, _backwards in plan:
            label = f"{migration.app_label}.{migration.name}"
            declared = declaration(migration)
            if declared and declared[0] == "downtime":
                stop.append(label)
                self.stdout.write(f"  {label}  STOP THE SITE: {declared[1]}")
            elif declared or risky_operations(migration):
                note = declared[1] if declared else "; ".join(risky_operations(migration))
                self.stdout.write(f"  {label}  (safe while up: {note})")
            else:
                self.stdout.write(f"  {label}")
        if stop:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(stop)} migration(s) rewrite a large table: stop saferstat-web "
                    "before `migrate` and start it after."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    "Safe to migrate while the site is up (nothing rewrites a large table)."
                )
            )
