from datetime import date, timedelta
from typing import Any

import chinese_calendar
import pytest

from domain.calendar import CalendarNotCovered, covered_years, official_calendar

# Invented dates, only to exercise the local table; not any real State Council schedule.
FAKE_2027: dict[str, Any] = {
    "years": {
        "2027": {
            "source": "test fixture",
            "confirmed": False,
            "make_up_workdays": [date(2027, 2, 6)],
            "holidays": [
                {"name": "New Year", "from": date(2027, 1, 1), "to": date(2027, 1, 1)},
                {"name": "Spring", "from": date(2027, 2, 8), "to": date(2027, 2, 12)},
            ],
        }
    }
}


def test_agrees_with_the_package_on_every_day_of_2025_and_2026() -> None:
    cal = official_calendar(2025, 2026)
    day = date(2025, 1, 1)
    while day <= date(2026, 12, 31):
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_a_year_in_no_table_is_refused_naming_the_year() -> None:
    with pytest.raises(CalendarNotCovered) as caught:
        official_calendar(2026, 2027)
    assert caught.value.year == 2027
    assert "2027" in str(caught.value)
    assert "calendar_local.toml" in str(caught.value)
    with pytest.raises(CalendarNotCovered, match="2003"):
        official_calendar(2003, 2004)


def test_the_packaged_local_table_is_valid_and_leaves_2027_out() -> None:
    years = covered_years()
    assert set(range(2004, 2027)) <= set(years)
    assert 2027 not in years


def test_local_table_fills_a_year_the_package_lacks() -> None:
    cal = official_calendar(2026, 2027, local_table=FAKE_2027)
    assert cal.last_day == date(2027, 12, 31)
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 2, 6))  # Saturday listed as make-up day
    assert not cal.is_workday(date(2027, 2, 10))
    assert cal.is_workday(date(2027, 2, 15))
    assert cal.is_workday(date(2026, 9, 20))  # 2026 still from the package
    assert covered_years(local_table=FAKE_2027)[-1] == 2027


def test_the_package_wins_for_a_year_it_covers() -> None:
    table = {
        "years": {
            "2026": {
                "source": "stale copy",
                "holidays": [{"name": "wrong", "from": date(2026, 3, 2), "to": date(2026, 3, 2)}],
            }
        }
    }
    assert official_calendar(2026, 2026, local_table=table).is_workday(date(2026, 3, 2))


def _entry(**fields: Any) -> dict[str, Any]:
    return {"years": {"2027": {"source": "test"} | fields}}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"years": {"27": {"source": "x"}}}, "years.27: the key must be a four-digit year"),
        ({"years": {"2027": {}}}, "years.2027: 'source' must name the notice"),
        (_entry(holiday=[]), "years.2027: unknown field(s) holiday"),
        (
            _entry(make_up_workdays=[date(2027, 2, 8)]),
            "make_up_workdays[0]: 2027-02-08 is a weekday",
        ),
        (_entry(make_up_workdays=["2027-02-06"]), "make_up_workdays[0]: must be a date"),
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
