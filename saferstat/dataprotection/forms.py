"""Forms of the personal-data pages: they parse; the services validate."""

from __future__ import annotations

from django import forms

from saferstat.governance.forms import GovForm

from .declaration import RECORD_TYPES


class RetentionForm(GovForm):
    record_type = forms.ChoiceField(
        label="Record type",
        choices=[(r.key, r.label) for r in RECORD_TYPES if r.default_months is not None],
    )
    months = forms.IntegerField(
        min_value=1,
        max_value=600,
        label="Keep personal details for (months)",
        help_text="After the record's clock starts, e.g. 72 for six years after closure",
    )


class SearchForm(GovForm):
    q = forms.CharField(
        label="Name, email, phone number or address",
        max_length=200,
        min_length=3,
        help_text="Searches every record that names a person, in this partnership only",
        error_messages={"required": "Enter a name, email, phone number or address."},
    )


class RequestForm(forms.Form):
    """The records chosen from a search, and what to do with them (checked by services)."""

    action = forms.ChoiceField(choices=[("export", "export"), ("erase", "erase")])
    reference = forms.CharField(max_length=100, required=False)
    records = forms.MultipleChoiceField(required=False)
    note = forms.CharField(max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The records are checked by the service against the declaration and partnership.
        self.fields["records"].choices = [(r, r) for r in self.data.getlist("records")]
