from django import forms

from .models import ReportKind


class ReportForm(forms.Form):
    kind = forms.ChoiceField(choices=ReportKind.choices)
    period = forms.CharField(max_length=20)
