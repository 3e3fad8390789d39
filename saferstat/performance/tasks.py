"""Background tasks of the performance module."""

from django_tasks import task


@task()
def send_return_reminders() -> int:
    """Email the leads whose quarterly returns are due within a week or late (see
    `services.reminders_send`), one run per partnership kept for the scheduled jobs page
    (`services.reminders_run`). Queue it daily: `manage.py queue_return_reminders` from cron
    or a systemd timer (docs/plan-performance.md). Returns how many reminders went."""
    from .services import reminders_run_all

    return sum(len(run.chased) for run in reminders_run_all())
