from django import forms


class PoliceUkUploadForm(forms.Form):
    file = forms.FileField(
        label="police.uk street-level crime file",
        help_text="A monthly file as downloaded from data.police.uk, for example "
        "2025-09-south-yorkshire-street.csv (or .csv.gz).",
        error_messages={
            "required": "Select a police.uk file to upload.",
            "empty": "The selected file is empty.",
            "invalid": "The selected file could not be read: try again.",
        },
    )


class ForceReviewForm(forms.Form):
    """A force administrator's decision on a checked police.uk file."""

    decision = forms.ChoiceField(
        choices=[("approve", "Approve and load"), ("reject", "Reject")],
        error_messages={"required": "Choose whether to approve or reject the file."},
    )
    change_reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason for this change",
        help_text="Needed when the month's total changes by more than the set share.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="Note for the partnership (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
