import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest

from domain.calendar import (
    CalendarNotCovered,
    DayReason,
    YearSource,
    hall_calendar,
    local_table_path,
    official_arrangement,
    official_calendar,
    official_years,
    year_arrangement,
)
from domain.calendar.local_table import ENV_VAR

# Invented dates, only to exercise the local table; not any real State Council schedule.
FAKE_2027: dict[str, Any] = {
    "years": {
        "2027": {
            "source": "test fixture",
            "confirmed": False,
            "make_up_workdays": [date(2027, 2, 6)],
            "holidays": [
                {"name": "元旦", "from": date(2027, 1, 1), "to": date(2027, 1, 1)},
                {"name": "春节", "from": date(2027, 2, 8), "to": date(2027, 2, 12)},
            ],
        }
    }
}

# A 2026 that differs from the package: 2 March off, 4 January (a Sunday) not worked.
LOCAL_2026: dict[str, Any] = {
    "years": {
        "2026": {
            "source": "国办发明电〔2025〕7号 (hand-entered)",
            "confirmed": True,
            "holidays": [{"name": "测试", "from": date(2026, 3, 2), "to": date(2026, 3, 2)}],
        }
    }
}


def test_agrees_with_the_package_on_every_day_of_2025_and_2026() -> None:
    cal = official_calendar(2025, 2026)
    day = date(2025, 1, 1)
    while day <= date(2026, 12, 31):
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
    assert cal.provisional_years == frozenset()


def test_a_year_in_no_official_source_is_refused_naming_the_year() -> None:
    with pytest.raises(CalendarNotCovered) as caught:
        official_calendar(2026, 2027)
    assert caught.value.year == 2027
    assert "2027" in str(caught.value)
    assert "calendar_local.toml" in str(caught.value)
    with pytest.raises(CalendarNotCovered, match="2003"):
        official_calendar(2003, 2004)


def test_the_packaged_local_table_is_valid_and_leaves_2027_out() -> None:
    years = official_years()
    assert set(range(2004, 2027)) <= set(years)
    assert 2027 not in years


def test_the_package_year_is_official_with_chinese_names_and_reasons() -> None:
    arrangement = official_arrangement(2026)
    assert arrangement is not None
    assert arrangement.source is YearSource.OFFICIAL
    assert arrangement.confirmed
    assert arrangement.reference == f"chinesecalendar {chinese_calendar.__version__}"
    days = {entry.date: entry for entry in arrangement.days}
    make_up = days[date(2026, 2, 14)]
    assert (make_up.working, make_up.reason, make_up.name) == (
        True,
        DayReason.MAKE_UP_WORKING_DAY,
        "春节",
    )
    assert days[date(2026, 1, 4)].name == "元旦"
    bridge = days[date(2026, 2, 20)]
    assert (bridge.working, bridge.reason, bridge.name) == (False, DayReason.HOLIDAY, "春节")
    assert days[date(2026, 10, 1)].name == "国庆节"
    assert date(2026, 3, 2) not in days
    assert arrangement.holidays == frozenset(d for d in chinese_calendar.holidays if d.year == 2026)
    assert arrangement.workdays_on_weekend == frozenset(
        d for d in chinese_calendar.workdays if d.year == 2026
    )


def test_the_local_table_wins_over_the_package() -> None:
    arrangement = official_arrangement(2026, local_table=LOCAL_2026)
    assert arrangement is not None
    assert arrangement.reference == "国办发明电〔2025〕7号 (hand-entered)"
    assert arrangement.confirmed
    cal = official_calendar(2026, 2026, local_table=LOCAL_2026)
    assert not cal.is_workday(date(2026, 3, 2))
    assert not cal.is_workday(date(2026, 1, 4))  # the package's make-up Sunday is gone
    assert cal.is_workday(date(2026, 10, 1))  # the table says nothing of National Day
    assert hall_calendar(2026, 2026, local_table=LOCAL_2026) == cal


def test_an_unconfirmed_local_year_is_official_and_says_so() -> None:
    arrangement = year_arrangement(2027, local_table=FAKE_2027)
    assert arrangement.source is YearSource.OFFICIAL
    assert not arrangement.confirmed
    assert arrangement.reference == "test fixture"
    days = {entry.date: entry for entry in arrangement.days}
    assert days[date(2027, 2, 6)].reason is DayReason.MAKE_UP_WORKING_DAY
    assert days[date(2027, 2, 6)].name == "春节"  # named after the nearest holiday
    assert days[date(2027, 2, 10)].reason is DayReason.HOLIDAY


