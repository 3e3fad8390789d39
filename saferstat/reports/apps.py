from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "saferstat.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        # Sections from other apps' records replace their "not yet available" entries in the
        # registry (reports/sections.py) when the app loads.
        from . import sections_delivery, sections_records  # noqa: F401
