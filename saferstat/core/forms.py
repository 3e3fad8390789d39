"""Forms for the core pages. They only parse input; the services validate and write."""

from __future__ import annotations

from django import forms

from .models import AccessibilityStatement, ComplianceStatus, PrivacyNotice


def _textarea(rows: int = 6) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "govuk-textarea"})


class PrivacyNoticeForm(forms.ModelForm):
    class Meta:
        model = PrivacyNotice
        fields = ["controller", "purposes", "lawful_basis", "retention", "rights", "contact"]
        labels = {
            "controller": "Who we are (the controller)",
            "purposes": "What personal data we hold and why",
            "lawful_basis": "Our lawful basis",
            "retention": "How long we keep it",
            "rights": "Your rights",
            "contact": "Contact us (the data protection officer)",
        }
        widgets = {name: _textarea() for name in fields}
        error_messages = {name: {"required": f"Enter “{label}”."} for name, label in labels.items()}


class AccessibilityStatementForm(forms.ModelForm):
    compliance_status = forms.ChoiceField(
        choices=ComplianceStatus.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        label="Compliance status: this service is …",
        error_messages={"required": "Choose the compliance status."},
    )

    class Meta:
        model = AccessibilityStatement
        fields = [
            "organisation",
            "compliance_status",
            "non_compliance",
            "disproportionate_burden",
            "out_of_scope",
            "improvements",
            "report_a_problem",
            "enforcement",
            "testing",
            "prepared_on",
            "reviewed_on",
            "tested_on",
        ]
        labels = {
            "organisation": "Organisation that runs the service",
            "non_compliance": "Known problems (non-compliance with the regulations)",
            "disproportionate_burden": "Disproportionate burden",
            "out_of_scope": "Content not within the scope of the regulations",
            "improvements": "What we're doing to improve accessibility",
            "report_a_problem": "Reporting accessibility problems",
            "enforcement": "Enforcement procedure",
            "testing": "How the service was tested",
            "prepared_on": "Statement prepared on",
            "reviewed_on": "Statement last reviewed on",
            "tested_on": "Service last tested on",
        }
        widgets = {
            "organisation": forms.TextInput(attrs={"class": "govuk-input"}),
            **{
                name: _textarea()
                for name in (
                    "non_compliance",
                    "disproportionate_burden",
                    "out_of_scope",
                    "improvements",
                    "report_a_problem",
                    "enforcement",
                    "testing",
                )
            },
            **{
                name: forms.DateInput(
                    attrs={"type": "date", "class": "govuk-input govuk-input--width-10"},
                    format="%Y-%m-%d",
                )
                for name in ("prepared_on", "reviewed_on", "tested_on")
            },
        }
