from django.core.management.base import BaseCommand, CommandError

from saferstat.core.backup import BackupError, archive_sha256, backup_create


class Command(BaseCommand):
    requires_system_checks = []  # works even when other parts of the app would not start
    help = (
        "Back up the database, the warehouse and uploaded files to one .tar.gz "
        "(safe while the app runs). Example: manage.py backup --dest /srv/backups"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dest", help="folder for the archive (default: SAFERSTAT_BACKUP_DIR)")

    def handle(self, *args, **options):
        try:
            archive = backup_create(options["dest"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written: {archive}"))
        self.stdout.write(
            f"SHA-256 of the archive (keep it elsewhere to check it later): {archive_sha256(archive)}"
        )