def test_a_day_announced_by_the_next_years_notice_amends_its_own_year() -> None:
    # Invented: the 2027 notice makes Saturday 26 December 2026 a working day.
    table = {
        "years": {
            "2027": {
                "source": "2027 notice",
                "confirmed": True,
                "make_up_workdays": [date(2026, 12, 26)],
                "holidays": [{"name": "元旦", "from": date(2027, 1, 1), "to": date(2027, 1, 3)}],
            }
        }
    }
    amended = official_arrangement(2026, local_table=table)
    assert amended is not None
    assert amended.reference == f"chinesecalendar {chinese_calendar.__version__}; 2027 notice"
    days = {entry.date: entry for entry in amended.days}
    assert days[date(2026, 12, 26)].reason is DayReason.MAKE_UP_WORKING_DAY
    assert days[date(2026, 12, 26)].name == "元旦"
    assert days[date(2026, 2, 14)].reason is DayReason.MAKE_UP_WORKING_DAY  # the rest stays
    arrangement_2027 = official_arrangement(2027, local_table=table)
    assert arrangement_2027 is not None
    assert [entry.date for entry in arrangement_2027.days] == [
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
    ]
    assert hall_calendar(2026, 2027, local_table=table).is_workday(date(2026, 12, 26))


def test_local_table_fills_a_year_the_package_lacks() -> None:
    cal = official_calendar(2026, 2027, local_table=FAKE_2027)
    assert cal.last_day == date(2027, 12, 31)
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 2, 6))  # Saturday listed as make-up day
    assert not cal.is_workday(date(2027, 2, 10))
    assert cal.is_workday(date(2027, 2, 15))
    assert cal.is_workday(date(2026, 9, 20))  # 2026 still from the package
    assert official_years(local_table=FAKE_2027)[-1] == 2027
    assert cal.provisional_years == frozenset()


def test_the_hall_calendar_fills_unpublished_years_with_the_provisional_rule() -> None:
    cal = hall_calendar(2026, 2028)
    assert cal.provisional_years == frozenset({2027, 2028})
    assert cal.is_workday(date(2026, 1, 4))  # official make-up Sunday
    assert not cal.is_workday(date(2027, 2, 8))  # provisional Spring Festival
    assert year_arrangement(2027).source is YearSource.PROVISIONAL
    assert official_arrangement(2027) is None
    assert hall_calendar(2026, 2027, local_table=FAKE_2027).provisional_years == frozenset()


def test_a_year_before_the_law_and_the_data_is_not_guessed() -> None:
    with pytest.raises(CalendarNotCovered) as caught:
        hall_calendar(2003, 2004)
    assert caught.value.year == 2003
    with pytest.raises(ValueError, match="first_year 2027 is after last_year 2026"):
        hall_calendar(2027, 2026)


def test_a_newly_written_table_is_seen_without_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "calendar_local.toml"
    table.write_text("[years]\n", encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(table))
    assert local_table_path() == table
    assert official_arrangement(2027) is None
    assert 2027 in hall_calendar(2027, 2027).provisional_years

    table.write_text(
        '[years.2027]\nsource = "国办发明电〔2026〕N号"\nconfirmed = false\n'
        "make_up_workdays = [2027-02-20]\n\n"
        '[[years.2027.holidays]]\nname = "春节"\nfrom = 2027-02-05\nto = 2027-02-12\n',
        encoding="utf-8",
    )
    stat = table.stat()
    # A coarse file clock could keep the old mtime: move it on, as a later edit would.
    os.utime(table, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    arrangement = official_arrangement(2027)
    assert arrangement is not None and not arrangement.confirmed
    cal = hall_calendar(2027, 2027)
    assert cal.provisional_years == frozenset()
    assert cal.is_workday(date(2027, 2, 20))
    assert not cal.is_workday(date(2027, 2, 11))


def test_the_packaged_table_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = local_table_path()
    assert path.name == "calendar_local.toml"
    assert path.parent.name == "data"
    assert path.exists()


def _entry(**fields: Any) -> dict[str, Any]:
    return {"years": {"2027": {"source": "test"} | fields}}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"years": {"27": {"source": "x"}}}, "years.27: the key must be a four-digit year"),
        ({"years": {"2027": {}}}, "years.2027: 'source' must name the notice"),
        (_entry(holiday=[]), "years.2027: unknown field(s) holiday"),
        (_entry(confirmed="yes"), "years.2027: 'confirmed' must be true or false"),
        (
            _entry(make_up_workdays=[date(2027, 2, 8)]),
            "make_up_workdays[0]: 2027-02-08 is a weekday",
        ),
        (_entry(make_up_workdays=["2027-02-06"]), "make_up_workdays[0]: must be a date"),
        (
            _entry(make_up_workdays=[date(2029, 2, 3)]),
            "make_up_workdays[0]: 2029-02-03 does not fit year 2027",
        ),
        (
            _entry(
                holidays=[{"name": "Spring", "from": date(2027, 2, 12), "to": date(2027, 2, 8)}]
            ),
            "years.2027.holidays[0] (Spring): 'from' 2027-02-12 is after 'to' 2027-02-08",
        ),
        (
            _entry(holidays=[{"from": date(2027, 2, 8)}]),
            "years.2027.holidays[0]: 'name' is required",
        ),
        (
            _entry(
                make_up_workdays=[date(2027, 2, 6)],
                holidays=[{"name": "x", "from": date(2027, 2, 6), "to": date(2027, 2, 7)}],
            ),
            "2027-02-06 listed as holiday and make-up workday",
        ),
    ],
)
def test_a_broken_local_table_names_the_entry(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        official_calendar(2027, 2027, local_table=table)
    assert message in str(caught.value)
    assert not isinstance(caught.value, CalendarNotCovered)
