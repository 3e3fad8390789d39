from django.core.management.base import BaseCommand

from saferstat.intelligence.tasks import fetch_policeuk


class Command(BaseCommand):
    help = (
        "Queue a fetch of the police.uk archive (run daily or weekly, e.g. from cron; the task "
        "worker downloads it, checks it and loads the forces' new months)."
    )

    def handle(self, *args, **options):
        result = fetch_policeuk.enqueue()
        self.stdout.write(f"Queued the police.uk fetch (task {result.id}).")
