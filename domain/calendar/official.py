"""The official Chinese working-day calendar as a :class:`WorkingCalendar`.

Holidays and make-up working days come from the ``chinesecalendar`` package
for the years it covers (1.11: 2004-2026) and from the bureau's own table,
``domain/data/calendar_local.toml``, for years the package does not cover yet
(the State Council publishes each year's schedule around November). Where
both have a year, the package wins. A year in neither is an error: deadlines
must not be computed on a guessed holiday schedule.

Build the calendar outside workflows (in an activity or at case intake) and
hand it in as data; this module reads a file and a third-party package.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib.resources import files
from typing import Any

import chinese_calendar

from domain.calendar.working_calendar import CalendarNotCovered, WorkingCalendar

LOCAL_TABLE = "domain/data/calendar_local.toml"


def official_calendar(
    first_year: int, last_year: int, *, local_table: Mapping[str, Any] | None = None
) -> WorkingCalendar:
    """The working-day calendar for whole years ``first_year`` to ``last_year``.

    Args:
        first_year: First year covered (1 January).
        last_year: Last year covered (31 December).
        local_table: Parsed contents of a local table in the layout of
            ``calendar_local.toml``; defaults to the packaged file.

    Raises:
        CalendarNotCovered: Naming the first year found in neither source.
        ValueError: If ``first_year > last_year`` or the local table is malformed
            (the message names the entry).
    """
    if first_year > last_year:
        raise ValueError(f"first_year {first_year} is after last_year {last_year}")
    local = _parse_local(_local_table() if local_table is None else local_table)
    holidays: set[date] = set()
    workdays: set[date] = set()
    for year in range(first_year, last_year + 1):
        if _package_covers(year):
            holidays.update(d for d in chinese_calendar.holidays if d.year == year)
            workdays.update(d for d in chinese_calendar.workdays if d.year == year)
        elif year in local.years:
            holidays.update(d for d in local.holidays if d.year == year)
            workdays.update(d for d in local.workdays if d.year == year)
        else:
            raise CalendarNotCovered(
                f"no working-day calendar for {year}: the chinesecalendar package does not "
                f"cover it and {LOCAL_TABLE} has no [years.{year}]; add the State Council's "
                "holiday schedule for that year there (or upgrade chinesecalendar)",
                year=year,
            )
    return WorkingCalendar(
        first_day=date(first_year, 1, 1),
        last_day=date(last_year, 12, 31),
        holidays=frozenset(holidays),
        workdays_on_weekend=frozenset(workdays),
    )


def covered_years(*, local_table: Mapping[str, Any] | None = None) -> list[int]:
    """Every year the package or the local table can provide, ascending."""
    local = _parse_local(_local_table() if local_table is None else local_table)
    package = {d.year for d in chinese_calendar.holidays}
    return sorted(package | local.years)


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        # The package signals a year without data this way (e.g. 2027 in 1.11).
        return False
    return True


@functools.cache
def _local_table() -> dict[str, Any]:
    text = (files("domain") / "data" / "calendar_local.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@dataclass
class _LocalYears:
    years: set[int] = field(default_factory=set)
    holidays: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)


def _parse_local(table: Mapping[str, Any]) -> _LocalYears:
    parsed = _LocalYears()
    years = table.get("years", {})
    if not isinstance(years, Mapping):
        raise ValueError(f"{LOCAL_TABLE}: 'years' must be a table of [years.YYYY] entries")
    for key, entry in years.items():
        where = f"{LOCAL_TABLE}: years.{key}"
        if not (isinstance(key, str) and key.isdigit() and len(key) == 4):
            raise ValueError(f"{where}: the key must be a four-digit year")
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: must be a table")
        if not isinstance(entry.get("source"), str) or not entry["source"].strip():
            raise ValueError(f"{where}: 'source' must name the notice the dates come from")
        unknown = set(entry) - {"source", "confirmed", "holidays", "make_up_workdays"}
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        year = int(key)
        parsed.years.add(year)
        for index, holiday in enumerate(entry.get("holidays", [])):
            parsed.holidays.update(_holiday_days(f"{where}.holidays[{index}]", holiday, year))
        for index, day in enumerate(entry.get("make_up_workdays", [])):
            spot = f"{where}.make_up_workdays[{index}]"
            if type(day) is not date:
                raise ValueError(f"{spot}: must be a date like 2027-02-06, got {day!r}")
            if day.weekday() < 5:
                raise ValueError(f"{spot}: {day} is a weekday; make-up days fall on weekends")
            parsed.workdays.add(day)
    clash = sorted(parsed.holidays & parsed.workdays)
    if clash:
        raise ValueError(
            f"{LOCAL_TABLE}: {', '.join(map(str, clash))} listed as holiday and make-up workday"
        )
    return parsed


def _holiday_days(where: str, holiday: Any, year: int) -> list[date]:
    if not isinstance(holiday, Mapping):
        raise ValueError(f"{where}: must be a table with name, from and to")
    if not isinstance(holiday.get("name"), str) or not holiday["name"].strip():
        raise ValueError(f"{where}: 'name' is required")
    first, last = holiday.get("from"), holiday.get("to", holiday.get("from"))
    if type(first) is not date or type(last) is not date:
        raise ValueError(f"{where} ({holiday['name']}): 'from' and 'to' must be dates")
    if first > last:
        raise ValueError(f"{where} ({holiday['name']}): 'from' {first} is after 'to' {last}")
    if abs(first.year - year) > 1 or (last - first).days > 31:
        raise ValueError(f"{where} ({holiday['name']}): {first}..{last} does not fit year {year}")
    return [date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1)]
