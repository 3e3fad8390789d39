from django.apps import AppConfig


class CaseReviewsConfig(AppConfig):
    name = "saferstat.casereviews"
    label = "casereviews"
    verbose_name = "ASB case reviews (the Community Trigger) and councillor calls for action"

    def ready(self) -> None:
        # Deadline reminders run inside the governance reminder job (one job, one JobRun).
        from saferstat.governance.reminders import register

        from .reminders import case_deadline_reminders

        register(case_deadline_reminders)
        # The four statutory figures in the annual report (the reports' section registry).
        from saferstat.reports.sections import register as register_section

        from .report import SECTION

        register_section(SECTION)
