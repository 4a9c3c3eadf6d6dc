"""The provisional year follows the law; its dates here are worked out by hand, not by the code.

Lunar dates checked against the published almanac: Chinese New Year 2027-02-06 and
2028-01-26 (both years' 12th lunar month has 29 days, so New Year's Eve is 腊月廿九),
Qingming 2027-04-05 and 2028-04-04, Dragon Boat 2027-06-09 and 2028-05-28, Mid-Autumn
2027-09-15 and 2028-10-03 (National Day's third day).
"""

from datetime import date, timedelta

import chinese_calendar
import pytest

from domain.calendar import (
    CalendarNotCovered,
    DayReason,
    YearArrangement,
    YearSource,
    provisional_arrangement,
)

H, M = DayReason.HOLIDAY, DayReason.STATUTORY_MADE_UP

PROVISIONAL_2027 = [
    (date(2027, 1, 1), H, "元旦"),  # Friday
    (date(2027, 2, 5), H, "春节"),  # Friday, New Year's Eve (腊月廿九)
    (date(2027, 2, 6), H, "春节"),  # Saturday, lunar 1/1
    (date(2027, 2, 7), H, "春节"),  # Sunday
    (date(2027, 2, 8), H, "春节"),  # Monday
    (date(2027, 2, 9), M, "春节"),  # Tuesday, for Saturday 6th
    (date(2027, 2, 10), M, "春节"),  # Wednesday, for Sunday 7th
    (date(2027, 4, 5), H, "清明节"),  # Monday
    (date(2027, 5, 1), H, "劳动节"),  # Saturday
    (date(2027, 5, 2), H, "劳动节"),  # Sunday
    (date(2027, 5, 3), M, "劳动节"),
    (date(2027, 5, 4), M, "劳动节"),
    (date(2027, 6, 9), H, "端午节"),  # Wednesday
    (date(2027, 9, 15), H, "中秋节"),  # Wednesday
    (date(2027, 10, 1), H, "国庆节"),  # Friday
    (date(2027, 10, 2), H, "国庆节"),  # Saturday
    (date(2027, 10, 3), H, "国庆节"),  # Sunday
    (date(2027, 10, 4), M, "国庆节"),
    (date(2027, 10, 5), M, "国庆节"),
]

PROVISIONAL_2028 = [
    (date(2028, 1, 1), H, "元旦"),  # Saturday
    (date(2028, 1, 2), H, "元旦"),  # Sunday, inside the block (off anyway)
    (date(2028, 1, 3), M, "元旦"),  # Monday
    (date(2028, 1, 25), H, "春节"),  # Tuesday, New Year's Eve (腊月廿九)
    (date(2028, 1, 26), H, "春节"),
    (date(2028, 1, 27), H, "春节"),
    (date(2028, 1, 28), H, "春节"),  # Friday
    (date(2028, 4, 4), H, "清明节"),  # Tuesday
    (date(2028, 5, 1), H, "劳动节"),  # Monday
    (date(2028, 5, 2), H, "劳动节"),
    (date(2028, 5, 28), H, "端午节"),  # Sunday
    (date(2028, 5, 29), M, "端午节"),
    (date(2028, 10, 1), H, "国庆节"),  # Sunday
    (date(2028, 10, 2), H, "国庆节"),  # Monday
    (date(2028, 10, 3), H, "国庆节、中秋节"),  # Tuesday, two feasts on one day
    (date(2028, 10, 4), M, "国庆节、中秋节"),  # for Sunday the 1st
    (date(2028, 10, 5), M, "国庆节、中秋节"),  # for the feast lost on the 3rd
]


def _listed(arrangement: YearArrangement) -> list[tuple[date, DayReason, str]]:
    return [(e.date, e.reason, e.name) for e in arrangement.days]


def _works(arrangement: YearArrangement, day: date) -> bool:
    if day in arrangement.workdays_on_weekend:
        return True
    return day.weekday() < 5 and day not in arrangement.holidays


@pytest.mark.parametrize(("year", "expected"), [(2027, PROVISIONAL_2027), (2028, PROVISIONAL_2028)])
def test_the_year_follows_the_statutory_days(
    year: int, expected: list[tuple[date, DayReason, str]]
) -> None:
    arrangement = provisional_arrangement(year)
    assert arrangement.source is YearSource.PROVISIONAL
    assert not arrangement.confirmed
    assert "全国年节及纪念日放假办法" in arrangement.reference
    assert _listed(arrangement) == expected
    assert all(not entry.working for entry in arrangement.days)


