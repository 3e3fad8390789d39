"""Scheduled governance work, run by the task worker (`manage.py db_worker`)."""

from django_tasks import task


@task()
def send_reminders() -> int:
    """Reminder emails for every partnership (see reminders.py). Returns the runs made."""
    from .reminders import reminders_run_all

    return len(reminders_run_all())
