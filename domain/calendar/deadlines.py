"""Deadline maths in working days and working hours.

Every function is pure: the calendar and office hours come in as data and the
current time as an argument, so Temporal workflows can call them with
``workflow.now()`` and replay to the same answer.

Counting follows domain reference §5: a period counted in days starts on the
day after the triggering day ("next day is day 1"; 民法典 art. 201), and only
working days count (行政许可法 art. 82). Whether Wuhan counts the acceptance
day itself is unconfirmed; this default is the statutory one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from domain.calendar.office_hours import OfficeHours
from domain.calendar.working_calendar import WorkingCalendar

_ONE_DAY = timedelta(days=1)


def add_working_days(calendar: WorkingCalendar, start: date, n: int) -> date:
    """The ``n``-th working day after ``start``.

    ``start`` itself never counts, working day or not: the day after is the
    first candidate. ``n = 0`` gives ``start`` if it is a working day, else the
    next working day. A negative ``n`` counts backwards (the ``|n|``-th working
    day before ``start``), e.g. for a reminder one working day ahead.

    Raises:
        CalendarNotCovered: If the count runs past either end of ``calendar``.
    """
    day = calendar.require(start)
    if n == 0:
        while not calendar.is_workday(day):
            day += _ONE_DAY
        return day
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    remaining = abs(n)
    while remaining:
        day += step
        if calendar.is_workday(day):
            remaining -= 1
    return day


def working_days_between(calendar: WorkingCalendar, start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``.

    The inverse of :func:`add_working_days`: for ``n >= 1``,
    ``working_days_between(cal, s, add_working_days(cal, s, n)) == n``. If
    ``end`` is before ``start`` the count is negative.

    Raises:
        CalendarNotCovered: If either date is outside ``calendar``.
    """
    start, end = calendar.require(start), calendar.require(end)
    if end < start:
        return -working_days_between(calendar, end, start)
    count = 0
    day = start + _ONE_DAY
    while day <= end:
        count += calendar.is_workday(day)
        day += _ONE_DAY
    return count


def working_days_deadline(
    calendar: WorkingCalendar, hours: OfficeHours, accepted_at: datetime, n: int
) -> datetime:
    """Close of business on the ``n``-th working day after acceptance.

    The acceptance day is taken in the office time zone; the result is the end
    of the last regular session on the deadline day (extended sessions never
    move a deadline), as an aware datetime in the office time zone.

    Raises:
        ValueError: If ``accepted_at`` has no time zone, or no regular session
            is held on the deadline day.
        CalendarNotCovered: If the deadline falls outside ``calendar``.
    """
    zone = hours.zone
    local = _aware(accepted_at, "accepted_at").astimezone(zone)
    day = add_working_days(calendar, local.date(), n)
    sessions = hours.regular_on(calendar, day)
    if not sessions:
        raise ValueError(f"office hours: no regular session on the working day {day}")
    return datetime.combine(day, sessions[-1][1], tzinfo=zone)


def add_working_hours(
    calendar: WorkingCalendar,
    hours: OfficeHours,
    start: datetime,
    n: float | Decimal | timedelta,
) -> datetime:
    """The moment ``n`` hours of office time after ``start``.

    Only regular sessions count, plus extended sessions if
    ``hours.count_extended``. Time before ``start`` on its day does not count;
    a deadline that uses up a session exactly ends at that session's close,
    not at the next opening. ``n = 0`` gives ``start`` if the office is open
    then, else the next opening.

    Args:
        calendar: Working days.
        hours: Office hours.
        start: An aware datetime (any zone); the result is in the office zone.
        n: Hours as a number, or a timedelta.

    Raises:
        ValueError: If ``start`` has no time zone or ``n`` is negative.
        CalendarNotCovered: If the count runs past the end of ``calendar``.
    """
    remaining = _duration(n)
    zone = hours.zone
    now = _aware(start, "start").astimezone(UTC)
    day = now.astimezone(zone).date()
    while True:
        for opens, closes in hours.counted_on(calendar, day):
            begin = max(_instant(day, opens, hours), now)
            end = _instant(day, closes, hours)
            if end <= begin:
                continue
            if remaining <= end - begin:
                return (begin + remaining).astimezone(zone)
            remaining -= end - begin
        day += _ONE_DAY


def working_time_between(
    calendar: WorkingCalendar, hours: OfficeHours, start: datetime, end: datetime
) -> timedelta:
    """Office time (as counted for deadlines) from ``start`` to ``end``.

    Lets a workflow pause a working-hour clock (e.g. while the applicant
    supplements papers) and resume it with what was left. Zero if ``end`` is
    not after ``start``.

    Raises:
        ValueError: If either datetime has no time zone.
        CalendarNotCovered: If the span reaches outside ``calendar``.
    """
    start_utc = _aware(start, "start").astimezone(UTC)
    end_utc = _aware(end, "end").astimezone(UTC)
    total = timedelta()
    if end_utc <= start_utc:
        return total
    zone = hours.zone
    day, last = start_utc.astimezone(zone).date(), end_utc.astimezone(zone).date()
    while day <= last:
        for opens, closes in hours.counted_on(calendar, day):
            begin = max(_instant(day, opens, hours), start_utc)
            finish = min(_instant(day, closes, hours), end_utc)
            if finish > begin:
                total += finish - begin
        day += _ONE_DAY
    return total


def _instant(day: date, at: time, hours: OfficeHours) -> datetime:
    # Arithmetic in UTC: aware datetimes sharing a tzinfo subtract by wall clock.
    return datetime.combine(day, at, tzinfo=hours.zone).astimezone(UTC)


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name}: {moment.isoformat()} needs a time zone")
    return moment


def _duration(n: float | Decimal | timedelta) -> timedelta:
    if isinstance(n, timedelta):
        duration = n
    elif isinstance(n, Decimal):
        # Whole microseconds, computed exactly rather than through a float.
        duration = timedelta(microseconds=int((n * 3_600_000_000).to_integral_value()))
    else:
        duration = timedelta(hours=n)
    if duration < timedelta():
        raise ValueError(f"working hours: {n} is negative")
    return duration
