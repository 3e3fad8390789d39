from django.core.management.base import BaseCommand

from saferstat.core.health import worker_heartbeat_ensure


class Command(BaseCommand):
    help = (
        "Queue the task worker's heartbeat if none is waiting. An idle worker runs it every "
        "minute (each one queues the next), so /health/ can tell a live worker from a dead one. "
        "Run before the worker starts and on the maintenance timer, to mend a broken chain."
    )

    def handle(self, *args, **options):
        if worker_heartbeat_ensure():
            self.stdout.write("Queued the worker's heartbeat.")
        elif options["verbosity"] > 1:
            self.stdout.write("A heartbeat is already waiting (or tasks run without a worker).")
