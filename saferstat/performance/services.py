"""Writes for indicators, the reporting calendar and quarterly returns. Each one checks its
permission (`saferstat.core.permissions`) and is audited inside its transaction.

A return moves: not started -> draft -> submitted -> approved (or returned -> draft ->
submitted ...); an approved return can be corrected, with a reason, which keeps the old
values in its history (status "approved, then corrected").
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from saferstat.analytics.indicator_values import (  # noqa: F401 (ERR_* re-exported)
    ERR_NEGATIVE,
    ERR_NUMBER,
    ERR_PERCENT,
    ERR_WHOLE,
    check_value,
    parse_number,
)
from saferstat.analytics.performance import RagRule
from saferstat.analytics.periods import parse_period
from saferstat.analytics.policeuk import CRIME_TYPES
from saferstat.core import audit
from saferstat.core.models import Partnership, User
from saferstat.core.permissions import can_correct, can_submit_for, require
from saferstat.core.sanitise import clean_plain, clean_rich_text
from saferstat.plan.models import Priority

from . import workflow
from .models import (
    Frequency,
    HighlightDecision,
    Indicator,
    PerformanceSettings,
    ReportingPeriod,
    Return,
    ReturnEvent,
    ReturnLine,
    ReturnStatus,
    Source,
    Target,
)
from .reminders import REMIND_DAYS, ReturnReminders, chase, owed_filter  # noqa: F401 (REMIND_DAYS re-exported)
from .workflow import EDITABLE, ERR_COMMENT, ERR_REASON, ERR_STATUS  # noqa: F401 (re-exported)

ERR_REQUIRED = "Enter a value before submitting (or save a draft)."
ERR_NOT_LEAD = "Only the priority's lead can enter and submit its return."
ERR_UNKNOWN_CODE = "{code} is not an indicator of this return."
ERR_CODE_USED = "An indicator with the code {code} exists already: choose another code."
ERR_HAS_VALUES = (
    "This indicator has values in {n} return{s}: it cannot be deleted (its history is kept). "
    "Take it off the public dashboard or move it to another priority instead."
)
ERR_PERIOD_STARTED = (
    "{n} return{s} for {label} {has} been started: a quarter with returns in it cannot be "
    "deleted. Move its dates instead."
)
ERR_FREQUENCY_USED = (
    "This indicator has entered values: its frequency cannot change (its history would no "
    "longer match). Define a new indicator for the other frequency instead."
)
ERR_MONTHS = (
    "{code} is reported monthly: give a value for each month of {quarter} by month, "
    'for example {{"{first}": 12}}.'
)
ERR_NOT_MONTHLY = "{code} is reported quarterly: give one value for the quarter, not months."
ERR_MONTH_OUTSIDE = "{month} is not a month of {quarter} (its months are {months})."
ERR_QUARTERLY_DATASET = (
    "{name} holds a count per quarter, so it cannot give a value per month: choose "
    "quarterly, or a dataset with monthly periods."
)
#: Codes that are addresses of pages under indicators/.
RESERVED_CODES = frozenset({"new"})


# --- indicators and calendar ----------------------------------------------------------------


def _check_partner_source(
    partnership: Partnership, source: str, dataset, column: str, values: list[str]
) -> tuple[str, list[str]]:
    """The category column and values of a partner dataset indicator, as the dataset spells
    them (``("", [])`` for any other source or no filter).

    Raises:
        ValidationError: no dataset, another partnership's, a column that is not one of its
            category columns, a filter without values or values the column does not allow.
    """
    if source != Source.PARTNER:
        if dataset is not None or column or values:
            raise ValidationError(
                {"dataset": "Only an indicator computed from a partner dataset names one."}
            )
        return "", []
    if dataset is None:
        raise ValidationError({"dataset": "Choose the partner dataset it is computed from."})
    if dataset.partnership_id != partnership.pk:
        raise ValidationError({"dataset": "The dataset belongs to another partnership."})
    column = (column or "").strip()
    values = [v.strip() for v in values if v and v.strip()]
    if not column:
        if values:
            raise ValidationError({"category_column": "Choose the category column to filter on."})
        return "", []
    schema = dataset.dataset_schema()
    declared = {c.casefold(): c for c in schema.category_columns}
    if column.casefold() not in declared:
        have = ", ".join(schema.category_columns) or "none"
        raise ValidationError(
            {"category_column": f"{dataset.name} has no category column {column!r} "
             f"(its category columns: {have})."}
        )  # fmt: skip
    column = declared[column.casefold()]
    if not values:
        raise ValidationError({"categories": f"Give the values of {column} to count."})
    allowed = {a.casefold(): a for a in schema.column(column).allowed}
    if allowed:
        unknown = [v for v in values if v.casefold() not in allowed]
        if unknown:
            raise ValidationError(
                {"categories": f"{column} has no value {', '.join(map(repr, unknown))} "
                 f"(allowed: {', '.join(allowed.values())})."}
            )  # fmt: skip
        values = [allowed[v.casefold()] for v in values]
    return column, list(dict.fromkeys(values))


@transaction.atomic
def indicator_upsert(
    *,
    partnership: Partnership,
    by: User,
    priority: Priority,
    code: str,
    name: str,
    definition: str,
    unit: str,
    polarity: str,
    frequency: str = "quarterly",
    source: str = Source.ENTERED,
    crime_types: list[str] | None = None,
    dataset=None,
    category_column: str = "",
    categories: list[str] | None = None,
    is_demo: bool = False,
    order: int = 0,
    targets: Mapping[str, float] | None = None,
    rebases: Mapping[str, str] | None = None,
    public: bool | None = None,
    create: bool | None = None,
) -> Indicator:
    """Define an indicator (or change it). ``targets`` ``{from period: value}`` replace the
    indicator's targets; ``rebases`` ``{period: reason}`` need a reason each; ``public``
    (None: unchanged) shows it on the public dashboard. ``create`` True refuses a code
    already in use, False an unknown one (None: either). A partner dataset indicator names
    one of the partnership's ``dataset`` s (an ``intelligence.PartnerDataset``) and, to count
    only some records, one of its category columns and the values counted."""
    require(by, "performance.manage", partnership)
    exists = Indicator.objects.filter(partnership=partnership, code=code).exists()
    if create is True and exists:
        raise ValidationError({"code": ERR_CODE_USED.format(code=code)})
    if create is False and not exists:
        raise ValidationError({"code": "No indicator has this code."})
    if code in RESERVED_CODES:
        raise ValidationError({"code": f"{code!r} is a reserved word: choose another code."})
    if priority.partnership.pk != partnership.pk:
        raise ValidationError({"priority": "The priority belongs to another partnership."})
    for label, reason in (rebases or {}).items():
        parse_period(label)
        if not clean_plain(reason):
            raise ValidationError({"rebases": f"Rebasing at {label} needs a stated reason."})
    unknown = [t for t in crime_types or [] if t not in CRIME_TYPES]
    if unknown:
        raise ValidationError({"crime_types": f"Unknown police.uk categories: {unknown}"})
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": "Choose monthly or quarterly."})
    category_column, categories = _check_partner_source(
        partnership, source, dataset, category_column, categories or []
    )
    if (
        frequency == Frequency.MONTHLY
        and source == Source.PARTNER
        and dataset.dataset_schema().granularity != "month"
    ):
        raise ValidationError({"frequency": ERR_QUARTERLY_DATASET.format(name=dataset.name)})
    indicator = Indicator.objects.filter(partnership=partnership, code=code).first()
    if (
        indicator is not None
        and indicator.frequency != frequency
        and ReturnLine.objects.filter(indicator=indicator, value__isnull=False).exists()
    ):
        raise ValidationError({"frequency": ERR_FREQUENCY_USED})
    before = audit.snapshot(indicator) if indicator else None
    indicator = indicator or Indicator(partnership=partnership, code=code)
    indicator.priority = priority
    indicator.name = clean_plain(name)[:200]
    indicator.definition = clean_plain(definition)
    indicator.unit, indicator.polarity = unit, polarity
    indicator.frequency, indicator.source = frequency, source
    indicator.crime_types = list(crime_types or []) if source == Source.POLICEUK else []
    indicator.dataset = dataset if source == Source.PARTNER else None
    indicator.category_column, indicator.categories = category_column, categories
    indicator.rebases = {k: clean_plain(v) for k, v in (rebases or {}).items()}
    indicator.is_demo, indicator.order = is_demo, order
    if public is not None:
        indicator.public = public
    indicator.full_clean()
    indicator.save()
    after = audit.snapshot(indicator)
    if targets is not None:
        for label in targets:
            parse_period(label)
        if before is not None:
            before["targets"] = {t.from_period: t.value for t in indicator.targets.all()}
        indicator.targets.all().delete()
        Target.objects.bulk_create(
            Target(indicator=indicator, from_period=k, value=float(v)) for k, v in targets.items()
        )
        after["targets"] = {k: float(v) for k, v in targets.items()}
    audit.record_saved(
        actor=by,
        noun="indicator",
        obj=indicator,
        partnership=partnership,
        before=before,
        after=after,
    )
    return indicator


@transaction.atomic
def reporting_period_upsert(
    *, partnership: Partnership, by: User, label: str, opens_on: dt.date, deadline: dt.date
) -> ReportingPeriod:
    """Add a quarter to the reporting calendar (or move its dates), and open a return for
    every priority of the partnership that has none for it."""
    require(by, "performance.manage", partnership)
    period = parse_period(label)
    if period.kind != "quarter":
        raise ValidationError({"label": "The calendar is quarterly: write 2024/25-Q1."})
    if deadline < opens_on:
        raise ValidationError({"deadline": "The deadline must be on or after the opening date."})
    row = ReportingPeriod.objects.filter(partnership=partnership, label=period.label).first()
    before = audit.snapshot(row) if row else None
    row = row or ReportingPeriod(partnership=partnership, label=period.label)
    row.start_month, row.opens_on, row.deadline = period.start, opens_on, deadline
    row.save()
    for priority in Priority.objects.filter(theme__plan__partnership=partnership):
        Return.objects.get_or_create(partnership=partnership, priority=priority, period=row)
    audit.record(
        actor=by,
        verb="reporting_period.set",
        obj=row,
        partnership=partnership,
        before=before,
        after=audit.snapshot(row),
    )
    return row


@transaction.atomic
def indicator_delete(*, indicator: Indicator, by: User) -> None:
    """Delete an indicator that has no value in any return (empty lines go with it)."""
    partnership = indicator.partnership
    require(by, "performance.manage", partnership)
    lines = ReturnLine.objects.filter(indicator=indicator)
    used = lines.exclude(value__isnull=True, note="").count()
    if used:
        raise ValidationError(ERR_HAS_VALUES.format(n=used, s="s" if used != 1 else ""))
    before = audit.snapshot(indicator)
    before["targets"] = {t.from_period: t.value for t in indicator.targets.all()}
    lines.delete()
    audit.record(
        actor=by, verb="indicator.delete", obj=indicator, partnership=partnership, before=before
    )
    indicator.delete()


@transaction.atomic
def reporting_period_delete(*, period: ReportingPeriod, by: User) -> None:
    """Take a quarter out of the calendar, with its returns, when none has been started."""
    partnership = period.partnership
    require(by, "performance.manage", partnership)
    started = period.returns.exclude(status=ReturnStatus.NOT_STARTED).count()
    if started:
        raise ValidationError(
            ERR_PERIOD_STARTED.format(
                n=started,
                s="s" if started != 1 else "",
                label=period.label,
                has="has" if started == 1 else "have",
            )  # fmt: skip
        )
    before = audit.snapshot(period)
    ReturnLine.objects.filter(ret__period=period).delete()
    period.returns.all().delete()
    audit.record(
        actor=by, verb="reporting_period.delete", obj=period, partnership=partnership, before=before
    )
    period.delete()


@transaction.atomic
def dashboard_publish(
    *, partnership: Partnership, by: User, published: bool
) -> PerformanceSettings:
    """Publish the public dashboard (or take it down): its public indicators, approved values
    only, disclosure-controlled, open to everyone."""
    require(by, "performance.publish", partnership)
    row, _ = PerformanceSettings.objects.get_or_create(partnership=partnership)
    fields = ["published", "published_at", "published_by"]
    before = audit.snapshot(row, fields)
    row.published = published
    row.published_at = timezone.now() if published else None
    row.published_by = by if published else None
    row.save()
    audit.record(
        actor=by,
        verb="performance.publish" if published else "performance.unpublish",
        obj=row,
        partnership=partnership,
        before=before,
        after=audit.snapshot(row, fields),
    )
    return row


@transaction.atomic
def rag_rule_set(*, partnership: Partnership, by: User, rule: RagRule) -> PerformanceSettings:
    require(by, "performance.manage", partnership)
    settings_row, _ = PerformanceSettings.objects.get_or_create(partnership=partnership)
    before = audit.snapshot(settings_row, ["rag_rule"])
    settings_row.rag_rule = rule.as_dict()
    settings_row.save()
    audit.record(
        actor=by,
        verb="performance.rag_rule_set",
        obj=settings_row,
        partnership=partnership,
        before=before,
        after=audit.snapshot(settings_row, ["rag_rule"]),
    )
    return settings_row


# --- returns --------------------------------------------------------------------------------


def entered_indicators(ret: Return) -> list[Indicator]:
    """The indicators of the return's priority whose value the lead enters."""
    return [i for i in ret.priority.indicators.all() if i.source == Source.ENTERED]


