"""One vocabulary for a year's holiday arrangement, whichever source it comes from.

The State Council's notice, the ``chinesecalendar`` package, the hall's local
table and the statutory rule all answer the same question (which days break
the Monday-to-Friday week, and why), so deadlines, the public calendar and the
rebasing of running cases can say where a date came from without caring how.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, model_validator


class DayReason(StrEnum):
    """Why a day breaks the Monday-to-Friday week."""

    HOLIDAY = "holiday"
    """A day off for a festival (a weekday, or a weekend day inside the festival's days off)."""
    MAKE_UP_WORKING_DAY = "make_up_working_day"
    """A Saturday or Sunday worked to pay for a bridge day (调休上班); only a notice sets these."""
    STATUTORY_MADE_UP = "statutory_made_up"
    """A weekday off because a statutory day fell on a weekend or on another feast (补假)."""


class YearSource(StrEnum):
    """Whether a year rests on a published notice or on the statutory rule alone."""

    OFFICIAL = "official"
    PROVISIONAL = "provisional"


class DayEntry(BaseModel):
    """One day that is not an ordinary Monday-to-Friday working day or weekend day off."""

    model_config = ConfigDict(frozen=True)

    date: dt.date
    working: bool
    reason: DayReason
    name: str
    """The festival, in Chinese (e.g. "春节"); empty if the source does not say."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.working != (self.reason is DayReason.MAKE_UP_WORKING_DAY):
            raise ValueError(f"{self.date}: a {self.reason} day cannot have working={self.working}")
        weekend = self.date.weekday() >= 5
        if self.reason is DayReason.MAKE_UP_WORKING_DAY and not weekend:
            raise ValueError(f"{self.date}: a make-up working day must be a Saturday or Sunday")
        if self.reason is DayReason.STATUTORY_MADE_UP and weekend:
            raise ValueError(f"{self.date}: a made-up statutory day must be a weekday")
        return self


class YearArrangement(BaseModel):
    """Every exception to the ordinary week in one year, and where they come from."""

    model_config = ConfigDict(frozen=True)

    year: int
    source: YearSource
    confirmed: bool
    """False for a provisional year, or an official entry not yet checked against the notice."""
    reference: str
    """The notice, the package ("chinesecalendar X.Y.Z") or the law the days rest on."""
    days: tuple[DayEntry, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        dates = [entry.date for entry in self.days]
        if dates != sorted(set(dates)):
            raise ValueError(f"{self.year}: days must be in date order, each once")
        stray = [d for d in dates if d.year != self.year]
        if stray:
            raise ValueError(f"{self.year}: {', '.join(map(str, stray))} lie in another year")
        if self.source is YearSource.PROVISIONAL and self.confirmed:
            raise ValueError(f"{self.year}: a provisional year cannot be confirmed")
        return self

    @property
    def holidays(self) -> frozenset[dt.date]:
        """Days off, weekend days inside a festival included."""
        return frozenset(entry.date for entry in self.days if not entry.working)

    @property
    def workdays_on_weekend(self) -> frozenset[dt.date]:
        """Saturdays and Sundays that are working days."""
        return frozenset(entry.date for entry in self.days if entry.working)
