"""Pages of the performance module: the Board dashboard and its one-page summary, an
indicator with its series, the lead's own page, a return (enter, submit, approve, return,
correct), late returns, and the proposed highlights and challenges."""

from __future__ import annotations

import functools
import json

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from saferstat.analytics import charts
from saferstat.analytics import performance as verdicts
from saferstat.analytics.periods import month_name, parse_period
from saferstat.core.exports import export_response
from saferstat.core.permissions import can, can_correct, can_submit_for, can_view_indicator
from saferstat.core.selectors import partnership_get
from saferstat.core.views_helpers import audit_history_url, error_texts, partnership_view
from saferstat.intelligence import figures
from saferstat.plan.selectors import priority_list

from . import selectors, workflow
from .models import HighlightDecision, ReturnStatus, Source
from .services import (
    dashboard_publish,
    highlight_decide,
    return_approve,
    return_correct,
    return_save,
    return_send_back,
    return_submit,
)

RAG_CHOICES = [("red", "Red"), ("amber", "Amber"), ("green", "Green"), ("none", "No RAG")]


def _period(request, partnership, periods=None):
    period = selectors.period_get(
        partnership=partnership, label=request.GET.get("period"), periods=periods
    )
    if period is None and request.GET.get("period"):
        raise Http404("That period is not in the reporting calendar")
    return period


@partnership_view("performance.view")
def dashboard(request, partnership):
    """The Board dashboard: every indicator by theme and priority, filtered."""
    written = selectors.latest_writes(partnership)
    periods, _, rule, priorities = selectors.definitions(partnership, written)
    period = _period(request, partnership, periods)
    filters = {
        "theme": request.GET.get("theme", ""),
        "lead": request.GET.get("lead", ""),
        "rag": request.GET.get("rag", ""),
    }
    board = (
        selectors.dashboard(
            partnership=partnership,
            period=period,
            user=request.user,
            written=written,
            **filters,
        )
        if period
        else None
    )
    themes = {p.theme.key: p.theme for p in priorities}
    if request.GET.get("format") in {"csv", "xlsx", "ods"} and board is not None:
        return _dashboard_download(request.GET["format"], partnership, period, board.groups)
    printing = request.GET.get("print") == "1"
    return render(
        request,
        "performance/dashboard.html",
        {
            "partnership": partnership,
            "period": period,
            "periods": periods,
            "cards": _cards_html(partnership, period, board, printing) if board else "",
            "filters": filters,
            "themes": list(themes.values()),
            "priorities": priorities,
            "rag_choices": RAG_CHOICES,
            "rule": rule.describe(),
            "can_manage": can(request.user, "performance.manage", partnership),
            "print": printing,
        },
    )


def _cards_html(partnership, period, board, printing: bool) -> str:
    """The dashboard's indicator cards as HTML, rendered once per :class:`Dashboard` key
    (and warehouse version): they are most of the page's cost and the same for every reader
    who sees the same indicators. The template uses nothing but these arguments."""

    def render_cards() -> str:
        return mark_safe(  # noqa: S308 - our own template's output, autoescaped
            render_to_string(
                "performance/partials/_dashboard_cards.html",
                {
                    "partnership": partnership,
                    "period": period,
                    "groups": board.groups,
                    "reader": board.reader,
                    "print": printing,
                },
            )
        )

    return figures.cached((*board.key, printing), render_cards)


def _dashboard_download(fmt, partnership, period, groups):
    header = [
        "theme", "priority", "lead", "code", "indicator", "unit", "period", "value", "status",
        "target", "variation", "assurance", "rag", "rag_rule", "change_on_last_year",
    ]  # fmt: skip
    rows = []
    for group in groups:
        for pg in group.priorities:
            for row in pg.rows:
                v = row.verdict
                rows.append(
                    [
                        group.theme.name,
                        pg.priority.name,
                        pg.lead,
                        row.indicator.code,
                        row.indicator.name,
                        row.indicator.unit,
                        v.period,
                        v.latest.value if v.latest else None,
                        row.status_text,
                        v.target,
                        v.variation_words,
                        v.assurance_words,
                        v.rag_label,
                        v.rag_rule,
                        v.change.words if v.change else "",
                    ]  # fmt: skip
                )
    return export_response(
        fmt,
        header,
        rows,
        filename=f"{partnership.slug}-dashboard-{period.label.replace('/', '-')}",
        sheet_name="Dashboard",
    )


