from datetime import date, time

import pytest
from pydantic import ValidationError

from domain.calendar import DayKind, OfficeHours, Session, load_office_hours, official_calendar
from domain.calendar.office_hours import ZoneMismatch, require_zone

CAL = official_calendar(2026, 2026)


def test_default_hours_from_the_data_file() -> None:
    hours = load_office_hours()
    assert hours.tz == "Asia/Shanghai"
    assert [(s.start, s.end) for s in hours.regular] == [
        (time(9), time(12)),
        (time(13, 30), time(17, 30)),
    ]
    assert {(s.start, s.end) for s in hours.extended} == {
        (time(12), time(13, 30)),
        (time(9), time(12)),
    }
    assert hours.count_extended is False


def test_each_load_is_a_fresh_object() -> None:
    assert load_office_hours() == load_office_hours()
    assert load_office_hours() is not load_office_hours()


def test_regular_hours_follow_the_official_working_days() -> None:
    hours = load_office_hours()
    assert hours.regular_on(CAL, date(2026, 2, 28)) == [
        (time(9), time(12)),
        (time(13, 30), time(17, 30)),
    ]
    assert hours.regular_on(CAL, date(2026, 2, 16)) == []
    assert hours.regular_on(CAL, date(2026, 3, 7)) == []


def test_saturday_service_runs_on_ordinary_saturdays_only() -> None:
    saturday = next(s for s in load_office_hours().extended if s.weekdays == {6})
    assert saturday.applies_on(CAL, date(2026, 3, 7))
    assert not saturday.applies_on(CAL, date(2026, 2, 21))  # Spring Festival
    assert not saturday.applies_on(CAL, date(2026, 2, 28))  # make-up working Saturday
    assert not saturday.applies_on(CAL, date(2026, 3, 8))


def test_a_special_opening_on_listed_dates() -> None:
    special = Session(start=time(9), end=time(12), dates=frozenset({date(2026, 10, 3)}))
    assert special.applies_on(CAL, date(2026, 10, 3))
    assert not special.applies_on(CAL, date(2026, 10, 5))


def test_any_day_kind_includes_holidays() -> None:
    daily = Session(start=time(9), end=time(10), day_kind=DayKind.ANY)
    assert daily.applies_on(CAL, date(2026, 10, 1))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start": time(12), "end": time(9)}, "start 12:00:00 must be before end 09:00:00"),
        ({"start": time(9), "end": time(12), "weekdays": frozenset({0})}, "weekdays must be 1"),
    ],
)
def test_bad_sessions_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Session.model_validate(fields)


def test_bad_office_hours_are_refused() -> None:
    morning = Session(start=time(9), end=time(12))
    with pytest.raises(ValidationError, match="unknown time zone"):
        OfficeHours(tz="Mars/Olympus", regular=[morning])
    with pytest.raises(ValidationError, match="regular"):
        OfficeHours(tz="Asia/Shanghai", regular=[])


def test_travels_as_json() -> None:
    hours = load_office_hours()
    assert OfficeHours.model_validate_json(hours.model_dump_json()) == hours


def test_office_hours_on_the_halls_zone_pass() -> None:
    require_zone(load_office_hours(), "Asia/Shanghai")


def test_office_hours_on_another_zone_are_refused_naming_both() -> None:
    with pytest.raises(ZoneMismatch) as refused:
        require_zone(load_office_hours(), "Asia/Urumqi")
    message = str(refused.value)
    assert "'Asia/Shanghai'" in message and "office_hours.toml" in message
    assert "'Asia/Urumqi'" in message and "TIMEZONE" in message
