"""Pages that set the performance module up and feed it: importing indicator values from a
spreadsheet, defining indicators and their targets, and the reporting calendar."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from saferstat.analytics.performance import DEFAULT_RAG_RULE, RagRule
from saferstat.core.exports import export_response
from saferstat.core.permissions import can
from saferstat.core.uploads import accepts_upload
from saferstat.core.views_helpers import (
    audit_history_url,
    partnership_view,
    posted_form,
    run_confirmed,
)
from saferstat.governance.forms import GovForm, key_field
from saferstat.intelligence.datasets.models import PartnerDataset
from saferstat.plan.models import Priority

from . import selectors
from .importing import template_header, values_import
from .models import Frequency, PerformanceSettings, Polarity, Source, Unit
from .services import (
    indicator_delete,
    indicator_upsert,
    rag_rule_set,
    reporting_period_delete,
    reporting_period_upsert,
)


class ValuesUploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet of values",
        help_text="A CSV file (UTF-8) or an Excel workbook (.xlsx, first sheet, values only) "
        "with the columns indicator, period, value and (optionally) note.",
        error_messages={
            "required": "Select a CSV or Excel file to upload.",
            "empty": "The selected file is empty.",
            "invalid": "The selected file could not be read: try again.",
        },
    )


@accepts_upload
@partnership_view("performance.approve", post=True)
def values_upload(request, partnership):
    """Import indicator values from a spreadsheet: every row checked, nothing stored unless
    every row is right, the same file again changes nothing."""
    posted = request.method == "POST"
    form = ValuesUploadForm(request.POST if posted else None, request.FILES if posted else None)
    problems: list[str] = []
    if posted and form.is_valid():
        try:
            result = values_import(
                partnership=partnership, by=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            problems = list(exc.messages)
            form.add_error("file", "The file was refused: nothing was stored. Put the rows "
                           "listed below right and upload it again.")  # fmt: skip
        else:
            messages.success(request, result.describe())
            return redirect("performance:values_upload", slug=partnership.slug)
    return render(
        request,
        "performance/values_upload.html",
        {
            "partnership": partnership,
            "form": form,
            "problems": problems,
            "indicators": [
                i
                for i in selectors.indicator_list(partnership=partnership)
                if i.source == Source.ENTERED
            ],
            "periods": selectors.period_list(partnership=partnership),
        },
        status=400 if form.errors else 200,
    )


@partnership_view("performance.approve")
def values_template(request, partnership):
    """An empty values file (the header row) to fill in."""
    return export_response(
        "csv", template_header(), [], filename=f"{partnership.slug}-indicator-values"
    )


# --- indicators and targets -----------------------------------------------------------------


def _lines(text: str, field: str, *, number: bool) -> dict:
    """``2024/25-Q1 80`` (or ``2024/25-Q1: reason``) one a line, as a dict."""
    out: dict = {}
    for n, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        label, _, rest = line.replace(":", " ", 1).partition(" ")
        rest = rest.strip()
        if not rest:
            raise forms.ValidationError(
                f"Line {n}: write the quarter, then "
                + ("the target, for example 2024/25-Q1 80." if number else "the reason.")
            )
        if number:
            try:
                out[label] = float(rest.replace(",", ""))
            except ValueError:
                raise forms.ValidationError(f"Line {n}: {rest!r} is not a number.") from None
        else:
            out[label] = rest
    return out


class IndicatorForm(GovForm):
    code = key_field(
        "Short, stays the same: lower case letters, numbers and hyphens, for example "
        "repeat-missing.",
        required="Enter a code.",
    )
    name = forms.CharField(max_length=200, error_messages={"required": "Enter a name."})
    definition = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is counted, in plain English.",
        error_messages={"required": "Say what the indicator counts."},
    )
    priority = forms.ModelChoiceField(
        queryset=None, error_messages={"required": "Choose the priority it belongs to."}
    )
    unit = forms.ChoiceField(choices=Unit.choices)
    polarity = forms.ChoiceField(choices=Polarity.choices, label="Which direction is better")
    frequency = forms.ChoiceField(choices=Frequency.choices, initial=Frequency.QUARTERLY)
    source = forms.ChoiceField(choices=Source.choices, initial=Source.ENTERED)
    crime_types = forms.MultipleChoiceField(
        choices=[],
        required=False,
        label="police.uk categories (computed indicators only)",
        widget=forms.SelectMultiple(attrs={"class": "govuk-select", "size": 6}),
    )
    dataset = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Partner dataset (indicators computed from a partner dataset only)",
        help_text="Its counts for the partnership's area in each quarter are the values; a "
        "quarter with no data loaded is a gap. A sensitive dataset's indicator is seen only by "
        "those who may see the dataset.",
    )
    category_column = forms.CharField(
        required=False,
        max_length=100,
        label="Count only some records: the dataset's category column (optional)",
        help_text="For example Offence.",
    )
    categories = forms.CharField(
        required=False,
        max_length=1000,
        label="The values of that column counted",
        help_text="Separated by commas, for example Possession of a bladed article.",
    )
    targets = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line: the quarter it applies from, then the target, for example "
        "2023/24-Q1 80 then 2024/25-Q1 50.",
    )
    rebases = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One a line: the quarter the chart's limits start again, then why, for "
        "example 2024/25-Q1: new recording rules.",
    )
    public = forms.BooleanField(
        required=False, label="Show on the public dashboard (once it is published)"
    )
    order = forms.IntegerField(min_value=0, initial=0, required=False)

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        from saferstat.analytics.policeuk import CRIME_TYPES

        self.fields["priority"].queryset = Priority.objects.filter(
            theme__plan__partnership=partnership
        ).select_related("theme")
        self.fields["crime_types"].choices = [(c, c) for c in CRIME_TYPES]
        self.fields["dataset"].queryset = PartnerDataset.objects.filter(partnership=partnership)

    def clean_categories(self):
        return [v.strip() for v in self.cleaned_data["categories"].split(",") if v.strip()]

    def clean_targets(self):
        return _lines(self.cleaned_data["targets"], "targets", number=True)

    def clean_rebases(self):
        return _lines(self.cleaned_data["rebases"], "rebases", number=False)


def _indicator_initial(indicator) -> dict:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "definition": indicator.definition,
        "priority": indicator.priority,
        "unit": indicator.unit,
        "polarity": indicator.polarity,
        "frequency": indicator.frequency,
        "source": indicator.source,
        "crime_types": indicator.crime_types,
        "dataset": indicator.dataset,
        "category_column": indicator.category_column,
        "categories": ", ".join(indicator.categories or []),
        "targets": "\n".join(f"{t.from_period} {t.value:g}" for t in indicator.targets.all()),
        "rebases": "\n".join(f"{k}: {v}" for k, v in indicator.rebases.items()),
        "public": indicator.public,
        "order": indicator.order,
    }


def _save_indicator(request, partnership, form, *, create: bool):
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return indicator_upsert(
            partnership=partnership,
            by=request.user,
            priority=data["priority"],
            code=data["code"],
            name=data["name"],
            definition=data["definition"],
            unit=data["unit"],
            polarity=data["polarity"],
            frequency=data["frequency"],
            source=data["source"],
            crime_types=data["crime_types"],
            dataset=data["dataset"],
            category_column=data["category_column"],
            categories=data["categories"],
            order=data["order"] or 0,
            targets=data["targets"],
            rebases=data["rebases"],
            public=data["public"],
            create=create,
        )
    except (ValidationError, ValueError) as exc:
        # parse_period raises PeriodError (a ValueError) for a badly written quarter.
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, str(exc.messages[0] if hasattr(exc, "messages") else exc))
        return None


@partnership_view("performance.view")
def indicator_list(request, partnership):
    return render(
        request,
        "performance/indicator_list.html",
        {
            "partnership": partnership,
            "indicators": selectors.indicator_list(partnership=partnership, user=request.user),
            "can_manage": can(request.user, "performance.manage", partnership),
        },
    )


@partnership_view("performance.manage", post=True)
def indicator_new(request, partnership):
    form = IndicatorForm(
        request.POST if request.method == "POST" else None, partnership=partnership
    )
    if request.method == "POST":
        indicator = _save_indicator(request, partnership, form, create=True)
        if indicator is not None:
            messages.success(request, f"The indicator “{indicator.name}” was defined.")
            return redirect("performance:indicator_list", slug=partnership.slug)
    return render(
        request,
        "performance/indicator_form.html",
        {"partnership": partnership, "form": form, "indicator": None},
        status=400 if form.errors else 200,
    )


@partnership_view("performance.manage", post=True)
def indicator_edit(request, partnership, code: str):
    indicator = selectors.indicator_get(partnership=partnership, code=code)
    form = IndicatorForm(
        posted_form(request, "indicator"),
        initial=_indicator_initial(indicator),
        partnership=partnership,
    )
    delete_error = ""
    if request.method == "POST":
        if request.POST.get("form") == "delete":
            delete_error = run_confirmed(
                request,
                lambda: indicator_delete(indicator=indicator, by=request.user),
                "Tick the box to confirm that the indicator should be deleted.",
            )
            if not delete_error:
                messages.success(request, f"The indicator “{indicator.name}” was deleted.")
                return redirect("performance:indicator_list", slug=partnership.slug)
        elif form.is_bound:
            data_code = form.data.get("code")
            if data_code != indicator.code:
                form.add_error("code", "The code of an indicator cannot change.")
            elif _save_indicator(request, partnership, form, create=False) is not None:
                messages.success(request, f"The indicator “{indicator.name}” was saved.")
                return redirect("performance:indicator_list", slug=partnership.slug)
        else:
            delete_error = "Choose what to do: save the indicator or delete it."
    bad = bool(form.errors or delete_error)
    return render(
        request,
        "performance/indicator_form.html",
        {
            "partnership": partnership,
            "form": form,
            "indicator": indicator,
            "delete_error": delete_error,
        },
        status=400 if bad else 200,
    )


# --- the reporting calendar -----------------------------------------------------------------


class PeriodForm(GovForm):
    label = forms.CharField(
        max_length=20,
        label="Quarter",
        help_text="A financial-year quarter, for example 2025/26-Q1 (April to June 2025).",
        error_messages={"required": "Enter the quarter, for example 2025/26-Q1."},
    )
    opens_on = forms.DateField(
        label="Returns open on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For example 2025-07-01.",
        error_messages={"required": "Enter the opening date.", "invalid": "Enter a real date, "
                        "for example 2025-07-01."},
    )  # fmt: skip
    deadline = forms.DateField(
        label="Deadline",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For example 2025-07-21.",
        error_messages={"required": "Enter the deadline.", "invalid": "Enter a real date, for "
                        "example 2025-07-21."},
    )  # fmt: skip


@partnership_view("performance.view", post=True)
def calendar(request, partnership):
    """The reporting calendar: every quarter with its opening date and deadline; analysts add
    quarters, move their dates, and delete a quarter nobody has started."""
    may_manage = can(request.user, "performance.manage", partnership)
    if request.method == "POST" and not may_manage:
        raise PermissionDenied("Not allowed: performance.manage")
    form = PeriodForm(posted_form(request, "period"))
    delete_error = ""
    if request.method == "POST":
        if request.POST.get("form") == "delete":
            period = selectors.period_get(partnership=partnership, label=request.POST.get("label"))
            if period is None or not request.POST.get("label"):
                raise Http404("That quarter is not in the calendar")
            delete_error = run_confirmed(
                request,
                lambda: reporting_period_delete(period=period, by=request.user),
                f"Tick the box to confirm that {period.label} should be deleted.",
            )
            if not delete_error:
                messages.success(request, f"{period.label} was taken out of the calendar.")
                return redirect("performance:calendar", slug=partnership.slug)
        elif form.is_bound:
            if form.is_valid():
                data = form.cleaned_data
                try:
                    row = reporting_period_upsert(
                        partnership=partnership,
                        by=request.user,
                        label=data["label"].strip(),
                        opens_on=data["opens_on"],
                        deadline=data["deadline"],
                    )
                except ValidationError as exc:
                    for name, errors in exc.message_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                except ValueError as exc:  # PeriodError: not a quarter at all
                    form.add_error("label", str(exc))
                else:
                    messages.success(request, f"{row.label} is in the calendar.")
                    return redirect("performance:calendar", slug=partnership.slug)
        else:
            delete_error = "Choose what to do: add a quarter or delete one."
    periods = selectors.period_list(partnership=partnership)
    return render(
        request,
        "performance/calendar.html",
        {
            "partnership": partnership,
            "periods": periods,
            "form": form,
            "may_manage": may_manage,
            "delete_error": delete_error,
        },
        status=400 if (form.errors or delete_error) else 200,
    )


# --- the RAG rule -----------------------------------------------------------------------------

#: The rule's four switches, in the order they apply, with what each says on the page.
RAG_SWITCHES = [
    ("red", "red_when_failing", "Assurance is consistently failing the target"),
    ("red", "red_when_concern", "The latest point is special cause concern"),
    ("green", "green_when_passing", "Assurance is consistently passing the target"),
    ("green", "green_when_improvement", "The latest point is special cause improvement"),
]


@partnership_view("performance.view", post=True)
def rag_rule(request, partnership):
    """How the red, amber and green statuses are set, in words, for every member; analysts
    and admins choose which signals make an indicator red or green (audited)."""
    may_manage = can(request.user, "performance.manage", partnership)
    error = ""
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied("Not allowed: performance.manage")
        if request.POST.get("form") != "rule":
            error = "Choose the signals that set each colour, then save the rule."
        else:
            chosen = set(request.POST.getlist("when"))
            rule = RagRule(**{name: name in chosen for _, name, _ in RAG_SWITCHES})
            rag_rule_set(partnership=partnership, by=request.user, rule=rule)
            messages.success(request, f"The RAG rule was saved: {rule.describe()}")
            return redirect("performance:rag_rule", slug=partnership.slug)
    rule = selectors.rag_rule_for(partnership)
    row = PerformanceSettings.objects.filter(partnership=partnership).first()
    return render(
        request,
        "performance/rag_rule.html",
        {
            "partnership": partnership,
            "rule": rule.describe(),
            "default": DEFAULT_RAG_RULE.describe(),
            "is_default": rule == DEFAULT_RAG_RULE,
            "switches": [
                (colour, name, label, getattr(rule, name)) for colour, name, label in RAG_SWITCHES
            ],
            "may_manage": may_manage,
            "error": error,
            "history_url": audit_history_url(request.user, partnership, row) if row else None,
        },
        status=400 if error else 200,
    )
