"""ASB case reviews (the "Community Trigger", Anti-social Behaviour, Crime and Policing Act
2014 ss.104-105 and Schedule 4): the threshold test, the working-day timetable and the four
yearly figures the relevant bodies must publish. Pure Python, no Django
(tests/analytics/test_casereview.py).

The law (DOMAIN.md section 1): the relevant bodies set the threshold locally but no higher
than three qualifying complaints; a complaint qualifies if it was made within one month of
the behaviour complained about, and the application must come within six months of the
complaint. Local procedures add variations, e.g. a lower number when the behaviour was
motivated by hate; `ThresholdRule` holds them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import holidays as holiday_calendar

from .errors import QueryError
from .periods import add_months_to_day as add_months

#: The law's ceiling: a local threshold may be no higher than three qualifying complaints.
MAX_COMPLAINTS = 3


@dataclass(frozen=True)
class ThresholdRule:
    """A partnership's threshold. Defaults: three complaints in the six months before the
    application, each made within one month of the behaviour."""

    complaints: int = 3
    window_months: int = 6
    report_within_months: int = 1
    #: A local variation: this many qualifying complaints suffice when one of them was about
    #: behaviour motivated by hate (None: no variation).
    hate_complaints: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.complaints <= MAX_COMPLAINTS:
            raise QueryError(
                "The threshold must be between 1 and 3 qualifying complaints (the 2014 Act "
                "allows no higher than three)."
            )
        if not 1 <= self.window_months <= 6:
            raise QueryError(
                "The application must be allowed at least six months after the complaint; "
                "the window is 1 to 6 months and the law's is 6."
            )
        if self.report_within_months < 1:
            raise QueryError("A complaint made within one month of the behaviour qualifies.")
        if self.hate_complaints is not None and not 1 <= self.hate_complaints <= self.complaints:
            raise QueryError(
                "The number for hate-motivated behaviour must be between 1 and the threshold."
            )


@dataclass(frozen=True)
class Complaint:
    """A complaint the applicant made: when, about behaviour on which date, to which body."""

    made_on: dt.date
    behaviour_on: dt.date
    body: str = ""
    hate: bool = False


@dataclass(frozen=True)
class ComplaintVerdict:
    complaint: Complaint
    qualifies: bool
    reason: str


@dataclass(frozen=True)
class ThresholdResult:
    met: bool
    needed: int
    counted: int
    verdicts: tuple[ComplaintVerdict, ...]
    summary: str
    reasons: tuple[str, ...] = field(default=())


def _d(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _verdict(c: Complaint, application_on: dt.date, rule: ThresholdRule) -> ComplaintVerdict:
    what = f"Complaint made {_d(c.made_on)}" + (f" to {c.body}" if c.body else "")
    if c.made_on < c.behaviour_on:
        return ComplaintVerdict(c, False, f"{what}: made before the behaviour it describes")
    if c.made_on > application_on:
        return ComplaintVerdict(c, False, f"{what}: made after the application")
    latest = add_months(c.behaviour_on, rule.report_within_months)
    if c.made_on > latest:
        return ComplaintVerdict(
            c,
            False,
            f"{what}: not made within {rule.report_within_months} month(s) of the behaviour "
            f"on {_d(c.behaviour_on)} (the last day was {_d(latest)})",
        )
    last_application = add_months(c.made_on, rule.window_months)
    if application_on > last_application:
        return ComplaintVerdict(
            c,
            False,
            f"{what}: the application came more than {rule.window_months} months after it "
            f"(the last day was {_d(last_application)})",
        )
    return ComplaintVerdict(c, True, f"{what}: qualifies")


def threshold_test(
    application_on: dt.date, complaints: Iterable[Complaint], rule: ThresholdRule | None = None
) -> ThresholdResult:
    """Is the threshold for a case review met? Each complaint's verdict with its reason.

    Both windows are inclusive: a complaint made exactly one month after the behaviour
    qualifies, and so does an application made exactly six months after the complaint
    (a month later on a shorter month's last day: 31 August + 1 month = 30 September).
    """
    rule = rule or ThresholdRule()
    verdicts = tuple(
        _verdict(c, application_on, rule)
        for c in sorted(complaints, key=lambda c: (c.made_on, c.behaviour_on))
    )
    qualifying = [v for v in verdicts if v.qualifies]
    needed = rule.complaints
    reasons = [f"The local threshold is {rule.complaints} qualifying complaint(s)."]
    if rule.hate_complaints is not None and any(v.complaint.hate for v in qualifying):
        needed = rule.hate_complaints
        reasons.append(
            f"A qualifying complaint was about hate-motivated behaviour, so {needed} "
            "suffice(s) under the local procedure."
        )
    met = len(qualifying) >= needed
    summary = (
        f"Threshold {'met' if met else 'not met'}: {len(qualifying)} qualifying complaint(s) "
        f"of {len(verdicts)}, {needed} needed."
    )
    return ThresholdResult(met, needed, len(qualifying), verdicts, summary, tuple(reasons))


# ---------------------------------------------------------------- working days

#: Bank holidays in England (and Wales) come from the maintained `holidays` package
#: (docs/decisions/0004-bank-holidays.md): any year, one-off holidays included (the 2023
#: coronation, the 2022 state funeral), substitute days when a holiday falls at a weekend.
HOLIDAY_SUBDIVISION = "ENG"


@functools.lru_cache(maxsize=128)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """Bank holidays in England and Wales in `year` (the `holidays` package)."""
    return frozenset(holiday_calendar.UK(subdiv=HOLIDAY_SUBDIVISION, years=year).keys())


def is_working_day(day: dt.date, holidays: Collection[dt.date] | None = None) -> bool:
    """Monday to Friday and not a bank holiday (or not one of `holidays`, when given)."""
    if day.weekday() >= 5:
        return False
    return day not in (bank_holidays(day.year) if holidays is None else holidays)


def add_working_days(
    start: dt.date, days: int, holidays: Collection[dt.date] | None = None
) -> dt.date:
    """The date `days` working days after `start` (Monday to Friday, not a bank holiday).

    The day of receipt is day 0: a letter received on a Friday with a 1-working-day
    deadline is due on the Monday (or the Tuesday after a bank holiday Monday). Dates only:
    the clock changes move nothing. `holidays` replaces England's bank holidays (tests).
    """
    if days < 0:
        raise QueryError("A timescale is a number of working days, 0 or more.")
    day, left = start, days
    while left:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days from `start` to `end` (counted as `add_working_days` counts them: day 0
    is `start`); negative when `end` comes first. ``add_working_days(d, n)`` is the first
    date `n` working days after `d`."""
    if end < start:
        return -working_days_between(end, start)
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days += 1
    return days


#: The usual local timescales (not statutory; e.g. gosport.gov.uk): acknowledge the
#: application, decide whether the threshold is met (both from receipt), hold the review
#: meeting (from the threshold decision).
DEFAULT_TIMESCALES = {"acknowledge": 10, "decide": 15, "review": 20}
DUE, LATE, DONE, DONE_LATE = "due", "late", "done", "done_late"


@dataclass(frozen=True)
class Milestone:
    key: str
    label: str
    due: dt.date
    done_on: dt.date | None
    state: str  # due, late, done, done_late


def _state(due: dt.date, done_on: dt.date | None, today: dt.date) -> str:
    if done_on is not None:
        return DONE_LATE if done_on > due else DONE
    return LATE if today > due else DUE


def timetable(
    received_on: dt.date,
    today: dt.date,
    *,
    acknowledged_on: dt.date | None = None,
    decided_on: dt.date | None = None,
    threshold_met: bool | None = None,
    review_on: dt.date | None = None,
    timescales: dict[str, int] | None = None,
) -> list[Milestone]:
    """The application's milestones with their due dates and states. The review meeting is
    due `review` working days after the decision (or after the decision's due date while
    undecided), and is not owed at all when the threshold was not met."""
    t = {**DEFAULT_TIMESCALES, **(timescales or {})}
    ack_due = add_working_days(received_on, t["acknowledge"])
    decide_due = add_working_days(received_on, t["decide"])
    out = [
        Milestone(
            "acknowledge",
            "Acknowledge the application",
            ack_due,
            acknowledged_on,
            _state(ack_due, acknowledged_on, today),
        ),
        Milestone(
            "decide",
            "Decide whether the threshold is met",
            decide_due,
            decided_on,
            _state(decide_due, decided_on, today),
        ),
    ]
    if threshold_met is not False:
        review_due = add_working_days(decided_on or decide_due, t["review"])
        out.append(
            Milestone(
                "review",
                "Hold the case review meeting",
                review_due,
                review_on,
                _state(review_due, review_on, today),
            )
        )
    return out


# ------------------------------------------------------------- the yearly figures


@dataclass(frozen=True)
class CaseFacts:
    """What the yearly figures count, per application (no personal data)."""

    received_on: dt.date
    threshold_met: bool | None  # None: not decided yet
    review_on: dt.date | None
    recommendations: int


@dataclass(frozen=True)
class YearFigures:
    year: str  # "2024/25"
    applications: int
    threshold_not_met: int
    reviews: int
    with_recommendations: int


def fy_start(day: dt.date) -> int:
    """The first calendar year of the financial year (April to March) a date is in."""
    return day.year if day.month >= 4 else day.year - 1


def fy_text(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def yearly_figures(cases: Sequence[CaseFacts]) -> list[YearFigures]:
    """The four published figures per financial year, oldest first: applications received
    and those whose threshold was not met (by the year the application was received),
    reviews carried out and those with recommendations (by the year the review was held)."""
    years: dict[int, list[int]] = {}
    for c in cases:
        row = years.setdefault(fy_start(c.received_on), [0, 0, 0, 0])
        row[0] += 1
        if c.threshold_met is False:
            row[1] += 1
        if c.review_on is not None:
            held = years.setdefault(fy_start(c.review_on), [0, 0, 0, 0])
            held[2] += 1
            if c.recommendations > 0:
                held[3] += 1
    return [YearFigures(fy_text(y), *years[y]) for y in sorted(years)]


#: Disclosure control (DESIGN.md section 5, NHS Digital's rule): 0 stays 0, 1 to 7 are shown
#: as "*", others rounded to the nearest 5.
SMALL = 7
SUPPRESSED = "*"


def disclose(count: int, small: int = SMALL) -> str:
    """A count as it may be published."""
    if count < 0:
        raise QueryError("A count cannot be negative.")
    if count == 0:
        return "0"
    if count <= small:
        return SUPPRESSED
    return str(5 * int((count + 2.5) // 5))


def disclose_year(figures: YearFigures, small: int = SMALL) -> dict[str, str]:
    """The four figures of a year as they may be published. The sub-counts are rounded or
    suppressed as well as the total, so no suppressed figure can be worked out exactly by
    subtraction; and when exactly one of "not met" and "reviews" is suppressed the other
    is suppressed too (applications = not met + met, and met is about reviews)."""
    out = {
        "applications": disclose(figures.applications, small),
        "threshold_not_met": disclose(figures.threshold_not_met, small),
        "reviews": disclose(figures.reviews, small),
        "with_recommendations": disclose(figures.with_recommendations, small),
    }
    pair = ("threshold_not_met", "reviews")
    if sum(out[k] == SUPPRESSED for k in pair) == 1 and out["applications"] != SUPPRESSED:
        for k in pair:
            if out[k] != "0":
                out[k] = SUPPRESSED
    return out


# ------------------------------------------------------------------ the ward map


@dataclass(frozen=True)
class WardCounts:
    """Applications per ward of the area, for the analysts' map (internal: exact counts)."""

    rows: tuple[tuple[str, str, int], ...]  # (ward code, ward name, applications), every ward
    no_ward: int  # applications with no ward recorded
    elsewhere: tuple[tuple[str, int], ...]  # (code, applications) not a ward of the area

    @property
    def total(self) -> int:
        return sum(n for *_, n in self.rows) + self.no_ward + sum(n for _, n in self.elsewhere)


def ward_counts(ward_codes: Iterable[str], wards: Sequence[tuple[str, str]]) -> WardCounts:
    """Count applications by ward: every ward of the area (`wards`: code, name, e.g. from
    `measures.ward_populations`) with its count, 0 included, since a ward with no
    application is a real zero once the area's wards are known; the applications with no
    ward, and those whose code is not a ward of the area, are counted apart (never
    dropped)."""
    counts: dict[str, int] = {}
    no_ward = 0
    for code in ward_codes:
        code = (code or "").strip().upper()
        if code:
            counts[code] = counts.get(code, 0) + 1
        else:
            no_ward += 1
    known = {code for code, _ in wards}
    rows = tuple((code, name, counts.get(code, 0)) for code, name in wards)
    elsewhere = tuple(sorted((c, n) for c, n in counts.items() if c not in known))
    return WardCounts(rows, no_ward, elsewhere)


def ward_map(
    counts: WardCounts,
    boundaries,
    *,
    area_name: str,
    period: str,
):
    """The choropleth of `counts` (the explorer's ward map code, `maps.choropleth`), as a
    `Figure` whose table is ward, code and applications."""
    from .figures import Figure
    from .maps import MapValue, choropleth

    title = f"ASB case review applications by ward, {area_name}, {period}"
    figure = choropleth(
        boundaries,
        [MapValue(code, name, float(n)) for code, name, n in counts.rows],
        title=title,
        value_title="Applications",
        value_format=",.0f",
    )
    rows = tuple({"ward": name, "code": code, "applications": n} for code, name, n in counts.rows)
    return Figure(
        figure.spec,
        title,
        figure.description,
        ("ward", "code", "applications"),
        rows,
        figure.notes,
    )
