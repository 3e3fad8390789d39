"""Charts for the intelligence pages: comparison (dot + interval), funnel plot, SPC, harm.

Each builder returns a :class:`Figure`: the Vega-Lite specification (Altair), its title and
text description, and the data table to show beside it (every chart has one). Render with
:meth:`Figure.svg` (vl-convert, as :func:`saferstat.analytics.charts.render_svg`).
Colours are colour-blind safe: the Okabe-Ito palette for above/below, and the Making Data
Count SPC colours (blue improvement, orange concern, grey common cause).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import altair as alt

from saferstat.analytics.charts import (
    FONT,
    HEADING_SIZE,
    LABEL_SIZE,
    SPC_COLOURS,
    SPC_LABELS,
    TITLE_SIZE,
    render_svg,
)
from saferstat.analytics.periods import add_months, month_runs
from saferstat.analytics.spc import Polarity

if TYPE_CHECKING:
    from saferstat.analytics.compare import Comparison
    from saferstat.analytics.harm import HarmEstimate
    from saferstat.analytics.spc_series import SpcSeries

#: Okabe-Ito colours: vermillion, blue, grey.
SIGNIFICANCE_COLOURS = {"above": "#d55e00", "below": "#0072b2", "similar": "#7b7d7d"}
SIGNIFICANCE_LABELS = {
    "above": "Significantly above",
    "below": "Significantly below",
    "similar": "Not significantly different",
}
#: Making Data Count / NHSRplotthedots point colours.
SPC_LEGEND = (
    "Dots: blue = special cause improvement, orange = special cause concern, grey = common "
    "cause (Making Data Count). Solid line: mean; dashed: process limits (mean ± 2.66 × mean "
    "moving range); dotted: 2-sigma lines."
)
INK = "#0b0c0c"


@dataclass(frozen=True)
class Figure:
    """A chart and its data table."""

    spec: dict[str, Any]
    title: str
    description: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    notes: tuple[str, ...] = field(default=())

    def svg(self) -> str:
        """The chart as SVG with ``<title>`` and ``<desc>``."""
        return render_svg(self.spec)


def finish_chart(chart: alt.TopLevelMixin, title: str, description: str, **size: int) -> dict:
    """Title (anchored left), description, size and the house font; -> Vega-Lite dict."""
    return (
        chart.properties(
            title=alt.TitleParams(text=title, anchor="start"), description=description, **size
        )
        .configure(font=FONT)
        .configure_axis(
            labelFont=FONT, titleFont=FONT, labelFontSize=LABEL_SIZE, titleFontSize=TITLE_SIZE
        )
        .configure_legend(
            labelFont=FONT,
            titleFont=FONT,
            labelFontSize=LABEL_SIZE,
            titleFontSize=TITLE_SIZE,
            orient="bottom",
            direction="vertical",
        )
        .configure_title(font=FONT, fontSize=HEADING_SIZE)
        .to_dict()
    )


def _figure(spec: dict, title: str, description: str, rows: Sequence[dict], notes=()) -> Figure:
    columns = tuple(rows[0]) if rows else ()
    return Figure(spec, title, description, columns, tuple(rows), tuple(notes))


# --- comparison --------------------------------------------------------------------------


def comparison_chart(comparison: Comparison, *, width: int = 520) -> Figure:
    """Dot and interval chart of each area's rate, with the group rate as a dashed line."""
    c = comparison
    rows = c.table()
    values = [
        {
            **row,
            "label": f"{row['name']} (partnership)" if row["is_focus"] else row["name"],
            "significance_label": SIGNIFICANCE_LABELS[str(row["significance"])],
        }
        for row in rows
    ]
    order = [v["label"] for v in values]
    title = f"{c.label}: rate per 1,000 residents, {c.focus.name} and comparators, {c.period.label}"
    description = (
        f"Dot and {c.confidence:.0%} confidence interval (exact Poisson below 10 records, Byar's "
        f"approximation from 10) of the rate per 1,000 Census 2021 "
        f"residents for {len(values)} areas, {c.period.title}; dashed line: group rate "
        f"{c.group_rate_per_1000:.2f}. "
        + " ".join(
            f"{v['name']} {v['rate_per_1000']:.2f} "
            f"({SIGNIFICANCE_LABELS[str(v['significance'])].lower()})."
            for v in values
        )
    )
    colour = alt.Color(
        "significance_label:N",
        title="Compared with the group rate",
        scale=alt.Scale(
            domain=list(SIGNIFICANCE_LABELS.values()),
            range=[SIGNIFICANCE_COLOURS[k] for k in SIGNIFICANCE_LABELS],
        ),
    )
    base = alt.Chart(alt.Data(values=values)).encode(
        y=alt.Y("label:N", title=None, sort=order),
        tooltip=[
            alt.Tooltip("name:N", title="Area"),
            alt.Tooltip("count:Q", title="Records", format=","),
            alt.Tooltip("population:Q", title="Residents", format=","),
            alt.Tooltip("rate_per_1000:Q", title="Rate per 1,000", format=".2f"),
            alt.Tooltip("lower:Q", title="Lower", format=".2f"),
            alt.Tooltip("upper:Q", title="Upper", format=".2f"),
            alt.Tooltip("method:N", title="Interval"),
        ],
    )
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("lower:Q", title="Rate per 1,000 residents", scale=alt.Scale(zero=False)),
        x2="upper:Q",
        color=colour,
    )
    dots = base.mark_point(filled=True, size=90).encode(x="rate_per_1000:Q", color=colour)
    group = (
        alt.Chart(alt.Data(values=[{"group": c.group_rate_per_1000}]))
        .mark_rule(strokeDash=[6, 4], color=INK)
        .encode(x="group:Q")
    )
    spec = finish_chart(
        bars + dots + group, title, description, width=width, height=32 * len(values)
    )
    return _figure(spec, title, description, rows, c.notes)


