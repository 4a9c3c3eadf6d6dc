"""The working-day calendar as plain data.

A :class:`WorkingCalendar` is a small frozen value (a date range and two sets
of exceptions to the Monday-to-Friday week), so a workflow can receive it as
input and do deadline maths deterministically, without reading files or
calling a package whose data may change between replays.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Self

from pydantic import BaseModel, ConfigDict, model_validator

_ONE_DAY = timedelta(days=1)


class CalendarNotCovered(ValueError):
    """A date or year lies outside every calendar we have.

    Deadline maths must never guess around an unpublished holiday schedule, so
    this is raised instead; the fix is to add the year (see
    ``domain/data/calendar_local.toml``) or hand in a wider calendar.

    Attributes:
        day: The date asked about, if the question was about a date.
        year: The year that is missing, if the question was about a year.
    """

    def __init__(self, message: str, *, day: date | None = None, year: int | None = None) -> None:
        super().__init__(message)
        self.day = day
        self.year = year

    def __reduce__(self) -> tuple[object, ...]:
        # Keep the attributes when pickled (process pools, Temporal failure details).
        return (_rebuild, (str(self), self.day, self.year))


def _rebuild(message: str, day: date | None, year: int | None) -> CalendarNotCovered:
    return CalendarNotCovered(message, day=day, year=year)


class WorkingCalendar(BaseModel):
    """Which days between ``first_day`` and ``last_day`` (inclusive) are working days.

    A day is a working day when it is a make-up working day (调休上班), or a
    Monday to Friday that is not an official holiday. ``holidays`` must hold
    every weekday day off; festival days that fall on a weekend may be listed
    too (the official builder does), which lets weekend extended-service
    sessions stay closed during a festival.
    """

    model_config = ConfigDict(frozen=True)

    first_day: date
    last_day: date
    holidays: frozenset[date] = frozenset()
    workdays_on_weekend: frozenset[date] = frozenset()
    provisional_years: frozenset[int] = frozenset()
    """Years whose days rest on the statutory rule, not yet on a published notice."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.first_day > self.last_day:
            raise ValueError(f"first_day {self.first_day} is after last_day {self.last_day}")
        outside = sorted(
            d
            for d in self.holidays | self.workdays_on_weekend
            if not self.first_day <= d <= self.last_day
        )
        if outside:
            raise ValueError(
                f"dates {', '.join(map(str, outside))} lie outside "
                f"{self.first_day}..{self.last_day}"
            )
        weekdays = sorted(d for d in self.workdays_on_weekend if d.weekday() < 5)
        if weekdays:
            raise ValueError(
                f"workdays_on_weekend: {', '.join(map(str, weekdays))} "
                "fall on Monday-Friday, which are working days anyway"
            )
        both = sorted(self.holidays & self.workdays_on_weekend)
        if both:
            raise ValueError(f"dates {', '.join(map(str, both))} are both holiday and workday")
        stray = sorted(
            y for y in self.provisional_years if not self.first_day.year <= y <= self.last_day.year
        )
        if stray:
            raise ValueError(
                f"provisional_years {stray} lie outside {self.first_day}..{self.last_day}"
            )
        return self

    def covers(self, day: date) -> bool:
        """True if ``day`` lies within the calendar's range."""
        return self.first_day <= _plain_date(day) <= self.last_day

    def require(self, day: date) -> date:
        """Return ``day`` if covered, else raise :class:`CalendarNotCovered`."""
        day = _plain_date(day)
        if not self.first_day <= day <= self.last_day:
            raise CalendarNotCovered(
                f"{day.isoformat()} is outside the working-day calendar, "
                f"which covers {self.first_day.isoformat()} to {self.last_day.isoformat()}",
                day=day,
            )
        return day

    def is_workday(self, day: date) -> bool:
        """Whether offices work on ``day``.

        Raises:
            CalendarNotCovered: If ``day`` is outside the calendar's range.
        """
        day = self.require(day)
        if day in self.workdays_on_weekend:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` is an official holiday (not merely a weekend).

        Raises:
            CalendarNotCovered: If ``day`` is outside the calendar's range.
        """
        return self.require(day) in self.holidays

    def window(self, start: date, end: date) -> WorkingCalendar:
        """The part of this calendar from ``start`` to ``end`` inclusive.

        Used to hand a workflow only the months it can need.

        Raises:
            CalendarNotCovered: If the window reaches outside this calendar.
            ValueError: If ``start`` is after ``end``.
        """
        start, end = self.require(start), self.require(end)
        if start > end:
            raise ValueError(f"window start {start} is after its end {end}")
        return WorkingCalendar(
            first_day=start,
            last_day=end,
            holidays=frozenset(d for d in self.holidays if start <= d <= end),
            workdays_on_weekend=frozenset(d for d in self.workdays_on_weekend if start <= d <= end),
            provisional_years=frozenset(
                y for y in self.provisional_years if start.year <= y <= end.year
            ),
        )

    def provisional_between(self, start: date, end: date) -> bool:
        """Whether any day from ``start`` to ``end`` lies in a provisional year.

        A deadline computed across such a day is an estimate ("预计 / provisional") until
        the State Council's notice for that year is loaded.
        """
        first, last = sorted((_plain_date(start), _plain_date(end)))
        return any(first.year <= y <= last.year for y in self.provisional_years)

    def official_contradictions(self, official: WorkingCalendar) -> list[date]:
        """Days on which ``official`` disagrees with days this calendar already holds as official.

        A published year may replace a provisional one, never an official one: a table that
        says otherwise about an official day is a mistake in the table, not news.
        """
        first = max(self.first_day, official.first_day)
        last = min(self.last_day, official.last_day)
        clashes = []
        day = first
        while day <= last:
            if day.year not in self.provisional_years and (
                self.is_workday(day) != official.is_workday(day)
            ):
                clashes.append(day)
            day += _ONE_DAY
        return clashes

    def merged_with(self, official: WorkingCalendar) -> WorkingCalendar:
        """This calendar with the days of ``official`` replacing its own where both reach.

        ``official`` must hold whole years and overlap or adjoin this calendar; the result
        keeps this calendar's first day and reaches as far as either does. Years ``official``
        covers stop being provisional.

        Raises:
            ValueError: If ``official`` is provisional itself, holds partial years, or leaves
                a gap after this calendar.
        """
        if official.provisional_years:
            raise ValueError(
                f"years {sorted(official.provisional_years)} are provisional, not official"
            )
        if (official.first_day.month, official.first_day.day) != (1, 1) or (
            official.last_day.month,
            official.last_day.day,
        ) != (12, 31):
            raise ValueError(
                f"an official calendar holds whole years, not {official.first_day}.."
                f"{official.last_day}"
            )
        if official.first_day > self.last_day + _ONE_DAY:
            raise ValueError(
                f"official years from {official.first_day} leave a gap after {self.last_day}"
            )
        start, end = self.first_day, max(self.last_day, official.last_day)
        if official.last_day < start:
            return self
        covered = range(official.first_day.year, official.last_day.year + 1)

        def replaced(days: frozenset[date], official_days: frozenset[date]) -> frozenset[date]:
            own = {d for d in days if d.year not in covered}
            return frozenset(own | {d for d in official_days if start <= d <= end})

        return WorkingCalendar(
            first_day=start,
            last_day=end,
            holidays=replaced(self.holidays, official.holidays),
            workdays_on_weekend=replaced(self.workdays_on_weekend, official.workdays_on_weekend),
            provisional_years=frozenset(y for y in self.provisional_years if y not in covered),
        )


def _plain_date(day: date) -> date:
    # A datetime is a date subclass but never equals a date in a set lookup.
    if isinstance(day, datetime):
        raise TypeError(f"expected a date, got the datetime {day.isoformat()}")
    return day
