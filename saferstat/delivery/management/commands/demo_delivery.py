from django.core.management.base import BaseCommand, CommandError

from saferstat.delivery.demo import demo_delivery_install


class Command(BaseCommand):
    help = (
        "Give Rotherham the demo community safety fund (£118,000, eight invented projects, "
        "labelled demo), a year of monitoring returns, a communications log and a training and "
        "engagement log. Safe to run again. Needs `manage.py demo_plan_performance` first."
    )

    def handle(self, *args, **options):
        try:
            lines = demo_delivery_install()
        except Exception as exc:  # report any failure as a command error, not a traceback
            raise CommandError(f"The demo delivery data could not be loaded: {exc}") from exc
        self.stdout.write(self.style.SUCCESS("Demo delivery data is ready."))
        for line in lines:
            self.stdout.write(f"  {line}")