@partnership_view("performance.view")
def summary(request, partnership):
    """The one-page summary a Board member reads in two minutes: counts by RAG, the reds and
    greens with their reasons, and the accepted highlights and challenges."""
    period = _period(request, partnership)
    rows = (
        selectors.indicator_rows(partnership=partnership, period=period, user=request.user)
        if period
        else []
    )
    by_rag = {key: [r for r in rows if r.verdict.rag == key] for key, _ in RAG_CHOICES}
    decisions = (
        HighlightDecision.objects.filter(partnership=partnership, period=period.label)
        .exclude(decision=HighlightDecision.Decision.REJECTED)
        .select_related("indicator", "indicator__partnership", "indicator__dataset")
        if period
        else []
    )
    decisions = [d for d in decisions if can_view_indicator(request.user, d.indicator)]
    return render(
        request,
        "performance/summary.html",
        {
            "partnership": partnership,
            "period": period,
            "by_rag": by_rag,
            "counts": [(label, len(by_rag[key]), key) for key, label in RAG_CHOICES],
            "highlights": [d for d in decisions if d.kind == "highlight"],
            "challenges": [d for d in decisions if d.kind == "challenge"],
            "rule": selectors.rag_rule_for(partnership).describe(),
            "late": selectors.returns_late(partnership=partnership),
        },
    )


def _indicator_and_row(request, partnership, code):
    indicator = selectors.indicator_get(partnership=partnership, code=code, user=request.user)
    period = _period(request, partnership)
    if period is None:
        raise Http404("No reporting calendar yet")
    row = selectors.indicator_rows(partnership=partnership, period=period, indicators=[indicator])[
        0
    ]
    return indicator, period, row


def _table(row) -> list[dict]:
    """The data table beside the chart: every period, its value (or gap) and its limits."""
    spc = row.verdict.spc
    limits = {}
    if spc is not None:
        for segment in spc.segments:
            for month, point in zip(segment.months, segment.chart.points, strict=True):
                limits[month] = point
    out = []
    for p in row.points:
        point = limits.get(p.start)
        out.append(
            {
                "period": p.period,
                "value": p.value,
                "status": p.status,
                "mean": None if point is None else round(point.mean, 3),
                "lpl": None if point is None or point.lpl is None else round(point.lpl, 3),
                "upl": None if point is None or point.upl is None else round(point.upl, 3),
                "point_type": "no value" if point is None else str(point.point_type),
            }
        )
    return out


@partnership_view("performance.view")
def indicator_detail(request, partnership, code: str):
    indicator, period, row = _indicator_and_row(request, partnership, code)
    table = _table(row)
    if request.GET.get("format") in {"csv", "xlsx", "ods"}:
        header = list(table[0]) if table else ["period", "value", "status"]
        return export_response(
            request.GET["format"],
            header,
            [list(r.values()) for r in table],
            filename=f"{partnership.slug}-{indicator.code}",
            sheet_name=indicator.code,
        )
    return render(
        request,
        "performance/indicator_detail.html",
        {
            "partnership": partnership,
            "indicator": indicator,
            "period": period,
            "row": row,
            "table": table,
            "targets": list(indicator.targets.all()),
        },
    )


@functools.lru_cache(maxsize=256)
def _svg(spec_json: str) -> str:
    return charts.render_svg(json.loads(spec_json))


def chart_spec(row, *, width: int = 260, height: int = 120) -> dict:
    indicator, verdict = row.indicator, row.verdict
    rows = []
    limits = {r["period"]: r for r in _table(row)}
    for p in row.points:
        t = limits[p.period]
        segment = None
        if verdict.spc is not None:
            for s in verdict.spc.segments:
                if p.start in s.months:
                    segment = s.number
        rows.append(
            {"period": p.period, "count": p.value, "mean": t["mean"], "lpl": t["lpl"],
             "upl": t["upl"], "segment": segment, "point_type": t["point_type"]}
        )  # fmt: skip
    known = [p.value for p in row.points if p.value is not None]
    description = (
        f"XmR chart of {indicator.name}, {row.points[0].period} to {row.points[-1].period}. "
        f"{verdict.variation_words}. {verdict.assurance_words}."
    )
    if known:
        description += (
            f" Values range from {verdicts.format_value(min(known), indicator.unit)} to "
            f"{verdicts.format_value(max(known), indicator.unit)}."
        )
    gaps = [p.period for p in row.points if p.value is None]
    if gaps:
        description += f" No value for {', '.join(gaps)} (gaps, not zeros)."
    return charts.indicator_xmr_chart(
        rows,
        title=indicator.name,
        description=description,
        target=verdict.target,
        width=width,
        height=height,
    )


