from django.core.management.base import BaseCommand, CommandError

from saferstat.assessment.demo import demo_assessment_install


class Command(BaseCommand):
    help = (
        "Give Rotherham the demo 2025/26 strategic assessment: candidate issues scored by two "
        "scorers with linked evidence, a consultation (invented responses, labelled demo) "
        "against the Census, a community tension log, and a plan version refreshed from it. "
        "Needs `manage.py demo_setup`, `demo_partner_data` and `demo_plan_performance` first."
    )

    def handle(self, *args, **options):
        try:
            lines = demo_assessment_install()
        except Exception as exc:  # report any failure as a command error, not a traceback
            raise CommandError(f"The demo assessment could not be loaded: {exc}") from exc
        self.stdout.write(self.style.SUCCESS("Demo strategic assessment is ready."))
        for line in lines:
            self.stdout.write(f"  {line}")
