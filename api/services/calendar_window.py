"""The slice of the working-day calendar handed to a new case's workflow as data."""

from __future__ import annotations

from datetime import date, timedelta

from domain.calendar import WorkingCalendar, hall_calendar

# Enough for every deadline of a case (30 working days at most, plus reminders).
HORIZON = timedelta(days=200)


def calendar_for(day: date) -> WorkingCalendar:
    """The hall's calendar from ``day`` to ``day + HORIZON``, always the full window.

    Years not yet published rest on the provisional rule and are named in the window's
    ``provisional_years``, so the case can mark the deadlines that cross them. Nothing is
    cached here: the sources re-read the local table when it changes, so a newly entered
    year reaches the next case without a restart.

    Raises:
        CalendarNotCovered: If ``day`` is in a year before 2025 that no official source has.
    """
    end = day + HORIZON
    return hall_calendar(day.year, end.year).window(day, end)