def _one_value(raw: object, indicator: Indicator, required: bool) -> tuple[float | None, str]:
    """One typed value: ``(number or None, "")`` or ``(None, why not)``."""
    number = parse_number(raw)
    if number is None:
        return None, ERR_REQUIRED if required else ""
    if isinstance(number, str):
        return None, number
    if why := check_value(number, indicator.unit):
        return None, why
    return number, ""


def clean_values(
    indicators: list[Indicator],
    values: Mapping[str, object],
    *,
    required: bool,
    quarter: str = "",
) -> tuple[dict[str, object], dict[str, str]]:
    """Check the values typed for each indicator (the form and the API both use this).

    A quarterly indicator takes one value; a monthly one a value for each month of the
    return's ``quarter`` (``{"2024-04": 12, "2024-05": 9, "2024-06": 11}``), each checked
    like a quarter's value. Returns ``(values by code, errors)``: a blank value is None (an
    error when ``required``); a monthly indicator's values are ``{month: value}``. Errors
    are keyed by code, or ``code:month`` for a month's value. Codes that are not entered
    indicators of the return, and months outside its quarter, are errors too.
    """
    months = parse_period(quarter).months if quarter else []
    by_code = {i.code: i for i in indicators}
    cleaned: dict[str, object] = {}
    errors: dict[str, str] = {}
    for code in values:
        if code not in by_code:
            errors[code] = ERR_UNKNOWN_CODE.format(code=code)
    for code, indicator in by_code.items():
        raw = values.get(code)
        if indicator.is_monthly:
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                raw = {}
            if not isinstance(raw, Mapping):
                errors[code] = ERR_MONTHS.format(
                    code=code, quarter=quarter, first=months[0] if months else "2024-04"
                )
                continue
            for month in raw:
                if month not in months:
                    errors[f"{code}:{month}"] = ERR_MONTH_OUTSIDE.format(
                        month=month, quarter=quarter, months=", ".join(months)
                    )
            by_month: dict[str, float | None] = {}
            for month in months:
                number, why = _one_value(raw.get(month), indicator, required)
                if why:
                    errors[f"{code}:{month}"] = why
                else:
                    by_month[month] = number
            cleaned[code] = by_month
            continue
        if isinstance(raw, Mapping):
            errors[code] = ERR_NOT_MONTHLY.format(code=code)
            continue
        number, why = _one_value(raw, indicator, required)
        if why:
            errors[code] = why
        else:
            cleaned[code] = number
    return cleaned, errors


