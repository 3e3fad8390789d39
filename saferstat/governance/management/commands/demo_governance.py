from django.core.management.base import BaseCommand

from saferstat.core.models import Partnership, User
from saferstat.governance.demo import demo_governance


class Command(BaseCommand):
    help = (
        "Demo governance records for Rotherham: a year of Board meetings with attendance, the "
        "annual scrutiny meeting, actions, recommendations and the statutory calendar. "
        "Run after demo_setup; safe to run again."
    )

    def handle(self, *args, **options):
        partnership = Partnership.objects.get(slug="rotherham")
        admin = User.objects.get(username="rotherham-admin")
        board = User.objects.filter(username="rotherham-board").first()
        if demo_governance(partnership, admin, board):
            self.stdout.write(self.style.SUCCESS("Demo governance records are ready."))
        else:
            self.stdout.write("Rotherham already has its governance records; left as they are.")
