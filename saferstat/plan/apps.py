from django.apps import AppConfig


class PlanConfig(AppConfig):
    name = "saferstat.plan"
    label = "plan"
    verbose_name = "Plan: themes, priorities, objectives and leads"
