"""Community tension monitoring: levels and the weekly trend."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from ..errors import QueryError

# --- community tension ----------------------------------------------------------------------

TENSION_LEVELS = ("low", "medium", "high", "critical")


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def tension_trend(
    reports: Iterable[tuple[dt.date, str]], *, start: dt.date, end: dt.date
) -> list[dict]:
    """Reports per week (Monday to Sunday) by level, from the week of ``start`` to the week
    of ``end``, with weeks without reports as zeros (a tension log is complete: no report is
    a real zero) and the highest level that week."""
    if end < start:
        raise QueryError("The trend must end after it starts")
    weeks: dict[dt.date, Counter] = {}
    day = week_start(start)
    while day <= end:
        weeks[day] = Counter()
        day += dt.timedelta(days=7)
    for when, level in reports:
        if level not in TENSION_LEVELS:
            raise QueryError(f"Unknown tension level {level!r}")
        key = week_start(when)
        if key in weeks:
            weeks[key][level] += 1
    out = []
    for wk, counter in weeks.items():
        top = next((lv for lv in reversed(TENSION_LEVELS) if counter[lv]), "")
        out.append(
            {
                "week": wk,
                **{lv: counter[lv] for lv in TENSION_LEVELS},
                "total": sum(counter.values()),
                "highest": top,
            }
        )
    return out
