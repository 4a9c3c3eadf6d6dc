"""The hall's own table of official years, ``calendar_local.toml``.

A hall enters the State Council's notice here the day it is published, before
any ``chinesecalendar`` release has it, so the table wins over the package.
The file is re-read whenever it changes (path, modification time or size), so
new cases see a newly entered year without a restart; the path can be pointed
elsewhere with the ``CALENDAR_LOCAL_TABLE`` environment variable.
"""

from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

from domain.calendar.arrangement import DayEntry, DayReason, YearArrangement, YearSource

ENV_VAR = "CALENDAR_LOCAL_TABLE"
"""Environment variable naming another table file (tests, or a hall's own copy)."""

_FIELDS = {"source", "confirmed", "holidays", "make_up_workdays"}


def local_table_path() -> Path:
    """The table file: ``$CALENDAR_LOCAL_TABLE`` if set, else the packaged one."""
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        return Path(override)
    return Path(str(files("domain").joinpath("data", "calendar_local.toml")))


@dataclass(frozen=True)
class LocalTable:
    """The table's years, and the days a notice fixed in the year before (or after) its own."""

    years: Mapping[int, YearArrangement]
    """Each [years.YYYY] entry, with the days dated in that year."""
    early: Mapping[int, YearArrangement]
    """Keyed by the days' own year: days an entry lists outside its year, e.g. a Saturday
    in late December worked for the next New Year, announced by the next year's notice.
    They amend that year's arrangement, whichever source it comes from."""


def read_local_table(table: Mapping[str, Any] | None = None) -> LocalTable:
    """The local table, each year an official arrangement.

    Args:
        table: Parsed contents in the layout of ``calendar_local.toml``; defaults to the
            file at :func:`local_table_path`, read again only when it has changed.

    Raises:
        ValueError: If the table is malformed; the message names the entry.
        OSError: If the file cannot be read.
    """
    if table is not None:
        return _parse(table, "local table")
    path = local_table_path()
    stat = path.stat()
    return _parse_file(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _parse_file(path: str, mtime_ns: int, size: int) -> LocalTable:
    # The stamp is part of the key: an edited file is a new entry, never a stale hit.
    table = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return _parse(table, path)


def _parse(table: Mapping[str, Any], label: str) -> LocalTable:
    years = table.get("years", {})
    if not isinstance(years, Mapping):
        raise ValueError(f"{label}: 'years' must be a table of [years.YYYY] entries")
    own: dict[int, YearArrangement] = {}
    early: dict[int, YearArrangement] = {}
    for key, entry in years.items():
        arrangement, spilt = _year(f"{label}: years.{key}", key, entry)
        own[arrangement.year] = arrangement
        for part in spilt:
            early[part.year] = amended(early[part.year], part) if part.year in early else part
    return LocalTable(years=own, early=early)


def amended(base: YearArrangement, notice: YearArrangement) -> YearArrangement:
    """``base`` with the days of ``notice`` (same year) taking the place of its own."""
    days = {entry.date: entry for entry in base.days} | {entry.date: entry for entry in notice.days}
    return YearArrangement(
        year=base.year,
        source=base.source,
        confirmed=base.confirmed and notice.confirmed,
        reference=f"{base.reference}; {notice.reference}",
        days=tuple(days[d] for d in sorted(days)),
    )


def _year(where: str, key: Any, entry: Any) -> tuple[YearArrangement, list[YearArrangement]]:
    if not (isinstance(key, str) and key.isdigit() and len(key) == 4):
        raise ValueError(f"{where}: the key must be a four-digit year")
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: must be a table")
    if not isinstance(entry.get("source"), str) or not entry["source"].strip():
        raise ValueError(f"{where}: 'source' must name the notice the dates come from")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    confirmed = entry.get("confirmed", False)
    if not isinstance(confirmed, bool):
        raise ValueError(f"{where}: 'confirmed' must be true or false")
    year = int(key)
    names: dict[date, str] = {}
    for index, holiday in enumerate(entry.get("holidays", [])):
        name, spanned = _holiday_days(f"{where}.holidays[{index}]", holiday, year)
        for day in spanned:
            names[day] = name if names.get(day, name) == name else f"{names[day]}、{name}"
    workdays = _make_up_workdays(where, entry.get("make_up_workdays", []), year)
    clash = sorted(set(names) & set(workdays))
    if clash:
        raise ValueError(
            f"{where}: {', '.join(map(str, clash))} listed as holiday and make-up workday"
        )
    days = [
        DayEntry(date=d, working=False, reason=DayReason.HOLIDAY, name=n) for d, n in names.items()
    ]
    days += [
        DayEntry(
            date=d, working=True, reason=DayReason.MAKE_UP_WORKING_DAY, name=_nearest(d, names)
        )
        for d in workdays
    ]
    by_year: dict[int, list[DayEntry]] = {year: []}
    for listed_day in sorted(days, key=lambda e: e.date):
        by_year.setdefault(listed_day.date.year, []).append(listed_day)
    parts = [
        YearArrangement(
            year=y,
            source=YearSource.OFFICIAL,
            confirmed=confirmed,
            reference=entry["source"].strip(),
            days=tuple(listed),
        )
        for y, listed in by_year.items()
    ]
    return parts[0], parts[1:]


def _holiday_days(where: str, holiday: Any, year: int) -> tuple[str, list[date]]:
    if not isinstance(holiday, Mapping):
        raise ValueError(f"{where}: must be a table with name, from and to")
    if not isinstance(holiday.get("name"), str) or not holiday["name"].strip():
        raise ValueError(f"{where}: 'name' is required")
    name = holiday["name"].strip()
    first, last = holiday.get("from"), holiday.get("to", holiday.get("from"))
    if type(first) is not date or type(last) is not date:
        raise ValueError(f"{where} ({name}): 'from' and 'to' must be dates")
    if first > last:
        raise ValueError(f"{where} ({name}): 'from' {first} is after 'to' {last}")
    if abs(first.year - year) > 1 or (last - first).days > 31:
        raise ValueError(f"{where} ({name}): {first}..{last} does not fit year {year}")
    return name, [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _make_up_workdays(where: str, listed: Any, year: int) -> list[date]:
    days: list[date] = []
    for index, day in enumerate(listed):
        spot = f"{where}.make_up_workdays[{index}]"
        if type(day) is not date:
            raise ValueError(f"{spot}: must be a date like 2027-02-06, got {day!r}")
        if day.weekday() < 5:
            raise ValueError(f"{spot}: {day} is a weekday; make-up days fall on weekends")
        if abs(day.year - year) > 1:
            raise ValueError(f"{spot}: {day} does not fit year {year}")
        days.append(day)
    return sorted(set(days))


def _nearest(day: date, names: Mapping[date, str]) -> str:
    """The festival a make-up day belongs to: the holiday nearest to it (later one on a tie)."""
    if not names:
        return ""
    nearest = min(names, key=lambda d: (abs((d - day).days), -d.toordinal()))
    return names[nearest]
