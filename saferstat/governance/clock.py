"""Dates for governance: due dates, overdue flags, response clocks, the statutory calendar
and the attendance table. Pure Python, no Django, so every rule is tested on its own
(tests/governance/test_clock.py).

"Today" is always the date in Europe/London: an action due on 30 June is overdue from
00:00 on 1 July in London, which in summer time is 23:00 UTC on 30 June.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from saferstat.analytics.casereview import is_working_day
from saferstat.analytics.periods import add_months_to_day as add_months

LONDON = ZoneInfo("Europe/London")

#: The response clock for scrutiny recommendations unless the partnership sets its own.
DEFAULT_RESPONSE_DAYS = 28
#: Clear working days between publishing an agenda and the meeting, unless the partnership
#: sets its own: councils publish five clear days ahead (Local Government Act 1972
#: s.100B(3), for council committees such as the Crime and Disorder Committee); not
#: confirmed in DOMAIN.md for a partnership's own bodies, so it is a setting.
DEFAULT_AGENDA_NOTICE_DAYS = 5
#: A duty due within this many days shows on the partnership's home page.
DUE_SOON_DAYS = 30
#: Domestic homicide reviews (DVCVA 2004 s.9): months from notification to the decision
#: whether to hold a review, and from that decision to the report going to the Home Office
#: (now the Domestic Abuse Commissioner). Neither period is confirmed in DOMAIN.md: they are
#: local settings, to be checked against the Home Office statutory guidance.
DEFAULT_DHR_DECISION_MONTHS = 1
DEFAULT_DHR_REPORT_MONTHS = 6

OPEN, DONE, OVERDUE = "open", "done", "overdue"
DUE_SOON, ON_TRACK, NOT_SET = "due_soon", "on_track", "not_set"

#: Attendance codes as in the annual report's table (seed 004): Y present, A apologies,
#: N absent; a named substitute counts as the seat being represented (Y in the table).
PRESENT, APOLOGIES, ABSENT, SUBSTITUTE = "Y", "A", "N", "S"


def london_date(instant: dt.datetime) -> dt.date:
    """The calendar date in London at an aware instant.

    >>> london_date(dt.datetime(2025, 6, 30, 23, 30, tzinfo=dt.timezone.utc))
    datetime.date(2025, 7, 1)
    """
    if instant.tzinfo is None:
        raise ValueError("london_date needs an aware datetime")
    return instant.astimezone(LONDON).date()


def action_state(due: dt.date | None, done: bool, today: dt.date) -> str:
    """ "done", "overdue" (open and the due date has passed) or "open".

    An action is not overdue on its due date, only from the day after.
    """
    if done:
        return DONE
    if due is not None and today > due:
        return OVERDUE
    return OPEN


def agenda_publish_by(
    meeting_day: dt.date,
    clear_days: int = DEFAULT_AGENDA_NOTICE_DAYS,
    holidays: Iterable[dt.date] | None = None,
) -> dt.date:
    """The last working day on which the agenda of a meeting on `meeting_day` can be
    published with `clear_days` clear working days before it: neither the day it is
    published nor the day of the meeting counts, nor weekends and bank holidays (England
    and Wales; `holidays` replaces them in tests).

    >>> agenda_publish_by(dt.date(2025, 7, 14), 5, holidays=())  # a Monday meeting
    datetime.date(2025, 7, 4)
    """
    if clear_days < 0:
        raise ValueError("The notice is a number of clear working days, 0 or more")
    hols = None if holidays is None else frozenset(holidays)
    day, left = meeting_day, clear_days
    while left:
        day -= dt.timedelta(days=1)
        if is_working_day(day, hols):
            left -= 1
    day -= dt.timedelta(days=1)
    while not is_working_day(day, hols):
        day -= dt.timedelta(days=1)
    return day


def response_due(made_on: dt.date, days: int = DEFAULT_RESPONSE_DAYS) -> dt.date:
    """The date a response to a recommendation made on `made_on` is due."""
    if days < 1:
        raise ValueError("The response period must be at least one day")
    return made_on + dt.timedelta(days=days)


@dataclass(frozen=True)
class Clock:
    """Where a recommendation's response clock stands on a day."""

    due: dt.date
    answered: bool
    days_left: int  # negative when late

    @property
    def overdue(self) -> bool:
        return not self.answered and self.days_left < 0

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


def response_clock(
    made_on: dt.date, days: int, today: dt.date, responded_on: dt.date | None = None
) -> Clock:
    """The response clock: due date, whether answered, days left (or late, negative)."""
    due = response_due(made_on, days)
    end = responded_on if responded_on is not None else today
    return Clock(due=due, answered=responded_on is not None, days_left=(due - end).days)


