"""Forms for governance pages. They only parse input; the services validate and write.

Fields are drawn with GOV.UK Frontend markup by templates/governance/_field.html.
"""

from __future__ import annotations

import datetime as dt

from django import forms

from saferstat.core.models import Organisation, User

from . import clock
from .models import (
    AttendanceStatus,
    BodyKind,
    DhrDecision,
    DhrStatus,
    ResolutionKind,
    ResponseKind,
)
from .selectors import linkable_requests

_CLASSES = {
    forms.TextInput: "govuk-input",
    forms.NumberInput: "govuk-input govuk-input--width-4",
    forms.DateInput: "govuk-input govuk-input--width-10",
    forms.TimeInput: "govuk-input govuk-input--width-5",
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.RadioSelect: "govuk-radios__input",
    forms.ClearableFileInput: "govuk-file-upload",
}


class GovForm(forms.Form):
    """A form whose widgets carry GOV.UK Frontend classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = _CLASSES.get(type(field.widget))
            if css:
                field.widget.attrs.setdefault("class", css)

    def error_dict(self) -> dict[str, str]:
        return {
            f"id_{self.prefix + '-' if self.prefix else ''}{k}": v[0]
            for k, v in self.errors.items()
        }


def key_field(help_text: str, required: str = "Enter a key.") -> forms.SlugField:
    """A short key that stays the same (a plan theme's or priority's, an indicator's code):
    lower case letters, numbers and hyphens, up to 60 characters."""
    return forms.SlugField(
        max_length=60,
        help_text=help_text,
        error_messages={
            "required": required,
            "invalid": "Use lower case letters, numbers and hyphens only.",
        },
    )


def _date(label: str, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text or "For example 2025-06-30",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": f"Enter the {label.lower()}.", "invalid": "Enter a real date."},
    )


def _members(partnership):
    return User.objects.filter(memberships__partnership=partnership).order_by("display_name")


def _organisations(partnership, responsible_only: bool = False):
    qs = Organisation.objects.filter(partnership=partnership)
    return qs.filter(is_responsible_authority=True) if responsible_only else qs


class BodyForm(GovForm):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=BodyKind.choices, label="Kind of body")
    terms_of_reference = forms.CharField(widget=forms.Textarea, required=False)
    meets_in_public = forms.BooleanField(
        required=False,
        label="Meets in public: its published agendas and papers, and its approved minutes, "
        "are public",
    )


class SeatForm(GovForm):
    label = forms.CharField(
        max_length=100, label="Seat", help_text="A column of the attendance table, e.g. Police"
    )
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)
    holder = forms.CharField(max_length=200, required=False, label="Held by (role)")
    user = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="SaferStat member holding it"
    )
    is_chair = forms.BooleanField(required=False, label="Chair")

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations(partnership)
        self.fields["user"].queryset = _members(partnership)


class SeatEditForm(SeatForm):
    active = forms.BooleanField(
        required=False,
        label="At the table",
        help_text="Untick when the seat is no longer on the body: it stays in the attendance "
        "tables of the meetings it attended",
    )


class MeetingForm(GovForm):
    date = _date("Date")
    time = forms.TimeField(
        label="Start time",
        help_text="24-hour clock, London time, for example 14:00",
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"required": "Enter the start time.", "invalid": "Enter a real time."},
    )
    location = forms.CharField(max_length=200, required=False)

    def starts_at(self) -> dt.datetime:
        naive = dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return naive.replace(tzinfo=clock.LONDON)


class AgendaItemForm(GovForm):
    title = forms.CharField(max_length=300, label="Item title")
    confidential = forms.BooleanField(
        required=False, label="Confidential (exempt information): not public, not for scrutiny"
    )
    link = forms.CharField(
        max_length=500,
        required=False,
        label="Link to a SaferStat page (optional)",
        help_text="A report, dashboard or explorer view of this partnership, e.g. /p/rotherham/explore/?view=trend",
    )
    data_request = forms.ModelChoiceField(
        queryset=None, required=False, label="Members' data request taken at this item (optional)"
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data_request"].queryset = linkable_requests(partnership)


class NotesForm(GovForm):
    item = forms.ModelChoiceField(queryset=None, label="Agenda item")
    notes = forms.CharField(
        widget=forms.Textarea,
        label="Discussion notes",
        help_text="Paragraphs, bold, italics, lists and links are kept; anything else is removed.",
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = meeting.items.all()


class ResolutionForm(GovForm):
    kind = forms.ChoiceField(choices=ResolutionKind.choices, label="Kind of resolution")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Resolved")
    item = forms.ModelChoiceField(queryset=None, required=False, label="Agenda item (optional)")

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = meeting.items.all()


class ActionForm(GovForm):
    title = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Action")
    owner = forms.ModelChoiceField(
        queryset=None, required=False, label="Owner (a member of SaferStat)"
    )
    owner_role = forms.CharField(
        max_length=200, required=False, label="Owner's role", help_text="e.g. Head of Service"
    )
    owner_organisation = forms.ModelChoiceField(
        queryset=None, required=False, label="Owner's organisation"
    )
    due_date = _date("Due date")
    priority = forms.CharField(max_length=200, required=False, label="Plan priority (optional)")
    resolution = forms.ModelChoiceField(
        queryset=None, required=False, label="From resolution (optional)"
    )

    def __init__(self, *args, partnership, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _members(partnership)
        self.fields["owner_organisation"].queryset = _organisations(partnership)
        self.fields["resolution"].queryset = meeting.resolutions.all()


class RecommendationForm(GovForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Recommendation")
    to_organisation = forms.ModelChoiceField(
        queryset=None, label="To (responsible authority)", empty_label=None
    )
    resolution = forms.ModelChoiceField(
        queryset=None, required=False, label="From resolution (optional)"
    )

    def __init__(self, *args, partnership, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = _organisations(partnership, responsible_only=True)
        self.fields["resolution"].queryset = meeting.resolutions.all()


class ActionEditForm(ActionForm):
    """Change an action: the same fields, without where it came from."""

    def __init__(self, *args, partnership, **kwargs):
        super(ActionForm, self).__init__(*args, **kwargs)
        self.fields.pop("resolution")
        self.fields["owner"].queryset = _members(partnership)
        self.fields["owner_organisation"].queryset = _organisations(partnership)


class ActionUpdateForm(GovForm):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Progress update"
    )
    done = forms.BooleanField(required=False, label="The action is done")


class ResponseForm(GovForm):
    response = forms.ChoiceField(
        choices=ResponseKind.choices, widget=forms.RadioSelect, label="Response"
    )
    response_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Reasons and what will be done",
    )
    responded_on = _date("Date of the response", required=False, help_text="Today if left empty")


class ImplementationForm(GovForm):
    implementation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Implementation update"
    )


class WorkProgrammeForm(GovForm):
    topic = forms.CharField(max_length=300)
    source = forms.CharField(
        max_length=300, required=False, help_text="e.g. Resolution 3 of the annual scrutiny"
    )
    meeting = forms.ModelChoiceField(queryset=None, required=False, label="Planned for meeting")

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = body.meetings.all()


class WorkProgrammeEditForm(WorkProgrammeForm):
    done = forms.BooleanField(required=False, label="Considered: the committee has taken it")


class DutyForm(GovForm):
    last_met = _date("Last met on", required=False, help_text="Leave empty if never met")
    cycle_months = forms.IntegerField(min_value=1, max_value=120, label="Cycle (months)")
    first_due = _date("First due (when never met)", required=False)
    owner = forms.CharField(max_length=200, required=False)
    applies = forms.BooleanField(required=False, label="Applies to this partnership")
    evidence = forms.CharField(
        max_length=500, required=False, label="Link to the record that meets it (optional)"
    )


class SettingsForm(GovForm):
    response_days = forms.IntegerField(
        min_value=1, max_value=365, label="Days to respond to a scrutiny recommendation"
    )
    response_basis = forms.CharField(
        max_length=300, required=False, label="Basis of the response period"
    )
    agenda_notice_days = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=30,
        label="Clear working days' notice of a public body's agenda",
        help_text="Councils publish committee agendas five clear days ahead (Local Government "
        "Act 1972 s.100B); for the partnership's own bodies this is a local setting. Left "
        "empty, it stays as it is",
    )
    dhr_decision_months = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=24,
        label="Months from notification to the decision whether to hold a domestic homicide review",
        help_text="A local setting (1 month unless changed): check it against the Home Office "
        "statutory guidance. Left empty, it stays as it is",
    )
    dhr_report_months = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=60,
        label="Months from the decision to the review's report going to the Home Office",
        help_text="A local setting (6 months unless changed): check it against the Home Office "
        "statutory guidance. Left empty, it stays as it is",
    )


ATTENDANCE_CHOICES = AttendanceStatus.choices


class PaperForm(GovForm):
    file = forms.FileField(
        label="Paper",
        help_text="A PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), OpenDocument "
        "(.odt, .ods, .odp) or CSV file. It is checked by its content, not its name.",
        error_messages={
            "required": "Select a file to upload.",
            "empty": "The selected file is empty.",
            "invalid": "The selected file could not be read: try again.",
        },
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        label="Title (optional)",
        help_text="The file's name if empty",
    )


REFERENCE_HELP = (
    "A case reference such as DHR 2025-01. Never a name: not the person who died, nor anyone "
    "else involved"
)


class DhrCreateForm(GovForm):
    reference = forms.CharField(max_length=40, label="Case reference", help_text=REFERENCE_HELP)
    notified_on = _date("Date the partnership was notified")


class DhrForm(GovForm):
    reference = forms.CharField(max_length=40, label="Case reference", help_text=REFERENCE_HELP)
    notified_on = _date("Date the partnership was notified")
    status = forms.ChoiceField(choices=DhrStatus.choices, label="Status")
    decision = forms.ChoiceField(
        choices=[("", "Not decided yet"), *DhrDecision.choices],
        required=False,
        label="Decision",
    )
    decision_on = _date("Date of the decision", required=False)
    decision_reason = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Reason for the decision",
        help_text="No names: refer to people by their role (the victim, the perpetrator, a "
        "family member)",
    )
    chair_role = forms.CharField(
        max_length=200,
        required=False,
        label="Chair appointed",
        help_text="The chair's role, for example Independent chair (not their name)",
    )
    report_sent_on = _date(
        "Date the report was sent to the Home Office / Domestic Abuse Commissioner",
        required=False,
    )