@partnership_view("performance.view")
def indicator_chart(request, partnership, code: str):
    _, _, row = _indicator_and_row(request, partnership, code)
    big = request.GET.get("size") == "large"
    spec = chart_spec(row, width=560 if big else 260, height=240 if big else 120)
    svg = _svg(json.dumps(spec, sort_keys=True))
    return HttpResponse(svg, content_type="image/svg+xml")


@partnership_view("performance.view")
def mine(request, partnership):
    """A lead's own page: what they owe, and their returns."""
    return render(
        request,
        "performance/mine.html",
        {
            "partnership": partnership,
            "owed": selectors.returns_owed(partnership=partnership, user=request.user),
            "returns": selectors.returns_of_lead(partnership=partnership, user=request.user),
            "led": [
                p for p in priority_list(partnership=partnership) if p.lead_id == request.user.pk
            ],
            "can_approve": can(request.user, "performance.approve", partnership),
            "today": timezone.localdate(),
        },
    )


@partnership_view("performance.approve")
def late(request, partnership):
    return render(
        request,
        "performance/late.html",
        {
            "partnership": partnership,
            "late": selectors.returns_late(partnership=partnership),
            "awaiting": selectors.returns_awaiting(partnership=partnership),
            "submitted_late": selectors.returns_submitted_late(partnership=partnership),
        },
    )


def _posted_values(request, indicators, months: list[str]) -> tuple[dict, dict]:
    """The values typed: ``value-<code>`` for a quarter, ``value-<code>-<month>`` for each
    month of a monthly indicator; and the notes."""
    values: dict[str, object] = {}
    for i in indicators:
        if i.source != Source.ENTERED:
            continue
        if i.is_monthly:
            values[i.code] = {m: request.POST.get(f"value-{i.code}-{m}", "") for m in months}
        else:
            values[i.code] = request.POST.get(f"value-{i.code}", "")
    notes = {i.code: request.POST.get(f"note-{i.code}", "") for i in indicators}
    return values, notes


def _shown(value) -> str:
    return "" if value is None else f"{value:g}"


@partnership_view("performance.view", post=True)
def return_detail(request, partnership, return_id: int):
    ret = selectors.return_get(partnership=partnership, return_id=return_id)
    indicators = selectors.visible(
        request.user,
        list(ret.priority.indicators.select_related("partnership", "dataset__partnership")),
    )
    months = parse_period(ret.period.label).months
    lines = {(line.indicator_id, line.month): line for line in ret.lines.all()}
    is_lead = can_submit_for(request.user, ret.priority)
    can_approve = can(request.user, "performance.approve", partnership)
    may_correct = can_correct(request.user, ret.priority) and ret.is_signed_off
    errors: dict[str, str] = {}
    posted = None
    if request.method == "POST":
        if not (is_lead or can_approve or can_correct(request.user, ret.priority)):
            raise PermissionDenied("Only the priority's lead and the analysts act on a return.")
        action = request.POST.get("action")
        values, notes = _posted_values(request, indicators, months)
        posted = {
            "values": values,
            "notes": notes,
            "commentary": request.POST.get("commentary", ""),
        }
        try:
            if action in {"save", "submit"}:
                if not is_lead:
                    raise PermissionDenied("Only the priority's lead can enter its return.")
                service = return_submit if action == "submit" else return_save
                service(
                    ret=ret,
                    by=request.user,
                    values=values,
                    notes=notes,
                    commentary=posted["commentary"],
                )
                done = "Return submitted to the analyst." if action == "submit" else "Draft saved."
            elif action == "approve":
                return_approve(ret=ret, by=request.user, comment=request.POST.get("comment", ""))
                done = "Return approved: its values now count on the dashboard."
            elif action == "return":
                return_send_back(ret=ret, by=request.user, comment=request.POST.get("comment", ""))
                done = "Return sent back to the lead with your comment."
            elif action == "correct":
                return_correct(
                    ret=ret, by=request.user, values=values, reason=request.POST.get("reason", "")
                )
                done = "Correction saved; the earlier values are kept in the history."
            else:
                raise ValidationError("Choose what to do with the return.")
        except ValidationError as exc:
            errors = error_texts(exc, field="return")
        else:
            messages.success(request, done)
            return redirect("performance:return", slug=partnership.slug, return_id=ret.pk)
    editable = is_lead and ret.status in workflow.EDITABLE
    form_rows = []
    for indicator in indicators:
        monthly = indicator.is_monthly and indicator.source == Source.ENTERED
        line = lines.get((indicator.pk, months[0] if monthly else ""))
        value = "" if line is None else _shown(line.value)
        note = "" if line is None else line.note
        if posted is not None:
            value = posted["values"].get(indicator.code, value)
            note = posted["notes"].get(indicator.code, note)
        month_rows = []
        if monthly:  # three inputs, one per month of the quarter
            typed = value if isinstance(value, dict) else {}
            for month in months:
                line = lines.get((indicator.pk, month))
                month_rows.append(
                    {
                        "month": month,
                        "name": month_name(month),
                        "value": typed.get(month, "" if line is None else _shown(line.value)),
                        "error": errors.get(f"{indicator.code}:{month}", ""),
                    }
                )
            value = ""
        form_rows.append(
            {
                "indicator": indicator,
                "value": value,
                "months": month_rows,
                "note": note,
                "error": errors.get(indicator.code, ""),
            }
        )
    return render(
        request,
        "performance/return_detail.html",
        {
            "partnership": partnership,
            "ret": ret,
            "rows": form_rows,
            "commentary": posted["commentary"] if posted else ret.commentary,
            "editable": editable,
            "can_decide": can_approve and ret.status == ReturnStatus.SUBMITTED,
            "may_correct": may_correct,
            "events": list(ret.events.select_related("actor")),
            "errors": errors,
            "history_url": audit_history_url(request.user, partnership, ret),
        },
        status=400 if errors else 200,
    )


