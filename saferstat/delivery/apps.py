from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "saferstat.delivery"
    label = "delivery"
    verbose_name = "Delivery"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (opens monitoring returns with the calendar)
