from django import forms

from saferstat.analytics.disclosure import BASES

from .models import ReportKind


class ReportForm(forms.Form):
    kind = forms.ChoiceField(choices=ReportKind.choices)
    period = forms.CharField(max_length=20)
    ward = forms.CharField(max_length=120, required=False)


class PolicyForm(forms.Form):
    threshold = forms.IntegerField()
    base = forms.TypedChoiceField(choices=[(b, str(b)) for b in BASES], coerce=int)
