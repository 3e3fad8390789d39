from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "saferstat.performance"
    label = "performance"
    verbose_name = "Performance: indicators, quarterly returns and verdicts"
