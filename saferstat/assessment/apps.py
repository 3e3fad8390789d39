from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "saferstat.assessment"
    label = "assessment"
    verbose_name = "Assessment: priority scoring, consultation coverage, community tension"