def return_values(lines) -> dict[str, object]:
    """A return's values by indicator code: a quarter's value, or ``{month: value}`` for a
    monthly indicator (as the history, the audit log and the API keep them)."""
    out: dict[str, object] = {}
    for line in lines:
        if line.month:
            by_month = out.setdefault(line.indicator.code, {})
            if isinstance(by_month, dict):
                by_month[line.month] = line.value
        else:
            out.setdefault(line.indicator.code, line.value)
    return out


def rich_commentary(text: str) -> str:
    """Commentary as safe rich text: plain text (no tags) becomes paragraphs; HTML keeps
    only the allowed formatting (`saferstat.core.sanitise.clean_rich_text`)."""
    text = (text or "").strip()
    if text and "<" not in text:
        paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
        text = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return clean_rich_text(text)


def _state(ret: Return) -> dict:
    return {
        "status": ret.status,
        "values": return_values(ret.lines.select_related("indicator")),
    }


def _write_lines(ret: Return, values: Mapping[str, object], notes: Mapping[str, str]):
    """Write the values given (a monthly indicator's month by month: the months not given
    keep theirs) and the notes (a monthly indicator's note on each of its month lines)."""
    months = parse_period(ret.period.label).months
    for indicator in ret.priority.indicators.all():
        entered = indicator.source == Source.ENTERED
        if entered and indicator.is_monthly:
            given = values.get(indicator.code) or {}
            targets = [(month, given) for month in months]
        else:
            targets = [("", values)]
        for month, source in targets:
            line, _ = ReturnLine.objects.get_or_create(ret=ret, indicator=indicator, month=month)
            key = month or indicator.code
            if entered and key in source:
                line.value = source[key]
            if indicator.code in notes:
                line.note = clean_plain(notes[indicator.code])[:2000]
            line.save()


