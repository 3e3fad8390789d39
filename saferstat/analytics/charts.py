"""Charts as Vega-Lite specifications (Altair), rendered to SVG on the server (vl-convert).

The same spec is drawn in the page, the PDF and the published report; the data table is
shown beside it by the caller.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import altair as alt
import vl_convert

from saferstat.analytics.periods import month_name

if TYPE_CHECKING:
    from saferstat.analytics.measures import Overview

#: SPC point colours and names (Making Data Count), shared by every SPC chart.
SPC_COLOURS = {
    "special_cause_improvement": "#289de0",
    "special_cause_concern": "#fab428",
    "common_cause": "#7b7d7d",
    "special_cause_neutral_high": "#361475",
    "special_cause_neutral_low": "#361475",
}
SPC_LABELS = {
    "special_cause_improvement": "Special cause: improvement",
    "special_cause_concern": "Special cause: concern",
    "common_cause": "Common cause",
    "special_cause_neutral_high": "Special cause: neutral (high)",
    "special_cause_neutral_low": "Special cause: neutral (low)",
}

FONT = "Liberation Sans"
LINE_COLOUR = "#1d70b8"
#: Text sizes in pixels. Charts are drawn at about the width they are shown (the page's
#: column, 960 px at most), so axis text stays at least 12 px on a 1200 px screen.
LABEL_SIZE = 13
TITLE_SIZE = 14
HEADING_SIZE = 16


def monthly_trend_chart(overview: Overview, *, width: int = 600, height: int = 260) -> dict:
    """Line chart (with points) of records per month for the overview's period.

    A month with no loaded data is a gap in the line, not a zero: its value is ``null``,
    the line mark breaks there (``invalid: 'break-paths-show-path-domains'``), no point is
    drawn for it, the month stays on the time axis and "no data" is written at its foot.

    Returns:
        A Vega-Lite specification (``dict``), with a title and a description for screen
        readers (SVG ``aria-label``/``<desc>``).
    """
    values = [
        {"month": f"{v.month}-01", "month_label": month_name(v.month), "count": v.count}
        for v in overview.monthly
    ]
    gaps = [v.month for v in overview.monthly if v.count is None]
    known = [v.count for v in overview.monthly if v.count is not None]
    period = overview.period
    title = f"Police-recorded crime and ASB per month, {overview.area_name}, {period.label}"
    description = (
        f"Line chart of police.uk street-level records (crime and anti-social behaviour) per "
        f"month in {overview.area_name}, {period.title}."
    )
    if known:
        description += f" Monthly counts range from {min(known):,} to {max(known):,}."
    if gaps:
        description += (
            f" No data for {', '.join(month_name(m) for m in gaps)}: shown as a gap in the line."
        )
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", tickCount="month")),
        y=alt.Y("count:Q", title="Records", scale=alt.Scale(zero=True)),
        tooltip=[
            alt.Tooltip("month_label:N", title="Month"),
            alt.Tooltip("count:Q", title="Records", format=","),
        ],
    )
    line = base.mark_line(color=LINE_COLOUR, invalid="break-paths-show-path-domains")
    points = base.mark_point(color=LINE_COLOUR, filled=True, size=40).transform_filter(
        "datum.count !== null"
    )
    no_data = (
        base.mark_text(baseline="bottom", dy=-4, color="#505a5f", fontStyle="italic")
        .encode(y=alt.Y("zero:Q"), text=alt.value("no data"), tooltip=alt.value(None))
        .transform_filter("datum.count === null")
        .transform_calculate(zero="0")
    )
    chart = (
        (line + points + no_data)
        .properties(
            title=alt.TitleParams(text=title, anchor="start"),
            description=description,
            width=width,
            height=height,
        )
        .configure(font=FONT)
        .configure_axis(
            labelFont=FONT, titleFont=FONT, labelFontSize=LABEL_SIZE, titleFontSize=TITLE_SIZE
        )
        .configure_title(font=FONT, fontSize=HEADING_SIZE)
    )
    return chart.to_dict()


def render_svg(spec: dict[str, Any]) -> str:
    """Render a Vega-Lite spec to an SVG string (fonts from the system: Liberation Sans).

    The spec's title and description become the SVG's ``<title>`` and ``<desc>`` (its
    accessible name and description), which Vega does not write itself.
    """
    svg = vl_convert.vegalite_to_svg(spec)
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    extra = ""
    if title:
        extra += f"<title>{html.escape(str(title), quote=False)}</title>"
    if spec.get("description"):
        extra += f"<desc>{html.escape(str(spec['description']), quote=False)}</desc>"
    if not extra:
        return svg
    end = svg.index(">", svg.index("<svg")) + 1
    return svg[:end] + extra + svg[end:]


def indicator_xmr_chart(
    rows: list[dict[str, Any]],
    *,
    title: str,
    description: str,
    target: float | None = None,
    width: int = 260,
    height: int = 120,
) -> dict:
    """A small XmR chart of an indicator's periods (quarters or months) for the dashboard.

    ``rows`` come from :meth:`SpcSeries.table` with a ``period`` label added: ``count`` is
    the value (None for a gap, drawn as a break with no dot), ``mean``/``lpl``/``upl`` the
    limits of its run, ``point_type`` its Making Data Count type. Periods are an ordered axis,
    so a gap keeps its place.
    """

    order = [row["period"] for row in rows]
    values = [
        {
            "period": row["period"],
            "value": row["count"],
            "mean": row["mean"],
            "lpl": row["lpl"],
            "upl": row["upl"],
            "run": row["segment"],
            "kind": SPC_LABELS.get(str(row["point_type"]), "No value"),
        }
        for row in rows
    ]
    x = alt.X("period:O", title=None, sort=order, axis=alt.Axis(labelAngle=-45, labelFontSize=9))
    base = alt.Chart(alt.Data(values=values)).encode(x=x)
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=False))
    line = base.mark_line(color="#7b7d7d", invalid="break-paths-show-path-domains").encode(y=y)
    mean = base.mark_line(color="#0b0c0c").encode(y="mean:Q", detail="run:N")
    limits = (
        base.transform_fold(["lpl", "upl"], as_=["limit", "limit_value"])
        .mark_line(color="#0b0c0c", strokeDash=[4, 3])
        .encode(y="limit_value:Q", detail=alt.Detail(["run:N", "limit:N"]))
    )
    kinds = list(SPC_LABELS.values())
    dots = (
        base.transform_filter("datum.value !== null")
        .mark_point(filled=True, size=30, opacity=1)
        .encode(
            y="value:Q",
            color=alt.Color(
                "kind:N",
                legend=None,
                scale=alt.Scale(domain=kinds, range=[SPC_COLOURS[k] for k in SPC_LABELS]),
            ),
        )
    )
    layers = line + mean + limits + dots
    if target is not None:
        layers = layers + (
            alt.Chart(alt.Data(values=[{"target": target}]))
            .mark_rule(color="#00703c", strokeDash=[8, 2])
            .encode(y="target:Q")
        )
    chart = (
        layers.properties(
            title=alt.TitleParams(text=title, anchor="start", fontSize=11),
            description=description,
            width=width,
            height=height,
        )
        .configure(font=FONT)
        .configure_axis(labelFont=FONT, titleFont=FONT)
        .configure_title(font=FONT)
    )
    return chart.to_dict()


def report_chart(
    kind: str,
    points: list[tuple[str, float | None]],
    *,
    title: str,
    description: str,
    value_title: str = "Records",
    width: int = 520,
    height: int = 240,
) -> dict:
    """A report's chart of one table column (issue 17): ``kind`` ``"bar"`` (categories,
    largest first, horizontal bars) or ``"line"`` (periods in their order).

    ``points`` are ``(label, value)`` as the table publishes them: a value of ``None`` (no
    data, or hidden by disclosure control) draws no bar or point and is labelled
    "not shown", so a chart never shows more than its table.
    """
    if kind not in ("bar", "line"):
        raise ValueError(f"no chart kind {kind!r}")
    values = [
        {"label": label, "value": value, "order": i} for i, (label, value) in enumerate(points)
    ]
    data = alt.Data(values=values)
    if kind == "bar":
        y = alt.Y("label:N", title=None, sort=alt.SortField("order"))
        base = alt.Chart(data).encode(
            y=y, x=alt.X("value:Q", title=value_title, scale=alt.Scale(zero=True))
        )
        marks = base.mark_bar(color=LINE_COLOUR) + base.mark_text(
            align="left", dx=4, color="#505a5f", fontStyle="italic"
        ).encode(x=alt.datum(0), text=alt.value("not shown")).transform_filter(
            "datum.value === null"
        )
        height = max(height, 22 * len(values))
    else:
        x = alt.X("label:O", title=None, sort=None, axis=alt.Axis(labelAngle=-40))
        base = alt.Chart(data).encode(
            x=x, y=alt.Y("value:Q", title=value_title, scale=alt.Scale(zero=True))
        )
        marks = base.mark_line(
            color=LINE_COLOUR, invalid="break-paths-show-path-domains"
        ) + base.mark_point(color=LINE_COLOUR, filled=True, size=40).transform_filter(
            "datum.value !== null"
        )
    chart = (
        marks.properties(
            title=alt.TitleParams(text=title, anchor="start"),
            description=description,
            width=width,
            height=height,
        )
        .configure(font=FONT)
        .configure_axis(
            labelFont=FONT, titleFont=FONT, labelFontSize=LABEL_SIZE, titleFontSize=TITLE_SIZE
        )
        .configure_title(font=FONT, fontSize=HEADING_SIZE)
    )
    return chart.to_dict()


def render_png(spec: dict[str, Any], *, scale: float = 2) -> bytes:
    """Render a Vega-Lite spec to PNG (for the PDF, where an image with alternative text is
    tagged as a figure)."""
    return vl_convert.vegalite_to_png(spec, scale=scale)
