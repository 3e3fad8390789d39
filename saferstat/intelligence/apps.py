from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "saferstat.intelligence"
    label = "intelligence"
    verbose_name = "Intelligence: data imports and the crime overview"
