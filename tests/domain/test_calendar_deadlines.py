from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import (
    CalendarNotCovered,
    OfficeHours,
    add_working_days,
    add_working_hours,
    load_office_hours,
    official_calendar,
    working_days_between,
    working_days_deadline,
    working_time_between,
)

CST = ZoneInfo("Asia/Shanghai")
CAL = official_calendar(2025, 2026)
HOURS = load_office_hours().model_copy(update={"count_extended": False})
WITH_EXTENDED = HOURS.model_copy(update={"count_extended": True})

days_2025_2026 = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 10, 31))


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=CST)


# Working days


def test_reference_check_five_days_over_mid_autumn_and_national_day() -> None:
    assert add_working_days(CAL, date(2026, 9, 24), 5) == date(2026, 10, 9)
    assert working_days_between(CAL, date(2026, 9, 24), date(2026, 10, 9)) == 5


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 2, 12), 1, date(2026, 2, 13)),
        (date(2026, 2, 12), 2, date(2026, 2, 14)),  # make-up Saturday counts
        (date(2026, 2, 12), 3, date(2026, 2, 24)),  # then nine days off
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
        (date(2026, 2, 14), 5, date(2026, 2, 28)),  # lands on the second make-up Saturday
        (date(2026, 2, 14), 6, date(2026, 3, 2)),
        (date(2026, 2, 18), 1, date(2026, 2, 24)),  # accepted during the festival
        (date(2026, 9, 18), 1, date(2026, 9, 20)),  # make-up Sunday counts
        (date(2026, 9, 24), 6, date(2026, 10, 10)),  # make-up Saturday after National Day
        (date(2026, 9, 24), 7, date(2026, 10, 12)),
        (date(2026, 10, 1), 1, date(2026, 10, 8)),
        (date(2026, 2, 12), 30, date(2026, 4, 1)),  # statutory 30 working days
    ],
)
def test_deadlines_over_spring_festival_and_national_day(
    start: date, n: int, expected: date
) -> None:
    assert add_working_days(CAL, start, n) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 9, 20), date(2026, 9, 20)),  # make-up Sunday is itself a working day
        (date(2026, 9, 19), date(2026, 9, 20)),
        (date(2026, 10, 1), date(2026, 10, 8)),
        (date(2026, 2, 27), date(2026, 2, 27)),
    ],
)
def test_zero_days_is_the_day_itself_or_the_next_working_day(start: date, expected: date) -> None:
    assert add_working_days(CAL, start, 0) == expected


