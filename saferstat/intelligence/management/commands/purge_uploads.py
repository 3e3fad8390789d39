from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from saferstat.intelligence.files import uploads_purge


class Command(BaseCommand):
    help = (
        "Delete uploaded files of loads that finished (loaded or refused) more than "
        "SAFERSTAT_UPLOAD_RETENTION_DAYS days ago, and files left without a row by a process "
        "that died while saving an upload. Files of queued or running loads are kept. Run it "
        "daily from cron (docs/security.md, 'Uploads')."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="keep files of loads finished fewer than this many days ago "
            f"(default: SAFERSTAT_UPLOAD_RETENTION_DAYS, now {settings.SAFERSTAT_UPLOAD_RETENTION_DAYS})",
        )

    def handle(self, *args, **options):
        if options["days"] is not None and options["days"] < 0:
            raise CommandError("--days must be 0 or more.")
        result = uploads_purge(days=options["days"])
        for path in result.finished:
            self.stdout.write(f"  deleted {path} (its load finished)")
        for path in result.orphans:
            self.stdout.write(f"  deleted {path} (no upload refers to it)")
        self.stdout.write(
            f"Deleted {len(result.finished)} file(s) of finished loads and "
            f"{len(result.orphans)} file(s) with no upload."
        )
