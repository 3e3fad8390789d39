from django.core.management.base import BaseCommand

from saferstat.core.demo import DEMO_PASSWORD, demo_install


class Command(BaseCommand):
    help = "Create or update the demo partnerships (South Yorkshire) and demo users. Safe to run again."

    def handle(self, *args, **options):
        logins = demo_install()
        self.stdout.write(self.style.SUCCESS("Demo partnerships and users are ready."))
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for username, role, partnership in logins:
            self.stdout.write(f"  {username:<26} {role:<45} {partnership}")
        self.stdout.write("")
