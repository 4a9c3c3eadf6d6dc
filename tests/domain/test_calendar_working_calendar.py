import pickle
from datetime import date, datetime

import pytest
from pydantic import ValidationError

from domain.calendar import CalendarNotCovered, WorkingCalendar, official_calendar

CAL_2026 = official_calendar(2026, 2026)


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (date(2026, 1, 2), False),  # New Year, Friday
        (date(2026, 1, 4), True),  # make-up Sunday
        (date(2026, 2, 13), True),
        (date(2026, 2, 14), True),  # make-up Saturday before Spring Festival
        (date(2026, 2, 16), False),
        (date(2026, 2, 23), False),  # last day of the 9-day Spring Festival, a Monday
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # make-up Saturday after Spring Festival
        (date(2026, 3, 7), False),  # ordinary Saturday
        (date(2026, 5, 9), True),  # make-up Saturday after Labour Day
        (date(2026, 9, 20), True),  # make-up Sunday before Mid-autumn
        (date(2026, 9, 25), False),  # Mid-autumn, Friday
        (date(2026, 10, 1), False),
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # make-up Saturday after National Day
        (date(2026, 10, 11), False),
    ],
)
def test_official_2026_days(day: date, workday: bool) -> None:
    assert CAL_2026.is_workday(day) is workday


def test_festival_weekend_is_a_holiday_but_an_ordinary_weekend_is_not() -> None:
    assert CAL_2026.is_holiday(date(2026, 2, 21))
    assert not CAL_2026.is_holiday(date(2026, 3, 7))


def test_outside_the_range_is_an_error_naming_date_and_range() -> None:
    with pytest.raises(CalendarNotCovered) as caught:
        CAL_2026.is_workday(date(2027, 1, 4))
    assert caught.value.day == date(2027, 1, 4)
    assert str(caught.value) == (
        "2027-01-04 is outside the working-day calendar, which covers 2026-01-01 to 2026-12-31"
    )
    assert isinstance(caught.value, ValueError)


def test_error_survives_pickling_with_its_fields() -> None:
    error = CalendarNotCovered("no data", day=date(2027, 1, 4), year=2027)
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.day, copy.year) == ("no data", date(2027, 1, 4), 2027)


def test_a_datetime_is_not_mistaken_for_a_date() -> None:
    with pytest.raises(TypeError, match="expected a date"):
        CAL_2026.is_workday(datetime(2026, 2, 16, 10))


def test_window_is_a_slice_with_the_same_answers() -> None:
    window = CAL_2026.window(date(2026, 9, 1), date(2026, 10, 31))
    assert (window.first_day, window.last_day) == (date(2026, 9, 1), date(2026, 10, 31))
    assert window.workdays_on_weekend == {date(2026, 9, 20), date(2026, 10, 10)}
    for ordinal in range(window.first_day.toordinal(), window.last_day.toordinal() + 1):
        day = date.fromordinal(ordinal)
        assert window.is_workday(day) == CAL_2026.is_workday(day)
    with pytest.raises(CalendarNotCovered):
        window.is_workday(date(2026, 11, 2))
    with pytest.raises(CalendarNotCovered):
        CAL_2026.window(date(2026, 12, 1), date(2027, 1, 31))
    with pytest.raises(ValueError, match="is after its end"):
        CAL_2026.window(date(2026, 10, 31), date(2026, 9, 1))


def test_travels_as_small_json_and_comes_back_equal() -> None:
    two_years = official_calendar(2025, 2026)
    payload = two_years.model_dump_json()
    assert len(payload) < 2_000
    assert WorkingCalendar.model_validate_json(payload) == two_years


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_day": date(2026, 2, 1), "last_day": date(2026, 1, 1)}, "is after last_day"),
        ({"holidays": frozenset({date(2027, 1, 1)})}, "lie outside"),
        ({"workdays_on_weekend": frozenset({date(2026, 3, 2)})}, "fall on Monday-Friday"),
        (
            {
                "holidays": frozenset({date(2026, 3, 7)}),
                "workdays_on_weekend": frozenset({date(2026, 3, 7)}),
            },
            "both holiday and workday",
        ),
    ],
)
def test_inconsistent_calendars_are_refused(fields: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"first_day": date(2026, 1, 1), "last_day": date(2026, 12, 31)}
    with pytest.raises(ValidationError, match=message):
        WorkingCalendar.model_validate(base | fields)


def test_plain_week_without_exceptions() -> None:
    cal = WorkingCalendar(first_day=date(2030, 1, 1), last_day=date(2030, 1, 31))
    assert [cal.is_workday(date(2030, 1, d)) for d in range(7, 14)] == [True] * 5 + [False] * 2