def test_negative_counts_go_backwards() -> None:
    assert add_working_days(CAL, date(2026, 10, 9), -5) == date(2026, 9, 24)
    assert add_working_days(CAL, date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert working_days_between(CAL, date(2026, 10, 9), date(2026, 9, 24)) == -5


def test_a_deadline_beyond_the_calendar_is_an_error_not_a_guess() -> None:
    with pytest.raises(CalendarNotCovered, match="2027-01-"):
        add_working_days(CAL, date(2026, 12, 20), 30)
    with pytest.raises(CalendarNotCovered):
        working_days_between(CAL, date(2026, 12, 20), date(2027, 1, 5))
    with pytest.raises(CalendarNotCovered):
        add_working_days(CAL, date(2024, 12, 31), 1)


@given(days_2025_2026, st.integers(min_value=0, max_value=40))
def test_matches_the_package_from_a_working_day(start: date, n: int) -> None:
    # find_workday counts from the next working day when started on a day off, so compare
    # only working-day starts; from a day off, "next day is day 1" gives one day earlier.
    if chinese_calendar.is_workday(start):
        assert add_working_days(CAL, start, n) == chinese_calendar.find_workday(n, start)
    else:
        assert add_working_days(CAL, start, n + 1) == chinese_calendar.find_workday(n, start)


@given(days_2025_2026, st.integers(min_value=1, max_value=40))
def test_between_is_the_inverse_and_the_result_is_a_working_day(start: date, n: int) -> None:
    end = add_working_days(CAL, start, n)
    assert CAL.is_workday(end)
    assert working_days_between(CAL, start, end) == n
    assert working_days_between(CAL, start, end - timedelta(days=1)) == n - 1


# Close of business on the n-th working day


def test_deadline_is_the_close_of_the_last_regular_session() -> None:
    deadline = working_days_deadline(CAL, HOURS, at(2026, 9, 24, 10), 5)
    assert deadline == at(2026, 10, 9, 17, 30)
    assert deadline.utcoffset() == timedelta(hours=8)


def test_deadline_on_a_make_up_saturday_keeps_regular_hours() -> None:
    assert working_days_deadline(CAL, HOURS, at(2026, 2, 14, 11), 5) == at(2026, 2, 28, 17, 30)


def test_acceptance_day_is_taken_in_the_office_time_zone() -> None:
    # 17:00 UTC on 23 September is 01:00 on 24 September in Wuhan.
    accepted = datetime(2026, 9, 23, 17, 0, tzinfo=UTC)
    assert working_days_deadline(CAL, HOURS, accepted, 5) == at(2026, 10, 9, 17, 30)


def test_extended_sessions_never_move_a_day_deadline() -> None:
    assert working_days_deadline(CAL, WITH_EXTENDED, at(2026, 9, 24, 10), 5) == at(
        2026, 10, 9, 17, 30
    )


def test_a_naive_acceptance_time_is_refused() -> None:
    with pytest.raises(ValueError, match="accepted_at: .* needs a time zone"):
        working_days_deadline(CAL, HOURS, datetime(2026, 9, 24, 10), 5)


# Working hours


@pytest.mark.parametrize(
    ("start", "n", "without", "with_extended"),
    [
        # across lunch
        (at(2026, 3, 2, 11), 2, at(2026, 3, 2, 14, 30), at(2026, 3, 2, 13)),
        # starting during lunch
        (at(2026, 3, 2, 12, 30), 1, at(2026, 3, 2, 14, 30), at(2026, 3, 2, 13, 30)),
        # across the evening
        (at(2026, 3, 3, 16, 30), 2, at(2026, 3, 4, 10), at(2026, 3, 4, 10)),
        # starting at night
        (at(2026, 3, 3, 22), 1, at(2026, 3, 4, 10), at(2026, 3, 4, 10)),
        # across an ordinary weekend: Saturday-morning service counts only when switched on
        (at(2026, 3, 6, 16, 30), 2, at(2026, 3, 9, 10), at(2026, 3, 7, 10)),
        # into the make-up Saturday before Spring Festival (regular hours that day)
        (at(2026, 2, 13, 17), 1, at(2026, 2, 14, 9, 30), at(2026, 2, 14, 9, 30)),
        # over Spring Festival: the festival Saturday has no extended service either
        (at(2026, 2, 14, 17), 1, at(2026, 2, 24, 9, 30), at(2026, 2, 24, 9, 30)),
        # over Mid-autumn and National Day to the make-up Saturday
        (at(2026, 9, 30, 17), 16, at(2026, 10, 10, 10, 30), at(2026, 10, 9, 16)),
    ],
)
def test_working_hours_across_lunch_evenings_weekends_and_holidays(
    start: datetime, n: int, without: datetime, with_extended: datetime
) -> None:
    assert add_working_hours(CAL, HOURS, start, n) == without
    assert add_working_hours(CAL, WITH_EXTENDED, start, n) == with_extended


def test_using_up_a_session_ends_at_its_close_not_at_the_next_opening() -> None:
    assert add_working_hours(CAL, HOURS, at(2026, 3, 2, 9), 3) == at(2026, 3, 2, 12)
    assert add_working_hours(CAL, HOURS, at(2026, 3, 2, 9), 7) == at(2026, 3, 2, 17, 30)


def test_zero_hours_is_now_if_open_else_the_next_opening() -> None:
    assert add_working_hours(CAL, HOURS, at(2026, 3, 2, 10, 15), 0) == at(2026, 3, 2, 10, 15)
    assert add_working_hours(CAL, HOURS, at(2026, 3, 2, 18), 0) == at(2026, 3, 3, 9)


def test_hours_as_decimal_float_or_timedelta() -> None:
    start = at(2026, 3, 2, 9)
    expected = at(2026, 3, 2, 10, 30)
    assert add_working_hours(CAL, HOURS, start, Decimal("1.5")) == expected
    assert add_working_hours(CAL, HOURS, start, 1.5) == expected
    assert add_working_hours(CAL, HOURS, start, timedelta(minutes=90)) == expected
    with pytest.raises(ValueError, match="negative"):
        add_working_hours(CAL, HOURS, start, -1)


def test_result_is_in_the_office_zone_whatever_the_input_zone() -> None:
    result = add_working_hours(CAL, HOURS, datetime(2026, 3, 2, 1, 0, tzinfo=UTC), 1)
    assert result == at(2026, 3, 2, 10)
    assert result.tzinfo == CST


def test_working_hours_beyond_the_calendar_is_an_error() -> None:
    with pytest.raises(CalendarNotCovered, match="2027-01-01"):
        add_working_hours(CAL, HOURS, at(2026, 12, 31, 17), 8)


def test_working_time_between_counts_only_office_time() -> None:
    assert working_time_between(CAL, HOURS, at(2026, 3, 2, 11), at(2026, 3, 2, 14, 30)) == (
        timedelta(hours=2)
    )
    assert working_time_between(CAL, WITH_EXTENDED, at(2026, 3, 6, 16), at(2026, 3, 9, 10)) == (
        timedelta(hours=5.5)
    )
    assert working_time_between(CAL, HOURS, at(2026, 3, 3), at(2026, 3, 2)) == timedelta()


moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 10, 31), timezones=st.just(CST)
)


@given(moments, st.integers(min_value=0, max_value=60 * 40), st.booleans())
def test_elapsed_office_time_equals_what_was_added(
    start: datetime, minutes: int, extended: bool
) -> None:
    hours = WITH_EXTENDED if extended else HOURS
    end = add_working_hours(CAL, hours, start, timedelta(minutes=minutes))
    assert end >= start
    assert working_time_between(CAL, hours, start, end) == timedelta(minutes=minutes)
    assert _is_open(hours, end) or minutes == 0 or _is_close(hours, end)


def _is_open(hours: OfficeHours, moment: datetime) -> bool:
    local = moment.astimezone(CST)
    return any(a <= local.time() < b for a, b in hours.counted_on(CAL, local.date()))


def _is_close(hours: OfficeHours, moment: datetime) -> bool:
    local = moment.astimezone(CST)
    return any(local.time() == b for _, b in hours.counted_on(CAL, local.date()))


def test_sessions_are_merged_when_extended_time_is_counted() -> None:
    assert WITH_EXTENDED.counted_on(CAL, date(2026, 3, 2)) == [(time(9), time(17, 30))]
    assert HOURS.counted_on(CAL, date(2026, 3, 2)) == [
        (time(9), time(12)),
        (time(13, 30), time(17, 30)),
    ]
