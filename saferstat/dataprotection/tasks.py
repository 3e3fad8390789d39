"""Scheduled personal-data work, run by the task worker (`manage.py db_worker`)."""

from django_tasks import task


@task()
def erase_expired_personal_data() -> int:
    """Erase the personal fields whose retention period has ended, in every partnership
    (`services.retention_run`). Returns the runs made. Queue it daily: `manage.py
    queue_retention` (cron or the systemd timer in deploy/systemd)."""
    from .services import retention_run_all

    return len(retention_run_all())
