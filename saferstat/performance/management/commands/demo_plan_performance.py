from django.core.management.base import BaseCommand, CommandError

from saferstat.performance.demo import demo_plan_install


class Command(BaseCommand):
    help = (
        "Give Rotherham the demo Plan 2022-25 (themes, priorities, leads), its indicators, a "
        "reporting calendar and two years of quarterly returns (Demo data: invented values; "
        "asb-policeuk is computed from police.uk). Safe to run again. Needs `manage.py "
        "demo_setup` first."
    )

    def handle(self, *args, **options):
        try:
            lines = demo_plan_install()
        except Exception as exc:  # report any failure as a command error, not a traceback
            raise CommandError(f"The demo plan could not be loaded: {exc}") from exc
        self.stdout.write(self.style.SUCCESS("Demo plan and performance data are ready."))
        for line in lines:
            self.stdout.write(f"  {line}")