def funnel_chart(comparison: Comparison, *, width: int = 560, height: int = 320) -> Figure:
    """Funnel plot: rate against population with 95% and 99.8% limits around the group rate."""
    c = comparison
    rows = c.table()
    curve = []
    for limit in c.funnel_curve():
        for key, name in (
            ("lower_95", "95% limits"),
            ("upper_95", "95% limits"),
            ("lower_998", "99.8% limits"),
            ("upper_998", "99.8% limits"),
        ):
            curve.append(
                {"population": limit.population, "rate": getattr(limit, key), "line": name,
                 "side": key}
            )  # fmt: skip
    points = [{**row, "position": str(row["funnel"])} for row in rows]
    title = f"{c.label}: funnel plot, {c.period.label}"
    description = (
        f"Funnel plot of the rate per 1,000 residents against population for {len(rows)} areas, "
        f"{c.period.title}. Centre line: group rate {c.group_rate_per_1000:.2f}; 95% and 99.8% "
        "limits (exact Poisson below 10 records, Byar's approximation from 10). "
        + " ".join(f"{r['name']}: {r['rate_per_1000']:.2f}, {r['funnel']}." for r in rows)
    )
    x = alt.X("population:Q", title="Residents (Census 2021)", axis=alt.Axis(format="~s"))
    lines = (
        alt.Chart(alt.Data(values=curve))
        .mark_line(color=INK)
        .encode(
            x=x,
            y=alt.Y("rate:Q", title="Rate per 1,000 residents", scale=alt.Scale(zero=False)),
            detail="side:N",
            strokeDash=alt.StrokeDash(
                "line:N",
                title="Control limits",
                scale=alt.Scale(domain=["95% limits", "99.8% limits"], range=[[6, 4], [2, 2]]),
            ),
        )
    )
    centre = (
        alt.Chart(alt.Data(values=[{"group": c.group_rate_per_1000}]))
        .mark_rule(color=INK)
        .encode(y="group:Q")
    )
    dots = (
        alt.Chart(alt.Data(values=points))
        .mark_point(filled=True, size=80)
        .encode(
            x=x,
            y="rate_per_1000:Q",
            color=alt.Color(
                "significance_label:N",
                title="Compared with the group rate",
                scale=alt.Scale(
                    domain=list(SIGNIFICANCE_LABELS.values()),
                    range=[SIGNIFICANCE_COLOURS[k] for k in SIGNIFICANCE_LABELS],
                ),
            ),
            tooltip=[
                alt.Tooltip("name:N", title="Area"),
                alt.Tooltip("population:Q", title="Residents", format=","),
                alt.Tooltip("rate_per_1000:Q", title="Rate per 1,000", format=".2f"),
                alt.Tooltip("position:N", title="Funnel"),
            ],
        )
    )
    labels = (
        alt.Chart(alt.Data(values=points))
        .mark_text(align="left", dx=7, dy=-7, color=INK)
        .encode(x=x, y="rate_per_1000:Q", text="name:N")
    )
    spec = finish_chart(
        lines + centre + dots + labels, title, description, width=width, height=height
    )
    return _figure(spec, title, description, rows, c.notes)


