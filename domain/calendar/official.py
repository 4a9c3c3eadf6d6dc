"""Which arrangement a year rests on: the hall's table, then the package, then the law.

Official data always wins over the provisional rule, and the hall's own table
(``domain/data/calendar_local.toml``, entered the day a notice is published)
wins over the ``chinesecalendar`` package, whose release may come weeks later.
An entry marked unconfirmed still counts as official and says so. A year in
neither official source rests on :func:`provisional_arrangement` and is marked
provisional wherever it is used, so a hall never stops taking cases for want
of a notice.

Build calendars outside workflows (in an activity or at case intake) and hand
them in as data; this module reads a file and a third-party package. Nothing
here is cached for the process's lifetime except the package's own years,
which change only with a new release (and so a restart).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import chinese_calendar

from domain.calendar.arrangement import DayEntry, DayReason, YearArrangement, YearSource
from domain.calendar.local_table import amended, local_table_path, read_local_table
from domain.calendar.provisional import provisional_arrangement
from domain.calendar.working_calendar import CalendarNotCovered, WorkingCalendar

PACKAGE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
"""The package's English festival names, in Chinese."""


def official_arrangement(
    year: int, *, local_table: Mapping[str, Any] | None = None
) -> YearArrangement | None:
    """The year as published: the local table's entry, else the package's; None if neither.

    Raises:
        ValueError: If the local table is malformed (the message names the entry).
    """
    table = read_local_table(local_table)
    published = table.years.get(year)
    if published is None:
        published = _package_arrangement(year)
    early = table.early.get(year)
    if published is None or early is None:
        return published
    return amended(published, early)


def year_arrangement(year: int, *, local_table: Mapping[str, Any] | None = None) -> YearArrangement:
    """The year as published if it is, else as the law alone derives it.

    Raises:
        CalendarNotCovered: For a year before 2025 that no official source has.
    """
    official = official_arrangement(year, local_table=local_table)
    return official if official is not None else provisional_arrangement(year)


def hall_calendar(
    first_year: int, last_year: int, *, local_table: Mapping[str, Any] | None = None
) -> WorkingCalendar:
    """Whole years ``first_year`` to ``last_year``, official where published, else provisional.

    The calendar's ``provisional_years`` names the years resting on the rule, so every
    deadline computed on it can say whether it is an estimate.

    Raises:
        CalendarNotCovered: For a year before 2025 that no official source has.
        ValueError: If ``first_year > last_year`` or the local table is malformed.
    """
    _check_range(first_year, last_year)
    years = range(first_year, last_year + 1)
    return _calendar(
        first_year, last_year, (year_arrangement(y, local_table=local_table) for y in years)
    )


def official_calendar(
    first_year: int, last_year: int, *, local_table: Mapping[str, Any] | None = None
) -> WorkingCalendar:
    """Whole years ``first_year`` to ``last_year``, official data only.

    Used where only a published year will do, e.g. handing a running case the official
    year that replaces its provisional one.

    Raises:
        CalendarNotCovered: Naming the first year no official source has.
        ValueError: If ``first_year > last_year`` or the local table is malformed.
    """
    _check_range(first_year, last_year)
    arrangements = []
    for year in range(first_year, last_year + 1):
        official = official_arrangement(year, local_table=local_table)
        if official is None:
            raise CalendarNotCovered(
                f"no official working-day calendar for {year}: the chinesecalendar package "
                f"does not cover it and {local_table_path().name} has no [years.{year}]; "
                "enter the State Council's notice for that year there (or upgrade "
                "chinesecalendar)",
                year=year,
            )
        arrangements.append(official)
    return _calendar(first_year, last_year, arrangements)


def official_years(*, local_table: Mapping[str, Any] | None = None) -> list[int]:
    """Every year the local table or the package has, ascending."""
    return sorted(set(read_local_table(local_table).years) | _package_years())


def _check_range(first_year: int, last_year: int) -> None:
    if first_year > last_year:
        raise ValueError(f"first_year {first_year} is after last_year {last_year}")


def _calendar(
    first_year: int, last_year: int, arrangements: Iterable[YearArrangement]
) -> WorkingCalendar:
    holidays: set[date] = set()
    workdays: set[date] = set()
    provisional: set[int] = set()
    for arrangement in arrangements:
        holidays |= arrangement.holidays
        workdays |= arrangement.workdays_on_weekend
        if arrangement.source is YearSource.PROVISIONAL:
            provisional.add(arrangement.year)
    return WorkingCalendar(
        first_day=date(first_year, 1, 1),
        last_day=date(last_year, 12, 31),
        holidays=frozenset(holidays),
        workdays_on_weekend=frozenset(workdays),
        provisional_years=frozenset(provisional),
    )


@functools.cache
def _package_years() -> frozenset[int]:
    return frozenset(y for y in {d.year for d in chinese_calendar.holidays} if _package_covers(y))


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 12, 31))
    except NotImplementedError:
        # The package signals a date past its data this way (e.g. 2027 in 1.11).
        return False
    return True


@functools.cache
def _package_arrangement(year: int) -> YearArrangement | None:
    if year not in _package_years():
        return None
    days = [
        DayEntry(date=d, working=False, reason=DayReason.HOLIDAY, name=_zh(name))
        for d, name in chinese_calendar.holidays.items()
        if d.year == year
    ]
    days += [
        DayEntry(date=d, working=True, reason=DayReason.MAKE_UP_WORKING_DAY, name=_zh(name))
        for d, name in chinese_calendar.workdays.items()
        if d.year == year and d.weekday() >= 5
    ]
    return YearArrangement(
        year=year,
        source=YearSource.OFFICIAL,
        confirmed=True,
        reference=f"chinesecalendar {chinese_calendar.__version__}",
        days=tuple(sorted(days, key=lambda e: e.date)),
    )


def _zh(name: object) -> str:
    # The package names make-up days after their festival; an unnamed day has None.
    return "" if name is None else PACKAGE_NAMES.get(str(name), str(name))
