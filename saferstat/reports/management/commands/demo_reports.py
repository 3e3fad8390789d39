from django.core.management.base import BaseCommand, CommandError

from saferstat.reports.demo import demo_reports_install


class Command(BaseCommand):
    help = (
        "Give Rotherham the demo contacts and support services directory printed in the "
        "annual report (invented services, drama-range numbers), and start its 2024/25 annual "
        "report with a build queued for the task worker. Needs `manage.py demo_setup`."
    )

    def handle(self, *args, **options):
        try:
            lines = demo_reports_install()
        except Exception as exc:  # report any failure as a command error, not a traceback
            raise CommandError(f"The demo reports data could not be loaded: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS("Demo contacts directory and annual report are ready.")
        )
        for line in lines:
            self.stdout.write(f"  {line}")
