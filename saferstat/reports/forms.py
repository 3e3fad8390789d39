from django import forms

from saferstat.analytics.disclosure import BASES
from saferstat.governance.forms import GovForm

from .models import ReportKind


class ReportForm(forms.Form):
    kind = forms.ChoiceField(choices=ReportKind.choices)
    period = forms.CharField(max_length=20)
    ward = forms.CharField(max_length=120, required=False)


class PolicyForm(forms.Form):
    threshold = forms.IntegerField()
    base = forms.TypedChoiceField(choices=[(b, str(b)) for b in BASES], coerce=int)


class SupportServiceForm(GovForm):
    """An entry of the contacts and support services directory; the service validates."""

    name = forms.CharField(max_length=200, label="Name of the service")
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Who it is for and what it does",
    )
    phone = forms.CharField(
        max_length=30,
        required=False,
        label="Phone number",
        help_text="The service's published number: digits and spaces, + first if needed",
    )
    web_address = forms.CharField(
        max_length=300,
        required=False,
        label="Web address",
        help_text="Starting with https:// or http://",
    )
    hours = forms.CharField(
        max_length=200, required=False, label="Opening hours", help_text="For example 24 hours"
    )
    order = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=32767,
        label="Order in the directory",
        help_text="Lower numbers come first",
    )
