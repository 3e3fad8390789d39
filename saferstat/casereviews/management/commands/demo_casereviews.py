from django.core.management.base import BaseCommand

from saferstat.casereviews.demo import demo_casereviews
from saferstat.core.models import Partnership, User


class Command(BaseCommand):
    help = (
        "Demo ASB case reviews and councillor calls for action for Rotherham (2024/25, "
        "invented), with the year's figures published. Run after demo_governance; safe to "
        "run again."
    )

    def handle(self, *args, **options):
        partnership = Partnership.objects.get(slug="rotherham")
        admin = User.objects.get(username="rotherham-admin")
        analyst = User.objects.filter(username="rotherham-analyst").first()
        if demo_casereviews(partnership, admin, analyst):
            self.stdout.write(self.style.SUCCESS("Demo case reviews are ready."))
        else:
            self.stdout.write("Rotherham already has case reviews; left as they are.")