# --- SPC ---------------------------------------------------------------------------------


def spc_chart(series: SpcSeries, *, width: int = 640, height: int = 300) -> Figure:
    """XmR chart of a monthly series: values, mean, limits, 2-sigma lines, coloured dots.

    Each unbroken segment (and each rebase group inside it) has its own lines; a missing
    month is a gap and "no data" is written at its foot.
    """
    s = series
    rows = s.table()
    group_of: dict[str, str] = {}
    for segment in s.segments:
        for month, point in zip(segment.months, segment.chart.points, strict=True):
            group_of[month] = f"{segment.number}-{point.group}"
    values = [
        {**row, "date": f"{row['month']}-01", "line": group_of.get(str(row["month"]))}
        for row in rows
    ]
    types = list(SPC_LABELS)
    if s.polarity is not Polarity.NEUTRAL:
        types = types[:3]
    title = f"{s.label}: records per month, {s.area_name}, {s.start} to {s.end} (SPC)"
    last = s.latest
    verdict = (
        f" Latest segment ({last.start} to {last.end}): variation {s.variation_icon}."
        if last
        else ""
    )
    description = (
        f"XmR statistical process control chart of monthly police.uk records ({s.label}) in "
        f"{s.area_name}, {s.start} to {s.end}, polarity {s.polarity}.{verdict} "
        + (f"No data for {', '.join(s.missing_months)}. " if s.missing_months else "")
        + SPC_LEGEND
        + (f" Green dashed line: target {s.target:,g}." if s.target is not None else "")
    )
    x = alt.X("date:T", title="Month", axis=alt.Axis(format="%b %Y"))
    base = alt.Chart(alt.Data(values=values)).encode(x=x)
    y = alt.Y("count:Q", title="Records", scale=alt.Scale(zero=False))
    value_line = base.mark_line(color="#7b7d7d").encode(y=y, detail="line:N")
    mean = base.mark_line(color=INK).encode(y="mean:Q", detail="line:N")
    limits = (
        base.transform_fold(["lpl", "upl"], as_=["limit", "limit_value"])
        .mark_line(color=INK, strokeDash=[6, 4])
        .encode(y="limit_value:Q", detail=alt.Detail(["line:N", "limit:N"]))
    )
    near = (
        base.transform_fold(["near_lpl", "near_upl"], as_=["near", "near_value"])
        .mark_line(color="#7b7d7d", strokeDash=[2, 3])
        .encode(y="near_value:Q", detail=alt.Detail(["line:N", "near:N"]))
    )
    dots = (
        base.transform_filter("datum.count !== null")
        .transform_calculate(
            kind="{"
            + ", ".join(f"'{k}': '{v}'" for k, v in SPC_LABELS.items())
            + "}[datum.point_type]"
        )
        .mark_point(filled=True, size=45, opacity=1)
        .encode(
            y="count:Q",
            color=alt.Color(
                "kind:N",
                title="Variation",
                scale=alt.Scale(
                    domain=[SPC_LABELS[t] for t in types], range=[SPC_COLOURS[t] for t in types]
                ),
            ),
            tooltip=[
                alt.Tooltip("month:N", title="Month"),
                alt.Tooltip("count:Q", title="Records", format=","),
                alt.Tooltip("kind:N", title="Variation"),
            ],
        )
    )
    gap_runs = [
        {"start": f"{run[0]}-01", "end": f"{add_months(run[-1], 1)}-01", "label": "no data"}
        for run in month_runs(s.missing_months)
    ]
    shading = alt.Chart(alt.Data(values=gap_runs)).mark_rect(color="#b1b4b6", opacity=0.25)
    shading = shading.encode(x="start:T", x2="end:T")
    no_data = (
        alt.Chart(alt.Data(values=gap_runs))
        .transform_calculate(middle="(toDate(datum.start) + toDate(datum.end)) / 2")
        .mark_text(baseline="top", dy=4, color="#505a5f", fontStyle="italic")
        .encode(x="middle:T", y=alt.value(0), text="label:N")
    )
    layers = value_line + mean + limits + near + dots
    if gap_runs:
        layers = shading + layers + no_data
    if s.target is not None:
        layers = layers + (
            alt.Chart(alt.Data(values=[{"target": s.target}]))
            .mark_rule(color="#00703c", strokeDash=[8, 2])
            .encode(y="target:Q")
        )
    spec = finish_chart(layers, title, description, width=width, height=height)
    return _figure(spec, title, description, rows, (SPC_LEGEND, *s.warnings))


