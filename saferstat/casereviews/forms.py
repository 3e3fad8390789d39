"""Forms for case review and call-for-action pages: they parse; the services validate."""

from __future__ import annotations

import datetime as dt

from django import forms

from saferstat.core.choices import Role
from saferstat.core.models import User
from saferstat.governance import clock
from saferstat.governance.forms import GovForm, _date, _members
from saferstat.governance.models import Body, BodyKind, Meeting

from .models import AppealResult, ApplicantType

YES_NO = [("yes", "Threshold met: hold a case review"), ("no", "Threshold not met")]


def _text(label: str, rows: int = 3, required: bool = True, help_text: str = ""):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"Enter {label.lower()}."},
    )


def _line(label: str, max_length: int, required: bool = True, help_text: str = ""):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        error_messages={"required": f"Enter {label.lower()}."},
    )


class ApplicationForm(GovForm):
    received_on = _date("Date received")
    applicant_type = forms.ChoiceField(
        choices=ApplicantType.choices, label="Who applied", widget=forms.RadioSelect
    )
    applicant_name = _line("Applicant's name", 200)
    applicant_contact = _line("Applicant's contact details", 300, required=False)
    location = _line("Address or area of the behaviour", 300, required=False)
    ward_code = _line("Ward code (optional)", 12, required=False, help_text="e.g. E05013xxx")
    behaviour = _text("The behaviour described", 4, required=False)


class ComplaintForm(GovForm):
    behaviour_on = _date("Date of the behaviour")
    made_on = _date("Date the complaint was made")
    body = _line("Made to", 200, help_text="e.g. Police, council ASB team, housing provider")
    hate = forms.BooleanField(required=False, label="The behaviour was motivated by hate")


class AcknowledgeForm(GovForm):
    on = _date("Date acknowledged")


class InformedForm(GovForm):
    on = _date("Date the outcome letter was sent")


class DecisionForm(GovForm):
    met = forms.ChoiceField(choices=YES_NO, label="Decision", widget=forms.RadioSelect)
    decided_on = _date("Date of the decision")
    reason = _text("Reason", required=False, help_text="Needed when you decide differently")

    def values(self) -> dict:
        d = self.cleaned_data
        return {"met": d["met"] == "yes", "decided_on": d["decided_on"], "reason": d["reason"]}


class ReviewForm(GovForm):
    review_on = _date("Date of the review meeting")
    agencies = _line("Agencies at the review", 500, help_text="e.g. Police, council, housing")
    outcome = _text("Outcome", required=False)


class ReviewMeetingForm(GovForm):
    """Arrange the review at a governance meeting: a new meeting of a body, or a planned one."""

    meeting = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Join a planned meeting (optional)",
        empty_label="No: arrange a new meeting",
    )
    body = forms.ModelChoiceField(queryset=None, required=False, label="Body")
    date = _date("Date", required=False)
    time = forms.TimeField(
        label="Start time",
        required=False,
        help_text="24-hour clock, London time, for example 14:00",
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"invalid": "Enter a real time."},
    )
    location = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, bodies, meetings, review_body=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["body"].queryset = bodies
        self.fields["body"].initial = review_body.pk if review_body else None

    def clean(self):
        d = super().clean()
        if d.get("meeting") is None and not self.errors:
            if d.get("date") is None:
                self.add_error("date", "Enter the date of the meeting, or choose a planned one.")
            if d.get("time") is None:
                self.add_error("time", "Enter the start time.")
        return d

    def values(self) -> dict:
        d = self.cleaned_data
        if d["meeting"] is not None:
            return {"meeting": d["meeting"]}
        naive = dt.datetime.combine(d["date"], d["time"])
        return {
            "body": d["body"],
            "starts_at": naive.replace(tzinfo=clock.LONDON),
            "location": d["location"],
        }


class RecommendationForm(GovForm):
    text = _text("Recommendation", help_text="Shown to case reviewers only")
    owner = forms.ModelChoiceField(queryset=None, required=False, label="Owner (a member)")
    owner_role = _line("Owner's role", 200, required=False, help_text="e.g. ASB Team Manager")
    due_date = _date("Due date")

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _members(partnership)


class AppealForm(GovForm):
    lodged_on = _date("Date the appeal was made")
    grounds = _text("Grounds")


class AppealDecisionForm(GovForm):
    result = forms.ChoiceField(
        choices=AppealResult.choices, label="Result", widget=forms.RadioSelect
    )
    decided_on = _date("Date decided")
    outcome = _text("Outcome", required=False)


class SettingsForm(GovForm):
    complaints = forms.IntegerField(min_value=1, max_value=3, label="Qualifying complaints needed")
    window_months = forms.IntegerField(
        min_value=1, max_value=6, label="Months from a complaint to the application"
    )
    hate_complaints = forms.IntegerField(
        min_value=1,
        max_value=3,
        required=False,
        label="Complaints needed for hate-motivated behaviour (optional)",
    )
    acknowledge_days = forms.IntegerField(
        min_value=1, max_value=60, label="Acknowledge within (working days)"
    )
    decide_days = forms.IntegerField(
        min_value=1, max_value=60, label="Decide within (working days)"
    )
    review_days = forms.IntegerField(
        min_value=1, max_value=60, label="Review meeting within (working days of the decision)"
    )
    review_body = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Body that holds review meetings (optional)",
        help_text="For example a case review panel; set it up under Governance. Its meetings "
        "carry each case as a confidential item.",
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_body"].queryset = bodies


class ReviewerForm(GovForm):
    user = forms.ModelChoiceField(queryset=None, label="Analyst")

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            memberships__partnership=partnership, memberships__role=Role.ANALYST
        ).order_by("display_name")


class YearForm(GovForm):
    year = _line("Financial year", 7, help_text="e.g. 2024/25")


class CallForm(GovForm):
    raised_on = _date("Date raised")
    ward = _line("Ward", 100)
    councillor = _line("Councillor", 200, help_text="e.g. Ward councillor (role)")
    topic = _line("Topic", 300)
    matter = _text("The matter", help_text="No personal details of residents")


class CallResponseForm(GovForm):
    responded_on = _date("Date of the response")
    response = _text("The councillor's response")


class CallReferForm(GovForm):
    committee = forms.ModelChoiceField(queryset=None, label="Committee", empty_label=None)
    meeting = forms.ModelChoiceField(queryset=None, required=False, label="For meeting (optional)")

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = Body.objects.filter(
            partnership=partnership, kind=BodyKind.SCRUTINY
        )
        self.fields["meeting"].queryset = Meeting.objects.filter(
            partnership=partnership, body__kind=BodyKind.SCRUTINY
        ).order_by("starts_at")


class CallCloseForm(GovForm):
    closed_on = _date("Date closed")
    outcome = _text("Outcome")


class CaseImportForm(forms.Form):
    file = forms.FileField(
        label="File of cases",
        help_text="A CSV file (UTF-8) or an Excel workbook (.xlsx, first sheet, values only), "
        "one row per application, with the template's columns.",
        error_messages={
            "required": "Select a CSV or Excel file to import.",
            "empty": "The selected file is empty.",
            "invalid": "The selected file could not be read: try again.",
        },
    )
