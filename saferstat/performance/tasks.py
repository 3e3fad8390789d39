"""Background tasks of the performance module."""

from django_tasks import task


@task()
def send_return_reminders() -> int:
    """Email the leads whose quarterly returns are due within a week or late (see
    `services.reminders_send`). Queue it daily: `manage.py queue_return_reminders` from cron
    or a systemd timer (docs/plan-performance.md)."""
    from .services import reminders_send

    return len(reminders_send())
