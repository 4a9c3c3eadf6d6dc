"""The public working-day calendar: a year's arrangement, and a deadline as the hall counts it.

Public because it holds no personal data, and because an applicant (or a clerk on the
phone) should be able to see why a deadline falls where it does, and whether it rests on
a published notice or only on the statutory rule ("预计 / provisional").
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, NoReturn

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import AwareDatetime, BaseModel

from api.auth.fence import PUBLIC
from api.errors import responses
from domain.calendar import (
    CalendarNotCovered,
    YearArrangement,
    YearSource,
    hall_calendar,
    load_office_hours,
    working_days_deadline,
    year_arrangement,
)

__all__ = ["router"]

router = APIRouter(
    prefix="/calendar", tags=["calendar"], responses=responses(422), dependencies=[PUBLIC]
)

FIRST_YEAR, LAST_YEAR = 2004, 2099
"""The years asked about: the official data starts in 2004; beyond 2099 is no hall's concern."""
MAX_WORKING_DAYS = 250
"""About a working year; no deadline of the catalog comes near it."""


class YearSourceItem(BaseModel):
    """Where one year of a deadline's span comes from."""

    year: int
    source: YearSource


class DeadlineAnswer(BaseModel):
    """A deadline counted as a new case's is, and whether it is still an estimate."""

    start: datetime
    working_days: int
    deadline: datetime
    """Close of business on the last working day, in the office time zone."""
    provisional: bool
    """True if any day from start to deadline lies in a year without a published notice."""
    years: list[YearSourceItem]


@router.get("/deadline")
def deadline(
    start: Annotated[
        AwareDatetime, Query(description="Acceptance moment, ISO 8601 with an offset")
    ],
    working_days: Annotated[int, Query(ge=0, le=MAX_WORKING_DAYS)],
) -> DeadlineAnswer:
    """The deadline ``working_days`` working days after ``start``, as a new case gets it.

    Counted on the hall's calendar (official years where published, provisional ones
    elsewhere) and office hours: close of the last regular session on the deadline day.
    """
    hours = load_office_hours()
    # Checked before converting too: a moment in year 1 or 9999 cannot change zones.
    if not FIRST_YEAR <= start.year <= LAST_YEAR:
        _bad_start(f"the year must be between {FIRST_YEAR} and {LAST_YEAR}")
    first = start.astimezone(hours.zone).date()
    if not FIRST_YEAR <= first.year <= LAST_YEAR:
        _bad_start(f"the year in the hall's time zone must be between {FIRST_YEAR} and {LAST_YEAR}")
    try:
        calendar = hall_calendar(first.year, first.year + 2)
    except CalendarNotCovered as exc:
        _bad_start(str(exc))
    due = working_days_deadline(calendar, hours, start, working_days)
    years = range(first.year, due.year + 1)
    return DeadlineAnswer(
        start=start,
        working_days=working_days,
        deadline=due,
        provisional=calendar.provisional_between(first, due.date()),
        years=[
            YearSourceItem(
                year=y,
                source=YearSource.PROVISIONAL
                if y in calendar.provisional_years
                else YearSource.OFFICIAL,
            )
            for y in years
        ],
    )


@router.get("/{year}")
def year_calendar(
    year: Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR)],
) -> YearArrangement:
    """Every day of ``year`` that breaks the Monday-to-Friday week, with its reason.

    Lists every weekday off (``holiday``, or ``statutory_made_up`` for a provisional
    year's day made up for a statutory day lost to a weekend), every weekend working day
    (``make_up_working_day``, only ever from a notice) and also the weekend days inside a
    festival's days off (``holiday``, ``working: false``), as the official data lists
    them. ``source`` says whether the year is ``official`` (``confirmed: false`` for a
    hall's entry not yet checked against the notice) or ``provisional``.
    """
    return year_arrangement(year)


def _bad_start(message: str) -> NoReturn:
    detail = [{"loc": ["query", "start"], "msg": message, "type": "value_error"}]
    raise HTTPException(status_code=422, detail=detail)
