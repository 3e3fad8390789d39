"""Forms for partner datasets: shape only; the rules live in the services and in
`saferstat.analytics.partner.DatasetSchema`."""

from __future__ import annotations

from django import forms
from django.utils.text import slugify

from saferstat.analytics import partner

TYPE_CHOICES = [
    ("", "Not used"),
    ("period", "Period (month or quarter)"),
    ("area", "Area code"),
    ("category", "Category"),
    ("count", "Count"),
    ("outcome", "Outcome"),
    ("ignore", "In the file, not stored"),
]
GRANULARITY_CHOICES = [
    ("month", "Month: a month such as 2024-05, or a date (the record's month)"),
    ("quarter", "Quarter: a financial-year quarter such as 2024/25-Q1"),
]
AREA_LEVEL_CHOICES = [
    ("ward", "Ward: ONS ward codes (E05…), 2024 wards"),
    ("lsoa", "LSOA: ONS LSOA codes (E01…), 2011 or 2021"),
    ("partnership", "Partnership: the local authority code (E08…)"),
]
COLUMN_ROWS = 8


class DatasetSettingsForm(forms.Form):
    name = forms.CharField(
        max_length=200, error_messages={"required": "Enter a name for the dataset."}
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    organisation = forms.ModelChoiceField(queryset=None, required=False, empty_label="Not recorded")
    sensitive = forms.BooleanField(required=False)
    shared_with_scrutiny = forms.BooleanField(required=False)

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = partnership.organisations.all()


class DatasetDeclareForm(DatasetSettingsForm):
    slug = forms.SlugField(
        max_length=50,
        required=False,
        help_text="Lower-case letters, digits and hyphens; made from the name if left empty.",
    )
    granularity = forms.ChoiceField(
        choices=GRANULARITY_CHOICES, widget=forms.RadioSelect, initial="month"
    )
    area_level = forms.ChoiceField(
        choices=AREA_LEVEL_CHOICES, widget=forms.RadioSelect, initial="ward"
    )

    def clean(self):
        data = super().clean()
        if not data.get("slug") and data.get("name"):
            data["slug"] = slugify(data["name"])[:50].strip("-")
        return data


class ColumnForm(forms.Form):
    name = forms.CharField(max_length=64, required=False)
    type = forms.ChoiceField(choices=TYPE_CHOICES, required=False)
    allowed = forms.CharField(
        required=False,
        max_length=4000,
        help_text="Values separated by semicolons (;); empty for any.",
    )
    optional = forms.BooleanField(required=False)

    def column(self) -> dict | None:
        """The column as schema data, or None for an empty row."""
        data = self.cleaned_data
        if not data.get("name") and not data.get("type"):
            return None
        allowed = [v.strip() for v in (data.get("allowed") or "").split(";") if v.strip()]
        return {
            "name": (data.get("name") or "").strip(),
            "type": data.get("type") or "",
            "allowed": allowed,
            "required": not data.get("optional"),
        }


ColumnFormSet = forms.formset_factory(
    ColumnForm, extra=COLUMN_ROWS, max_num=partner.MAX_COLUMNS, validate_max=True
)


class PartnerUploadForm(forms.Form):
    file = forms.FileField(
        label="File to upload",
        help_text="A CSV file (UTF-8) or an Excel workbook (.xlsx, first sheet, values only) with "
        "the dataset's columns.",
        error_messages={
            "required": "Select a CSV or Excel file to upload.",
            "empty": "The selected file is empty.",
            "invalid": "The selected file could not be read: try again.",
        },
    )
