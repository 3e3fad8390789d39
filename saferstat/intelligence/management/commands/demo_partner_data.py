from django.core.management.base import BaseCommand, CommandError

from saferstat.intelligence.datasets.demo import DEMO_PARTNERSHIPS, demo_partner_install


class Command(BaseCommand):
    help = (
        "Declare and load the demo partner datasets (invented values, labelled as such) for "
        "Rotherham and Barnsley, through the same upload checks as the pages. Safe to run again. "
        "Needs `manage.py demo_setup` and `saferstat reference demo_data/ons` first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "partnerships",
            nargs="*",
            help=f"partnership slugs (default: {' '.join(DEMO_PARTNERSHIPS)})",
        )

    def handle(self, *args, **options):
        slugs = tuple(options["partnerships"]) or DEMO_PARTNERSHIPS
        try:
            lines = demo_partner_install(slugs)
        except Exception as exc:  # report any failure as a command error, not a traceback
            raise CommandError(f"Demo partner data could not be loaded: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS("Demo partner datasets are ready (Demo data: invented values).")
        )
        for line in lines:
            self.stdout.write(f"  {line}")
