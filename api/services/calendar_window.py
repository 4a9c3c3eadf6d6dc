"""The slice of the working-day calendar handed to a new case's workflow as data."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from domain.calendar import CalendarNotCovered, WorkingCalendar, official_calendar

# Enough for every deadline of a case (30 working days at most, plus reminders).
HORIZON = timedelta(days=200)


@cache
def _years(first: int, last: int) -> WorkingCalendar:
    return official_calendar(first, last)


def calendar_for(day: date) -> WorkingCalendar:
    """The official calendar from `day` on, as far as published tables reach (≤ HORIZON).

    Near the end of a year the next year may not be published yet; the window then stops
    at 31 December and the workflow treats later deadlines as unknown rather than guessing.
    """
    try:
        cal = _years(day.year, day.year + 1)
    except CalendarNotCovered:
        cal = _years(day.year, day.year)
    return cal.window(day, min(day + HORIZON, cal.last_day))
