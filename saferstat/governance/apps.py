from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "saferstat.governance"
    label = "governance"
    verbose_name = "Governance: Board, scrutiny, meetings, actions and the statutory calendar"
