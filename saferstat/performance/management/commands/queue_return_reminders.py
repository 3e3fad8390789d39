from django.core.management.base import BaseCommand

from saferstat.performance.tasks import send_return_reminders


class Command(BaseCommand):
    help = (
        "Queue today's reminder emails for quarterly returns due within a week or late (run "
        "daily, e.g. from cron; the task worker sends them)."
    )

    def handle(self, *args, **options):
        result = send_return_reminders.enqueue()
        self.stdout.write(f"Queued the return reminders (task {result.id}).")
