from django.core.management.base import BaseCommand, CommandError

from saferstat.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    requires_system_checks = []  # works even when other parts of the app would not start
    help = (
        "Restore a backup made by `manage.py backup` into this install (stop the web app and "
        "the task worker first). Checks every file before changing anything; refuses to replace "
        "existing data without --force. Example: manage.py restore saferstat-backup-20250101T020000Z.tar.gz"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz made by `manage.py backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace the data this install already holds"
        )
        parser.add_argument(
            "--sha256",
            help="the archive's SHA-256 that `manage.py backup` printed; refuse it if it differs",
        )

    def handle(self, *args, **options):
        try:
            result = backup_restore(
                options["archive"], force=options["force"], expected_sha256=options["sha256"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {result.created_at} (SaferStat {result.app_version}): "
                f"{result.database_vendor} database, {result.warehouse_files} warehouse files, "
                f"{result.media_files} uploaded files."
            )
        )
        self.stdout.write(
            "Run `manage.py migrate` if this version of SaferStat is newer than the backup's."
        )
