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
