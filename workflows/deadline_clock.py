"""A case's deadlines, kept as start moments so a new calendar can recompute them.

Each deadline is "n working days after the moment its step began". The clock remembers
those moments; when the official calendar for a provisional year is handed in, every
pending deadline is recomputed from the same start on the new calendar, and `version`
changes so that whatever waits on a deadline wakes up and sets its timer anew.

Pure state and domain maths (no Temporal calls), imported through the sandbox's
pass-through like `workflows.progress`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.calendar import (
    CalendarNotCovered,
    OfficeHours,
    WorkingCalendar,
    add_working_hours,
    working_days_deadline,
    working_time_between,
)


@dataclass(frozen=True)
class Due:
    """A deadline and whether it rests on a provisional year (shown as 预计 / provisional)."""

    at: datetime
    provisional: bool


class DeadlineClock:
    """Working-day deadlines of one case, on a calendar that can be replaced while it runs."""

    def __init__(
        self, calendar: WorkingCalendar, hours: OfficeHours, deadlines: dict[str, int]
    ) -> None:
        self.calendar = calendar
        self.version = 0
        self._hours = hours
        self._days = deadlines
        self._starts: dict[str, datetime] = {}
        # Supplements (补正): the clock stands still while the applicant brings papers in;
        # each closed pause's working time is added to every deadline started before it.
        self._pauses: list[tuple[datetime, datetime]] = []
        self.paused_since: datetime | None = None

    def pause(self, now: datetime) -> None:
        """Stop the clock (a department asked for papers); waiting deadlines set no timer."""
        self.paused_since = now
        self.version += 1

    def resume(self, now: datetime) -> None:
        """Start the clock again; the pause's working time moves every started deadline."""
        if self.paused_since is not None:
            self._pauses.append((self.paused_since, now))
        self.paused_since = None
        self.version += 1

    def start(self, key: str, now: datetime) -> Due | None:
        """Start (or restart) deadline `key` at `now`; its due moment, None if unknown."""
        self._starts[key] = now
        return self.due(key)

    def preview(self, key: str, now: datetime) -> Due | None:
        """What deadline `key` would be if started at `now` (nothing is started)."""
        days = self._days.get(key)
        return None if days is None else self._due_from(now, days)

    def warning(self, key: str, share: float) -> datetime | None:
        """The moment `share` of deadline `key`'s working time has gone: its step's warning.

        Working time, not wall time: a step started on Friday afternoon is not warned over
        the weekend. None where the deadline is unknown.
        """
        days, start = self._days.get(key), self._starts.get(key)
        due = None if days is None or start is None else self._due_from(start, days)
        if start is None or due is None:
            return None
        try:
            spent = working_time_between(self.calendar, self._hours, start, due.at) * share
            warned = Due(
                at=add_working_hours(self.calendar, self._hours, start, spent), provisional=False
            )
        except CalendarNotCovered:
            return None
        shifted = self._shifted(start, warned)
        return None if shifted is None else shifted.at

    def due(self, key: str) -> Due | None:
        """Deadline `key` from its start on the current calendar.

        None if the step has no deadline, was never started, or the calendar does not reach
        it: an unknown deadline sets no timer rather than a guessed one.
        """
        days, start = self._days.get(key), self._starts.get(key)
        if days is None or start is None:
            return None
        due = self._due_from(start, days)
        return None if due is None else self._shifted(start, due)

    def _shifted(self, start: datetime, due: Due) -> Due | None:
        """`due` moved by the working time of every closed pause after `start`."""
        try:
            paused = sum(
                (
                    working_time_between(self.calendar, self._hours, max(begun, start), ended)
                    for begun, ended in self._pauses
                    if ended > start
                ),
                timedelta(),
            )
            if not paused:
                return due
            at = add_working_hours(self.calendar, self._hours, due.at, paused)
        except CalendarNotCovered:
            return None
        local_start = start.astimezone(self._hours.zone).date()
        return Due(at=at, provisional=self.calendar.provisional_between(local_start, at.date()))

    def _due_from(self, start: datetime, days: int) -> Due | None:
        try:
            at = working_days_deadline(self.calendar, self._hours, start, days)
        except CalendarNotCovered:
            return None
        local_start = start.astimezone(self._hours.zone).date()
        return Due(at=at, provisional=self.calendar.provisional_between(local_start, at.date()))

    def contradictions(self, official: WorkingCalendar) -> list[str]:
        """Why `official` may not replace this calendar's days; empty if it may."""
        try:
            self.calendar.merged_with(official)
        except ValueError as err:
            return [str(err)]
        return [
            f"{day.isoformat()} is already official and the new table says otherwise"
            for day in self.calendar.official_contradictions(official)
        ]

    def rebase(self, official: WorkingCalendar) -> dict[str, tuple[Due | None, Due | None]]:
        """Take the official years in; every started deadline's (before, after)."""
        before = {key: self.due(key) for key in self._starts}
        self.calendar = self.calendar.merged_with(official)
        self.version += 1
        return {key: (was, self.due(key)) for key, was in before.items()}
