from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "saferstat.delivery"
    label = "delivery"
    verbose_name = "Delivery"

    def ready(self) -> None:
        from saferstat.governance.reminders import register

        from . import signals  # noqa: F401  (opens monitoring returns with the calendar)
        from .reminders import monitoring_reminders

        # Monitoring return reminders run inside the governance reminder job (one job, one
        # JobRun per partnership, on the scheduled jobs page), through performance's shared
        # return reminders.
        register(monitoring_reminders)
