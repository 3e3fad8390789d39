from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saferstat.core"
    label = "core"
    verbose_name = "Partnerships and users"