@partnership_view("performance.approve", post=True)
def highlights(request, partnership):
    """Proposed highlights and challenges from the verdicts; the analyst decides each."""
    period = _period(request, partnership)
    if period is None:
        raise Http404("No reporting calendar yet")
    rows = selectors.indicator_rows(partnership=partnership, period=period, user=request.user)
    proposals = []
    for row in rows:
        for p in verdicts.propose(
            row.indicator.code, row.indicator.name, row.verdict, row.indicator.unit
        ):
            proposals.append((row.indicator, p))
    decided = {
        (d.indicator_id, d.kind): d
        for d in HighlightDecision.objects.filter(partnership=partnership, period=period.label)
    }
    errors = {}
    if request.method == "POST":
        code, kind = request.POST.get("code", ""), request.POST.get("kind", "")
        match = next(((i, p) for i, p in proposals if i.code == code and p.kind == kind), None)
        if match is None:
            raise Http404("No such proposal")
        try:
            highlight_decide(
                indicator=match[0], by=request.user, period=period.label, kind=kind,
                proposed_text=match[1].text, evidence=match[1].evidence,
                decision=request.POST.get("decision", ""), text=request.POST.get("text", ""),
            )  # fmt: skip
        except ValidationError as exc:
            errors = error_texts(exc, field="return")
        else:
            messages.success(request, "Decision recorded.")
            return redirect(f"{request.path}?period={period.label}")
    return render(
        request,
        "performance/highlights.html",
        {
            "partnership": partnership,
            "period": period,
            "periods": selectors.period_list(partnership=partnership),
            "items": [(i, p, decided.get((i.pk, p.kind))) for i, p in proposals],
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- the public dashboard -------------------------------------------------------------------


def public(request, slug: str):
    """The public dashboard: open to everyone once the partnership publishes it; members see
    it before that as a preview; the partnership's admins publish and unpublish it here."""
    partnership = partnership_get(slug=slug)
    published = selectors.dashboard_published(partnership)
    member = can(request.user, "performance.view", partnership)
    if not (published or member):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("Not allowed: performance.view")
    if request.method not in public.saferstat_methods:
        return HttpResponseNotAllowed(public.saferstat_methods)
    may_publish = can(request.user, "performance.publish", partnership)
    if request.method == "POST":
        if not may_publish:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied("Only the partnership's admins publish the dashboard")
        choice = request.POST.get("published")
        if choice not in ("0", "1"):
            return HttpResponseBadRequest("Choose publish or unpublish.")
        dashboard_publish(partnership=partnership, by=request.user, published=choice == "1")
        messages.success(
            request,
            "The public dashboard is published: everyone can read it."
            if choice == "1"
            else "The public dashboard is unpublished: only members can read it.",
        )
        return redirect("performance:public", slug=partnership.slug)
    from saferstat.reports.selectors import policy_for  # the partnership's disclosure rule

    policy = policy_for(partnership)
    period = _period(request, partnership)
    groups = (
        selectors.public_dashboard(partnership=partnership, period=period, policy=policy)
        if period
        else []
    )
    return render(
        request,
        "performance/public.html",
        {
            "partnership": partnership,
            "period": period,
            "periods": selectors.period_list(partnership=partnership),
            "groups": groups,
            "published": published,
            "member": member,
            "may_publish": may_publish,
            "rule": selectors.rag_rule_for(partnership).describe(),
            "policy": policy.describe(),
        },
    )


public.saferstat_methods = ("GET", "HEAD", "POST")
