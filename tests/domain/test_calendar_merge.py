"""Handing a running case an official year: merge, contradictions, provisional spans."""

from __future__ import annotations

from datetime import date

import pytest

from domain.calendar import WorkingCalendar

# A case's window across New Year, 2027 still provisional (only 1 January off).
WINDOW = WorkingCalendar(
    first_day=date(2026, 12, 20),
    last_day=date(2027, 3, 31),
    holidays=frozenset({date(2027, 1, 1)}),
    provisional_years=frozenset({2027}),
)
# A made-up official 2027: 1 January and a bridge on Monday 4 January off, Sunday 10 January worked.
OFFICIAL_2027 = WorkingCalendar(
    first_day=date(2027, 1, 1),
    last_day=date(2027, 12, 31),
    holidays=frozenset({date(2027, 1, 1), date(2027, 1, 4)}),
    workdays_on_weekend=frozenset({date(2027, 1, 10)}),
)


def test_merge_replaces_the_provisional_year_and_keeps_the_window_start() -> None:
    merged = WINDOW.merged_with(OFFICIAL_2027)
    assert merged.first_day == date(2026, 12, 20)
    assert merged.last_day == date(2027, 12, 31)
    assert merged.provisional_years == frozenset()
    assert not merged.is_workday(date(2027, 1, 4))
    assert merged.is_workday(date(2027, 1, 10))
    assert merged.is_workday(date(2026, 12, 21))


def test_provisional_between_names_spans_that_touch_a_provisional_year() -> None:
    assert WINDOW.provisional_between(date(2026, 12, 21), date(2027, 1, 5))
    assert not WINDOW.provisional_between(date(2026, 12, 21), date(2026, 12, 31))
    assert not WINDOW.merged_with(OFFICIAL_2027).provisional_between(
        date(2026, 12, 21), date(2027, 1, 5)
    )


def test_an_official_year_never_contradicts_a_provisional_one() -> None:
    assert WINDOW.official_contradictions(OFFICIAL_2027) == []


def test_a_second_table_that_changes_official_days_is_a_contradiction() -> None:
    merged = WINDOW.merged_with(OFFICIAL_2027)
    other = OFFICIAL_2027.model_copy(update={"holidays": frozenset({date(2027, 1, 1)})})
    assert merged.official_contradictions(other) == [date(2027, 1, 4)]


def test_merge_refuses_provisional_partial_or_distant_years() -> None:
    with pytest.raises(ValueError, match="provisional"):
        WINDOW.merged_with(WINDOW.model_copy(update={"first_day": date(2027, 1, 1)}))
    with pytest.raises(ValueError, match="whole years"):
        WINDOW.merged_with(OFFICIAL_2027.window(date(2027, 1, 1), date(2027, 6, 30)))
    later = WorkingCalendar(first_day=date(2029, 1, 1), last_day=date(2029, 12, 31))
    with pytest.raises(ValueError, match="gap"):
        WINDOW.merged_with(later)


def test_window_keeps_only_the_provisional_years_it_reaches() -> None:
    assert WINDOW.window(date(2026, 12, 20), date(2026, 12, 31)).provisional_years == frozenset()
    assert WINDOW.window(date(2026, 12, 20), date(2027, 1, 2)).provisional_years == {2027}
