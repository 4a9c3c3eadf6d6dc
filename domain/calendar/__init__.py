"""Working days, office hours and deadline maths for the hall.

Build the calendar with :func:`hall_calendar` (official years where published,
provisional ones derived from the law elsewhere) and the hours with
:func:`load_office_hours` outside workflows; inside, call the pure deadline
functions with both handed in as data.
"""

from domain.calendar.arrangement import DayEntry, DayReason, YearArrangement, YearSource
from domain.calendar.deadlines import (
    add_working_days,
    add_working_hours,
    working_days_between,
    working_days_deadline,
    working_time_between,
)
from domain.calendar.local_table import local_table_path
from domain.calendar.office_hours import DayKind, OfficeHours, Session, load_office_hours
from domain.calendar.official import (
    hall_calendar,
    official_arrangement,
    official_calendar,
    official_years,
    year_arrangement,
)
from domain.calendar.provisional import provisional_arrangement
from domain.calendar.working_calendar import CalendarNotCovered, WorkingCalendar

__all__ = [
    "CalendarNotCovered",
    "DayEntry",
    "DayKind",
    "DayReason",
    "OfficeHours",
    "Session",
    "WorkingCalendar",
    "YearArrangement",
    "YearSource",
    "add_working_days",
    "add_working_hours",
    "hall_calendar",
    "load_office_hours",
    "local_table_path",
    "official_arrangement",
    "official_calendar",
    "official_years",
    "provisional_arrangement",
    "working_days_between",
    "working_days_deadline",
    "working_time_between",
    "year_arrangement",
]