def _finish(ret: Return, by: User | None, verb: str, before: dict, comment: str = "") -> Return:
    return workflow.record_step(
        ret,
        events=ReturnEvent,
        audit_prefix="return",
        by=by,
        verb=verb,
        before=before,
        after=_state(ret),
        comment=comment,
    )


def _check_lead(ret: Return, by: User) -> None:
    if not can_submit_for(by, ret.priority):
        raise PermissionDenied(ERR_NOT_LEAD)


@transaction.atomic
def return_save(
    *,
    ret: Return,
    by: User,
    values: Mapping[str, object],
    commentary: str = "",
    notes: Mapping[str, str] | None = None,
) -> Return:
    """Save the lead's values and commentary as a draft (blank values allowed)."""
    ret = Return.objects.select_for_update().get(pk=ret.pk)
    _check_lead(ret, by)
    workflow.check_status(ret, EDITABLE, "changed")
    cleaned, errors = clean_values(
        entered_indicators(ret), values, required=False, quarter=ret.period.label
    )
    if errors:
        raise ValidationError(errors)
    before = _state(ret)
    _write_lines(ret, cleaned, notes or {})
    ret.commentary = rich_commentary(commentary)
    workflow.mark_draft(ret)
    ret.save()
    return _finish(ret, by, "save", before)


