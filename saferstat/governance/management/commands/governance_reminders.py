from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Queue today's governance reminder emails (overdue and due-soon actions, late responses "
        "to scrutiny recommendations). Run it daily from cron or a systemd timer; --now sends "
        "them in this process instead of queueing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Send now instead of queueing")

    def handle(self, *args, now=False, **options):
        if now:
            from saferstat.governance.reminders import reminders_run_all

            for run in reminders_run_all():
                self.stdout.write(f"{run.partnership.slug}: {run.detail}")
            return
        from saferstat.governance.tasks import send_reminders

        result = send_reminders.enqueue()
        self.stdout.write(f"Queued the reminders (task {result.id}).")
