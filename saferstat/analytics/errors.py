"""The one family of errors an analysis raises (``docs/analytics.md``, "Errors and no data").

* :class:`AnalyticsError`: the base; every front end shows its message as it is (the web as a
  GOV.UK error summary, status 400; the JSON API 422; the CLI exit status 2).
* :class:`QueryError`: the question cannot be answered as asked (a bad period, crime type,
  level, comparator...). Also a ``ValueError``, as these errors were before.
* :class:`UnknownAreaError`: a local authority code the reference data does not know. Also a
  ``LookupError``, as before.
* :class:`NoDataError`: the question is fine but no data is loaded for it (a period, or an
  area and period, without a single loaded month). Never answered with zeros: the web answers
  404 with the message, the API 404 with a problem body, the CLI exit status 3.

A period with *some* months missing is not an error: it is answered for its loaded months
with a warning, and the missing months are gaps, never zeros.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence


class AnalyticsError(Exception):
    """An analysis could not be answered; the message says why, in plain English."""


class QueryError(AnalyticsError, ValueError):
    """Bad input: the question cannot be answered as asked."""


class UnknownAreaError(QueryError, LookupError):
    """A local authority code that the reference data does not know (or outside the data)."""


class NoDataError(AnalyticsError):
    """No data is loaded for what was asked (never shown as zero).

    Attributes:
        missing_months: the months asked for that have no data (all of them).
    """

    def __init__(self, message: str, missing_months: Sequence[str] = ()):
        super().__init__(message)
        self.missing_months = tuple(missing_months)


def month_name(month: str) -> str:
    """``'2022-04'`` -> ``'April 2022'``."""
    year, number = int(month[:4]), int(month[5:7])
    return dt.date(year, number, 1).strftime("%B %Y")


def no_data_message(
    what: str,
    months: Sequence[str],
    *,
    area: str | None = None,
    label: str | None = None,
    forces: Sequence[str] = (),
) -> str:
    """``No police.uk data is loaded for Rotherham in 2022/23 (South Yorkshire Police has no
    month from April 2022 to March 2023).``

    Args:
        what: the data, e.g. ``'police.uk data'``.
        months: the months asked for (none of them loaded).
        area: the area's name, if the question is about one.
        label: the period's label (``2022/23``).
        forces: names of the forces whose files were looked at (none: every force).
    """
    text = f"No {what} is loaded"
    if area:
        text += f" for {area}"
    if label:
        text += f" in {label}" if area else f" for {label}"
    if months:
        who = " and ".join(forces) if forces else "no force"
        verb = "have" if len(forces) > 1 else "has"
        if months[0] == months[-1]:
            gap = f"{'' if forces else 'any '}data for {month_name(months[0])}"
            gap = ("no " if forces else "") + gap
        else:
            span = f"from {month_name(months[0])} to {month_name(months[-1])}"
            gap = f"no month {span}" if forces else f"a month {span}"
        text += f" ({who} {verb} {gap})"
    return text + "."