def test_an_ordinary_wednesday_is_a_working_day() -> None:
    assert _works(provisional_arrangement(2027), date(2027, 3, 10))
    assert _works(provisional_arrangement(2028), date(2028, 3, 8))
    assert not _works(provisional_arrangement(2027), date(2027, 3, 13))  # a plain Saturday


def test_a_weekend_statutory_day_is_made_up_after_its_block() -> None:
    labour = provisional_arrangement(2027)
    assert not _works(labour, date(2027, 5, 3))
    assert not _works(labour, date(2027, 5, 4))
    assert _works(labour, date(2027, 5, 5))
    assert _works(labour, date(2027, 4, 30))  # never before the block


def test_qingming_is_the_solar_term_day_in_beijing_time() -> None:
    # The 2026 term fell at 02:40 on 5 April in Beijing, still 4 April in UTC.
    days = {e.date: e for e in provisional_arrangement(2026).days}
    assert days[date(2026, 4, 5)].name == "清明节"
    assert date(2026, 4, 4) not in days
    assert days[date(2026, 4, 6)].reason is DayReason.STATUTORY_MADE_UP


def test_festivals_apart_only_by_a_weekend_form_one_block() -> None:
    # 2025: National Day Wed 1 - Fri 3 October, Mid-Autumn Monday 6 October.
    days = {e.date: e for e in provisional_arrangement(2025).days}
    assert [days[date(2025, 10, d)].name for d in range(1, 7)] == [
        "国庆节",
        "国庆节",
        "国庆节",
        "国庆节、中秋节",
        "国庆节、中秋节",
        "中秋节",
    ]
    assert date(2025, 10, 7) not in days  # every statutory day fell on a weekday


def test_make_up_working_days_on_weekends_are_never_invented() -> None:
    for year in range(2025, 2101):
        arrangement = provisional_arrangement(year)
        assert arrangement.workdays_on_weekend == frozenset(), year
        # Thirteen statutory days, each on a weekday of its own or made up on one.
        off_weekdays = [d for d in arrangement.holidays if d.weekday() < 5]
        assert len(off_weekdays) == 13, year


def test_a_year_before_the_2024_revision_is_not_covered() -> None:
    with pytest.raises(CalendarNotCovered) as caught:
        provisional_arrangement(2024)
    assert caught.value.year == 2024


# Where the State Council's notices went beyond the law: bridge weekdays off (调休放假)
# paid for by weekend days worked (调休上班). Nothing else may differ.
NOTICE_2025_BRIDGES = {
    date(2025, 2, 3),
    date(2025, 2, 4),
    date(2025, 5, 5),
    date(2025, 10, 7),
    date(2025, 10, 8),
}
NOTICE_2025_MAKE_UP = {
    date(2025, 1, 26),
    date(2025, 2, 8),
    date(2025, 4, 27),
    date(2025, 9, 28),
    date(2025, 10, 11),
}
NOTICE_2026_BRIDGES = {
    date(2026, 1, 2),
    date(2026, 2, 20),
    date(2026, 2, 23),
    date(2026, 5, 5),
    date(2026, 10, 6),
    date(2026, 10, 7),
}
NOTICE_2026_MAKE_UP = {
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
}


@pytest.mark.parametrize(
    ("year", "bridges", "make_up"),
    [
        (2025, NOTICE_2025_BRIDGES, NOTICE_2025_MAKE_UP),
        (2026, NOTICE_2026_BRIDGES, NOTICE_2026_MAKE_UP),
    ],
)
def test_the_rule_differs_from_the_notice_only_by_bridges_and_make_up_days(
    year: int, bridges: set[date], make_up: set[date]
) -> None:
    arrangement = provisional_arrangement(year)
    differs = set()
    day = date(year, 1, 1)
    while day.year == year:
        if _works(arrangement, day) != chinese_calendar.is_workday(day):
            differs.add(day)
        day += timedelta(days=1)
    assert differs == bridges | make_up
    assert all(d.weekday() < 5 and not chinese_calendar.is_workday(d) for d in bridges)
    assert all(d.weekday() >= 5 and chinese_calendar.is_workday(d) for d in make_up)