@transaction.atomic
def return_submit(
    *,
    ret: Return,
    by: User,
    values: Mapping[str, object],
    commentary: str = "",
    notes: Mapping[str, str] | None = None,
) -> Return:
    """Save and submit the return to the analyst: every entered indicator needs a value."""
    ret = Return.objects.select_for_update().get(pk=ret.pk)
    _check_lead(ret, by)
    workflow.check_status(ret, EDITABLE, "submitted")
    cleaned, errors = clean_values(
        entered_indicators(ret), values, required=True, quarter=ret.period.label
    )
    if errors:
        raise ValidationError(errors)
    before = _state(ret)
    _write_lines(ret, cleaned, notes or {})
    ret.commentary = rich_commentary(commentary)
    workflow.mark_submitted(ret, by)
    ret.save()
    return _finish(ret, by, "submit", before)


@transaction.atomic
def return_approve(*, ret: Return, by: User, comment: str = "") -> Return:
    """The analyst signs the submitted return off: its values count on the dashboard."""
    ret = Return.objects.select_for_update().get(pk=ret.pk)
    require(by, "performance.approve", ret.partnership)
    before = _state(ret)
    comment = workflow.mark_approved(ret, by, comment)  # refuses unless submitted
    ret.save()
    return _finish(ret, by, "approve", before, comment)


@transaction.atomic
def return_send_back(*, ret: Return, by: User, comment: str) -> Return:
    """The analyst returns the submitted return to the lead with a comment."""
    ret = Return.objects.select_for_update().get(pk=ret.pk)
    require(by, "performance.approve", ret.partnership)
    before = _state(ret)
    comment = workflow.mark_returned(ret, by, comment)
    ret.save()
    return _finish(ret, by, "return", before, comment)


def _given(value: object) -> bool:
    return str("" if value is None else value).strip() != ""


@transaction.atomic
def return_correct(*, ret: Return, by: User, values: Mapping[str, object], reason: str) -> Return:
    """Correct values of a signed-off return with a reason. The old values stay in the
    return's history and the audit log; the new ones count from now on."""
    ret = Return.objects.select_for_update().get(pk=ret.pk)
    if not can_correct(by, ret.priority):
        raise PermissionDenied("Only the priority's lead or an analyst can correct a return.")
    workflow.check_status(ret, workflow.SIGNED_OFF, "corrected")
    reason = clean_plain(reason)
    if not reason:
        raise ValidationError({"reason": ERR_REASON})
    given = {}
    for code, v in values.items():
        if isinstance(v, Mapping):  # a monthly indicator: only the months given change
            v = {m: x for m, x in v.items() if _given(x)}
            if v:
                given[code] = v
        elif _given(v):
            given[code] = v
    cleaned, errors = clean_values(
        entered_indicators(ret), given, required=False, quarter=ret.period.label
    )
    if errors:
        raise ValidationError(errors)
    changed = {}
    for code, v in cleaned.items():
        if isinstance(v, dict):
            v = {m: x for m, x in v.items() if x is not None}
            if v:
                changed[code] = v
        elif v is not None:
            changed[code] = v
    if not changed:
        raise ValidationError({"values": "Enter at least one corrected value."})
    before = _state(ret)
    _write_lines(ret, changed, {})
    workflow.mark_corrected(ret, reason)
    ret.save()
    return _finish(ret, by, "correct", before, reason)


