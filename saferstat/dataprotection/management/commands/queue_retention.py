from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Queue today's retention run: erase the personal fields of records whose retention "
        "period has ended (docs/data-protection.md), keeping the records and their counts. "
        "Run it daily from cron or a systemd timer; --now erases in this process instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Run now instead of queueing")

    def handle(self, *args, now=False, **options):
        if now:
            from saferstat.dataprotection.services import retention_run_all

            for run in retention_run_all():
                self.stdout.write(f"{run.partnership.slug}: {run.detail}")
            return
        from saferstat.dataprotection.tasks import erase_expired_personal_data

        result = erase_expired_personal_data.enqueue()
        self.stdout.write(f"Queued the retention run (task {result.id}).")
