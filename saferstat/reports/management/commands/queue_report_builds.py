from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Queue the nightly rebuild of out-of-date reports (new police.uk data or edited "
        "narrative) as new versions. Run it from cron or a systemd timer; --now builds them "
        "in this process instead of queueing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Build now instead of queueing")

    def handle(self, *args, now=False, **options):
        if now:
            from saferstat.reports.services import rebuild_stale_all

            self.stdout.write(f"Queued {rebuild_stale_all()} report build(s).")
            return
        from saferstat.reports.tasks import rebuild_reports

        result = rebuild_reports.enqueue()
        self.stdout.write(f"Queued the report rebuilds (task {result.id}).")