# --- harm --------------------------------------------------------------------------------


def harm_chart(estimate: HarmEstimate, *, width: int = 520) -> Figure:
    """Bar chart of harm by crime category (central), with the low-high range as a line."""
    e = estimate
    rows = e.table()
    where = f", {e.area_name}" if e.area_name else ""
    when = f", {e.period.label}" if e.period else ""
    title = f"Harm estimate by crime type{where}{when} (CCHI days)"
    description = (
        f"Bar chart of the harm estimate by police.uk crime category{where}{when}: total "
        f"{e.range_text}; crime records weighted by the Cambridge Crime Harm Index "
        f"({e.version}). Anti-social behaviour is excluded. {e.method}"
    )
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("crime_type:N", title=None, sort=[r["crime_type"] for r in rows]),
        tooltip=[
            alt.Tooltip("crime_type:N", title="Crime type"),
            alt.Tooltip("count:Q", title="Records", format=","),
            alt.Tooltip("weight_days:Q", title="Weight (days)"),
            alt.Tooltip("harm_days:Q", title="Harm (days)", format=",.0f"),
        ],
    )
    bars = base.mark_bar(color="#0072b2").encode(
        x=alt.X("harm_days:Q", title="Harm estimate (days)", axis=alt.Axis(format="~s"))
    )
    ranges = base.mark_rule(color=INK).encode(x="harm_low_days:Q", x2="harm_high_days:Q")
    spec = finish_chart(
        bars + ranges, title, description, width=width, height=24 * max(len(rows), 1)
    )
    return _figure(spec, title, description, rows, (e.source, e.method, *e.notes))


# --- strategic assessment ------------------------------------------------------------------


def priority_matrix_chart(
    rows: Sequence[dict[str, Any]],
    *,
    risk_max: float,
    capacity_max: float,
    width: int = 560,
    height: int = 380,
) -> Figure:
    """Scatter of candidate issues: risk (median harm × likelihood) across, capacity gap
    (median) up, each labelled with its rank and name; dashed lines halve each axis, so the
    issues needing the partnership most sit top right. ``rows`` hold ``rank``, ``issue``,
    ``risk``, ``capacity_gap`` and ``median_total``."""
    rows = [dict(r) for r in rows]
    title = "Priority matrix: risk against the gap in capacity"
    description = (
        f"Scatter chart of {len(rows)} scored candidate issue(s): risk (median of scorers' "
        f"harm × likelihood, 0 to {risk_max:g}) across, gap in the partnership's capacity "
        f"(median, 0 to {capacity_max:g}) up. Issues top right are high risk with little in "
        "place. The figures are in the table below the chart."
    )
    for r in rows:
        r["label"] = f"{r['rank']}. {r['issue']}"
    x = alt.X("risk:Q", title="Risk (harm × likelihood)", scale=alt.Scale(domain=[0, risk_max]))
    y = alt.Y("capacity_gap:Q", title="Gap in capacity", scale=alt.Scale(domain=[0, capacity_max]))
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=x,
        y=y,
        tooltip=[
            alt.Tooltip("label:N", title="Issue"),
            alt.Tooltip("risk:Q", title="Risk", format=".1f"),
            alt.Tooltip("capacity_gap:Q", title="Gap in capacity", format=".1f"),
            alt.Tooltip("median_total:Q", title="Median total", format=".1f"),
        ],
    )
    points = base.mark_circle(size=90, color="#0072b2", opacity=1)
    labels = base.mark_text(align="left", dx=8, dy=-6, fontSize=LABEL_SIZE, color=INK).encode(
        text="label:N"
    )
    halves = alt.Data(values=[{"x": risk_max / 2, "y": capacity_max / 2}])
    vertical = alt.Chart(halves).mark_rule(color="#7b7d7d", strokeDash=[4, 4]).encode(x="x:Q")
    horizontal = alt.Chart(halves).mark_rule(color="#7b7d7d", strokeDash=[4, 4]).encode(y="y:Q")
    spec = finish_chart(
        vertical + horizontal + points + labels, title, description, width=width, height=height
    )
    table = [
        {k: r[k] for k in ("rank", "issue", "risk", "capacity_gap", "median_total")} for r in rows
    ]
    return _figure(
        spec,
        title,
        description,
        table,
        (
            "Risk is the median over scorers of harm × likelihood; the gap in capacity is the "
            "median of the capacity group. The dashed lines halve each axis's range.",
        ),
    )