def next_due(
    last_met: dt.date | None, cycle_months: int, first_due: dt.date | None = None
) -> dt.date | None:
    """When a recurring duty is next due: a cycle after it was last met, else `first_due`."""
    if last_met is not None:
        return add_months(last_met, cycle_months)
    return first_due


def duty_state(due: dt.date | None, today: dt.date, soon_days: int = DUE_SOON_DAYS) -> str:
    """ "overdue", "due_soon" (within `soon_days`, inclusive), "on_track", or "not_set"."""
    if due is None:
        return NOT_SET
    if today > due:
        return OVERDUE
    if (due - today).days <= soon_days:
        return DUE_SOON
    return ON_TRACK


def dhr_decision_due(notified_on: dt.date, months: int = DEFAULT_DHR_DECISION_MONTHS) -> dt.date:
    """When the decision whether to hold a review is due: `months` after the partnership
    was notified, on the same day of the month or the month's last day when it is shorter.

    >>> dhr_decision_due(dt.date(2025, 1, 31), 1)
    datetime.date(2025, 2, 28)
    """
    if months < 1:
        raise ValueError("The decision period must be at least one month")
    return add_months(notified_on, months)


def dhr_report_due(decided_on: dt.date, months: int = DEFAULT_DHR_REPORT_MONTHS) -> dt.date:
    """When the review's report is due: `months` after the decision to hold it.

    >>> dhr_report_due(dt.date(2024, 8, 31), 6)
    datetime.date(2025, 2, 28)
    """
    if months < 1:
        raise ValueError("The report period must be at least one month")
    return add_months(decided_on, months)


def dhr_deadline(
    status: str,
    notified_on: dt.date,
    decided_on: dt.date | None,
    decision_months: int = DEFAULT_DHR_DECISION_MONTHS,
    report_months: int = DEFAULT_DHR_REPORT_MONTHS,
) -> tuple[str, dt.date] | None:
    """A review's next deadline as ("decision" or "report", date), or None when nothing is
    due: awaiting a decision (notified, deciding), the decision; in progress, the report
    (from the decision date); once the report is sent, or closed, nothing."""
    if status in ("notified", "deciding"):
        return "decision", dhr_decision_due(notified_on, decision_months)
    if status == "in_progress" and decided_on is not None:
        return "report", dhr_report_due(decided_on, report_months)
    return None


def financial_year_of(day: dt.date) -> int:
    """The first calendar year of the financial year (April to March) holding `day`."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_bounds(start_year: int) -> tuple[dt.date, dt.date]:
    """1 April `start_year` to 31 March the year after, both included."""
    return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)


def parse_financial_year(text: str) -> int:
    """ "2024-25" or "2024/25" -> 2024. Raises ValueError otherwise."""
    text = (text or "").strip().replace("/", "-")
    first, sep, second = text.partition("-")
    if not (sep and first.isdigit() and second.isdigit() and len(first) == 4):
        raise ValueError(f"Not a financial year: {text!r}")
    start = int(first)
    if len(second) == 2 and int(second) == (start + 1) % 100:
        return start
    if len(second) == 4 and int(second) == start + 1:
        return start
    raise ValueError(f"Not a financial year: {text!r}")


@dataclass(frozen=True)
class AttendanceTable:
    """Meeting dates by seat, Y/A/N, with each seat's attendance rate."""

    seats: list[str]
    rows: list[tuple[dt.date, list[str]]]  # one per meeting: its date and a code per seat
    present: list[int]  # per seat: meetings attended (in person or by a substitute)
    recorded: list[int]  # per seat: meetings with an attendance record
    rates: list[float | None]  # present / recorded, None when nothing was recorded


def attendance_table(
    seats: Sequence[str],
    meetings: Iterable[tuple[dt.date, Mapping[str, str]]],
) -> AttendanceTable:
    """The attendance table of seed 004: for each meeting (date, {seat: code}), one code per
    seat: "Y" present (a named substitute counts), "A" apologies, "N" absent, "" when not
    recorded. A seat's rate is its Y count over the meetings recorded for it."""
    seats = list(seats)
    rows: list[tuple[dt.date, list[str]]] = []
    present = [0] * len(seats)
    recorded = [0] * len(seats)
    for day, codes in sorted(meetings, key=lambda m: m[0]):
        row = []
        for i, seat in enumerate(seats):
            code = codes.get(seat, "")
            if code == SUBSTITUTE:
                code = PRESENT
            if code and code not in (PRESENT, APOLOGIES, ABSENT):
                raise ValueError(f"Unknown attendance code {code!r}")
            if code:
                recorded[i] += 1
                present[i] += code == PRESENT
            row.append(code)
        rows.append((day, row))
    rates = [p / r if r else None for p, r in zip(present, recorded, strict=True)]
    return AttendanceTable(seats=seats, rows=rows, present=present, recorded=recorded, rates=rates)
