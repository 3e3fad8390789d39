from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from saferstat.intelligence.recovery import DEFAULT_OLDER_THAN, MAX_ATTEMPTS, stuck_jobs_recover


class Command(BaseCommand):
    help = (
        "Queue again the police.uk imports and partner uploads that a stopped task worker left "
        f"'queued' or 'running', or mark them failed once they were started {MAX_ATTEMPTS} "
        "times. Audited. `make serve` runs it with --older-than 0 before it starts the worker; "
        "run it from cron with the default to catch a worker that died while the app ran on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=DEFAULT_OLDER_THAN.total_seconds() / 60,
            metavar="MINUTES",
            help="presume a task dead when a worker claimed it this long ago "
            "(default: %(default)g; use 0 when no worker is running)",
        )

    def handle(self, *args, **options):
        if options["older_than"] < 0:
            raise CommandError("--older-than must be 0 or more minutes.")
        recovered = stuck_jobs_recover(older_than=timedelta(minutes=options["older_than"]))
        for item in recovered:
            self.stdout.write(f"  {item}")
        if recovered:
            self.stdout.write(self.style.WARNING(f"Recovered {len(recovered)} stuck load(s)."))
        elif options["verbosity"] > 1:
            self.stdout.write("No stuck imports or uploads.")
