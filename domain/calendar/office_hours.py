"""Office hours of the hall: regular sessions and extended-service (延时服务) ones.

Working-hour deadlines ("within 4 working hours") count only time when the
hall is open. Regular sessions always count; extended sessions (lunch-break
opening, Saturday mornings) count only when the bureau says so
(``count_extended``), because whether they do is a local policy choice.
Defaults live in ``domain/data/office_hours.toml``.
"""

from __future__ import annotations

import functools
import tomllib
from datetime import date, time
from enum import StrEnum
from importlib.resources import files
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.calendar.working_calendar import WorkingCalendar

ALL_WEEKDAYS = frozenset(range(1, 8))


class DayKind(StrEnum):
    """Which kind of day a weekday-based session runs on."""

    WORKDAY = "workday"
    """Official working days, including make-up weekend days (调休上班)."""
    REST_DAY = "rest_day"
    """Ordinary weekend days off; never official holidays (the hall closes for festivals)."""
    ANY = "any"
    """Every day of the listed weekdays, holidays included."""


class Session(BaseModel):
    """One opening period of a day, e.g. 09:00-12:00.

    A session runs either on the ``dates`` listed (special openings; the day
    kind is then ignored) or, when no dates are listed, on the ISO
    ``weekdays`` (1 = Monday .. 7 = Sunday) whose kind matches ``day_kind``.
    The default, all weekdays of kind ``workday``, means "every official
    working day", so regular hours follow make-up Saturdays automatically.
    """

    model_config = ConfigDict(frozen=True)

    name: str = ""
    start: time
    end: time
    weekdays: frozenset[int] = ALL_WEEKDAYS
    dates: frozenset[date] = frozenset()
    day_kind: DayKind = DayKind.WORKDAY

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        label = f"session {self.name or self.start.isoformat()}"
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError(f"{label}: times are local to the office time zone, without offset")
        if self.start >= self.end:
            raise ValueError(f"{label}: start {self.start} must be before end {self.end}")
        if not self.weekdays <= ALL_WEEKDAYS or not self.weekdays:
            raise ValueError(f"{label}: weekdays must be 1 (Monday) to 7 (Sunday)")
        return self

    def applies_on(self, calendar: WorkingCalendar, day: date) -> bool:
        """Whether this session is held on ``day``.

        Raises:
            CalendarNotCovered: If ``day`` is outside ``calendar``.
        """
        workday = calendar.is_workday(day)
        if self.dates:
            return day in self.dates
        if day.isoweekday() not in self.weekdays:
            return False
        match self.day_kind:
            case DayKind.WORKDAY:
                return workday
            case DayKind.REST_DAY:
                return not workday and not calendar.is_holiday(day)
            case DayKind.ANY:
                return True


class OfficeHours(BaseModel):
    """The hall's opening sessions and whether extended ones count for deadlines."""

    model_config = ConfigDict(frozen=True)

    # No default: the data file names its zone, and the processes check it against settings.
    tz: str
    regular: list[Session] = Field(min_length=1)
    extended: list[Session] = Field(default_factory=list)
    count_extended: bool = False

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"tz: unknown time zone {value!r}") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The office time zone."""
        return ZoneInfo(self.tz)

    def regular_on(self, calendar: WorkingCalendar, day: date) -> list[tuple[time, time]]:
        """Regular sessions held on ``day``, merged and in order."""
        return _merge(s for s in self.regular if s.applies_on(calendar, day))

    def counted_on(self, calendar: WorkingCalendar, day: date) -> list[tuple[time, time]]:
        """Sessions on ``day`` that count toward working-hour deadlines, merged."""
        sessions = self.regular + (self.extended if self.count_extended else [])
        # Checked even when no session names the day, so a day beyond the calendar is an error.
        calendar.require(day)
        return _merge(s for s in sessions if s.applies_on(calendar, day))


class ZoneMismatch(ValueError):
    """The office hours and the hall's settings disagree on the time zone."""


def require_zone(hours: OfficeHours, zone: str) -> None:
    """Refuse office hours kept on another clock than the hall's ``zone`` (its settings).

    Deadlines count office hours in ``hours.tz`` while dates elsewhere are read in the
    settings' zone; two clocks would put a case's deadline and its dates a day apart.

    Raises:
        ZoneMismatch: naming both zones and where each is set.
    """
    if hours.tz != zone:
        raise ZoneMismatch(
            f"office hours time zone {hours.tz!r} (tz in domain/data/office_hours.toml) "
            f"differs from the hall's TIMEZONE {zone!r} (settings); make them the same"
        )


def _merge(sessions: Any) -> list[tuple[time, time]]:
    merged: list[tuple[time, time]] = []
    for start, end in sorted((s.start, s.end) for s in sessions):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@functools.cache
def _office_hours_table() -> dict[str, Any]:
    text = (files("domain") / "data" / "office_hours.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_office_hours() -> OfficeHours:
    """The hall's office hours from ``domain/data/office_hours.toml``.

    Returns a fresh object each call; the file is read once per process.

    Raises:
        pydantic.ValidationError: If the file breaks a rule, naming the field.
    """
    return OfficeHours.model_validate(_office_hours_table())