# --- reminders ------------------------------------------------------------------------------

INDICATOR_REMINDERS = ReturnReminders(
    events=ReturnEvent,
    audit_verb="return.remind",
    recipient=lambda ret: ret.priority.lead.email,
    subject=lambda ret: (
        f"{ret.partnership.name}: {ret.priority.name} return for {ret.period.label}"
    ),
    what=lambda ret: f"The quarterly return for {ret.priority.name} ({ret.period.label})",
    path=lambda ret: f"/p/{ret.partnership.slug}/performance/returns/{ret.pk}/",
)


@transaction.atomic
def reminders_send(*, today: dt.date | None = None, partnership=None) -> list[Return]:
    """Email the lead of every indicator return that is still owed: once in the week before
    its deadline, and once a week after it (the shared machinery of `reminders.py`, which
    monitoring returns use too). Returns the returns chased. Run daily by the scheduled task
    (``performance.tasks.send_return_reminders``)."""
    today = today or timezone.localdate()
    owed = (
        Return.objects.filter(**owed_filter(today))
        .exclude(priority__lead__isnull=True)
        .exclude(priority__lead__email="")
        .select_related("period", "priority", "priority__lead", "partnership")
    )
    if partnership is not None:
        owed = owed.filter(partnership=partnership)
    return chase(owed, INDICATOR_REMINDERS, today=today)


#: The scheduled job's name on the jobs page (`governance.models.JOB_LABELS`).
REMINDER_JOB = "performance.reminders"


def reminders_run(*, partnership: Partnership, today: dt.date | None = None):
    """Today's quarterly return reminders for one partnership, kept as a `governance.JobRun`
    (shown on /p/<slug>/governance/jobs/ with the other scheduled jobs), as the governance
    reminders and the retention job keep theirs. The run says how many reminders went; a
    failure is kept on the run (and raised for the worker's log)."""
    from saferstat.governance.jobs import scheduled_run

    today = today or timezone.localdate()
    with scheduled_run(
        partnership=partnership,
        job=REMINDER_JOB,
        verb="return_reminders.run",
        actor_label="scheduled reminders",
    ) as run:
        chased = reminders_send(today=today, partnership=partnership)
        run.detail = f"{len(chased)} quarterly return reminder(s)"
    run.chased = chased
    return run


def reminders_run_all(today: dt.date | None = None) -> list:
    """`reminders_run` for every partnership (the daily task)."""
    return [reminders_run(partnership=p, today=today) for p in Partnership.objects.all()]


# --- highlights and challenges --------------------------------------------------------------


@transaction.atomic
def highlight_decide(
    *,
    indicator: Indicator,
    by: User,
    period: str,
    kind: str,
    proposed_text: str,
    evidence: str,
    decision: str,
    text: str = "",
) -> HighlightDecision:
    """Accept, edit (with new wording) or reject a proposed highlight or challenge."""
    require(by, "performance.approve", indicator.partnership)
    if decision not in HighlightDecision.Decision.values:
        raise ValidationError({"decision": "Choose accept, edit or reject."})
    if kind not in ("highlight", "challenge"):
        raise ValidationError({"kind": "Unknown kind."})
    text = clean_plain(text)
    if decision == HighlightDecision.Decision.EDITED and not text:
        raise ValidationError({"text": "Write the new wording."})
    row = HighlightDecision.objects.filter(indicator=indicator, period=period, kind=kind).first()
    before = audit.snapshot(row, ["decision", "text"]) if row else None
    row = row or HighlightDecision(
        partnership=indicator.partnership, indicator=indicator, period=period, kind=kind
    )
    row.proposed_text, row.evidence = proposed_text, evidence
    row.decision, row.decided_by = decision, by
    row.text = text if decision == HighlightDecision.Decision.EDITED else ""
    row.save()
    audit.record(
        actor=by,
        verb="highlight.decide",
        obj=row,
        partnership=indicator.partnership,
        before=before,
        after=audit.snapshot(row, ["decision", "text", "proposed_text", "evidence"]),
    )
    return row
