"""A provisional year, derived from the law until the State Council publishes the real one.

The notice for a year comes in November or December of the year before; a hall
cannot stop accepting cases until then. 《全国年节及纪念日放假办法》 (revised
2024-11-10, in force 2025-01-01) fixes the statutory days, article 2: New Year
(1 January), Spring Festival (lunar New Year's Eve and lunar 1/1 to 1/3),
Qingming (the day of the 清明 solar term), Labour Day (1-2 May), Dragon Boat
(lunar 5/5), Mid-Autumn (lunar 8/15) and National Day (1-3 October); article 6:
a statutory day that falls on a Saturday or Sunday is made up on a working day.

The rule used here: festivals whose statutory days touch or overlap, or are
apart only by weekend days, form one block; every statutory day lost (on a
weekend, or shared by two feasts, as Mid-Autumn and National Day on
2028-10-03) is made up on the first weekdays after the block that are not off
already, in order. Weekend days from a block's first day off to its last are
listed as holidays too, as the official data lists them, so the hall stays
closed through the festival. Make-up working days on weekends (调休上班) and
bridge days depend on the notice and are not invented.

Lunar dates and the solar term come from ``lunar-python``, which computes in
Beijing time (the 2026 Qingming term fell at 02:40 on 5 April Beijing time,
still 4 April in UTC).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lunar_python import Lunar, Solar

from domain.calendar.arrangement import DayEntry, DayReason, YearArrangement, YearSource
from domain.calendar.working_calendar import CalendarNotCovered

LAW = "《全国年节及纪念日放假办法》(2024年11月10日修订，2025年1月1日施行)"
FIRST_YEAR = 2025
"""The first year under the 2024 revision; earlier years had other statutory days."""

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _Feast:
    name: str
    days: tuple[date, ...]


@dataclass
class _Block:
    feasts: list[_Feast]

    @property
    def name(self) -> str:
        return "、".join(dict.fromkeys(f.name for f in self.feasts))

    @property
    def slots(self) -> list[date]:
        return [day for feast in self.feasts for day in feast.days]

    @property
    def last(self) -> date:
        return max(self.slots)


@functools.lru_cache(maxsize=64)
def provisional_arrangement(year: int) -> YearArrangement:
    """The year's days off under the statutory rule alone (``source`` provisional).

    Raises:
        CalendarNotCovered: For a year before 2025, which the 2024 revision does not govern.
    """
    if year < FIRST_YEAR:
        raise CalendarNotCovered(
            f"no working-day calendar for {year}: it has no official data and the "
            f"provisional rule ({LAW}) governs only years from {FIRST_YEAR}",
            year=year,
        )
    feasts = _feasts(year)
    names: dict[date, list[str]] = {}
    for feast in feasts:
        for day in feast.days:
            names.setdefault(day, []).append(feast.name)
    entries = {
        day: DayEntry(date=day, working=False, reason=DayReason.HOLIDAY, name="、".join(named))
        for day, named in names.items()
    }
    off = set(names)
    for block in _blocks(feasts):
        made_up = _made_up_days(block, off)
        off.update(made_up)
        for day in made_up:
            entries[day] = DayEntry(
                date=day, working=False, reason=DayReason.STATUTORY_MADE_UP, name=block.name
            )
        day, last = min(block.slots), max([block.last, *made_up])
        while day <= last:
            if day not in entries:
                entries[day] = DayEntry(
                    date=day, working=False, reason=DayReason.HOLIDAY, name=block.name
                )
            day += _ONE_DAY
    return YearArrangement(
        year=year,
        source=YearSource.PROVISIONAL,
        confirmed=False,
        reference=LAW,
        days=tuple(entries[d] for d in sorted(entries)),
    )


def _feasts(year: int) -> list[_Feast]:
    """The statutory days of article 2, in date order."""
    new_year = _solar(Lunar.fromYmd(year, 1, 1).getSolar())
    feasts = [
        _Feast("元旦", (date(year, 1, 1),)),
        _Feast("春节", tuple(new_year + k * _ONE_DAY for k in range(-1, 3))),
        _Feast("清明节", (_qingming(year),)),
        _Feast("劳动节", (date(year, 5, 1), date(year, 5, 2))),
        _Feast("端午节", (_solar(Lunar.fromYmd(year, 5, 5).getSolar()),)),
        _Feast("中秋节", (_solar(Lunar.fromYmd(year, 8, 15).getSolar()),)),
        _Feast("国庆节", (date(year, 10, 1), date(year, 10, 2), date(year, 10, 3))),
    ]
    for feast in feasts:
        if any(day.year != year for day in feast.days):
            raise ValueError(f"{feast.name} {year}: {feast.days} leave the year")
    return sorted(feasts, key=lambda f: f.days[0])


def _qingming(year: int) -> date:
    """The day the 清明 solar term begins, in Beijing time."""
    term = _solar(Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"])
    if (term.year, term.month) != (year, 4):
        raise ValueError(f"清明 {year}: the solar term came out as {term}")
    return term


def _blocks(feasts: list[_Feast]) -> list[_Block]:
    """Festivals merged when their days touch, overlap or have only a weekend between."""
    blocks: list[_Block] = []
    for feast in feasts:
        if blocks and _only_weekend_between(blocks[-1].last, min(feast.days)):
            blocks[-1].feasts.append(feast)
        else:
            blocks.append(_Block([feast]))
    return blocks


def _only_weekend_between(last: date, first: date) -> bool:
    day = last + _ONE_DAY
    while day < first:
        if day.weekday() < 5:
            return False
        day += _ONE_DAY
    return True


def _made_up_days(block: _Block, off: set[date]) -> list[date]:
    """The first weekdays after the block not yet off, one per statutory day lost."""
    slots = block.slots
    lost = len(slots) - len({d for d in slots if d.weekday() < 5})
    made_up: list[date] = []
    day = block.last
    while len(made_up) < lost:
        day += _ONE_DAY
        if day.weekday() < 5 and day not in off:
            made_up.append(day)
    return made_up


def _solar(solar: Any) -> date:
    return date(solar.getYear(), solar.getMonth(), solar.getDay())
