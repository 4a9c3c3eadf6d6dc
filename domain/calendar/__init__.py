"""Working days, office hours and deadline maths for the hall.

Build the calendar with :func:`official_calendar` and the hours with
:func:`load_office_hours` outside workflows; inside, call the pure deadline
functions with both handed in as data.
"""

from domain.calendar.deadlines import (
    add_working_days,
    add_working_hours,
    working_days_between,
    working_days_deadline,
    working_time_between,
)
from domain.calendar.office_hours import DayKind, OfficeHours, Session, load_office_hours
from domain.calendar.official import covered_years, official_calendar
from domain.calendar.working_calendar import CalendarNotCovered, WorkingCalendar

__all__ = [
    "CalendarNotCovered",
    "DayKind",
    "OfficeHours",
    "Session",
    "WorkingCalendar",
    "add_working_days",
    "add_working_hours",
    "covered_years",
    "load_office_hours",
    "official_calendar",
    "working_days_between",
    "working_days_deadline",
    "working_time_between",
]
