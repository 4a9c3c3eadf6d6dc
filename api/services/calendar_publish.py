"""Hand running cases the official working-day arrangement once it is published.

A case accepted before the State Council's notice for a year runs on that year's
provisional days (the statutory rule). Once the notice is loaded — an entry in
``calendar_local.toml`` or a new ``chinesecalendar`` release — this finds every open case
whose calendar rests on that year (the ``CaseProvisionalYears`` search attribute), plus
every open case started before cases published that attribute (``CaseCalendarThrough``
unset), and sends each the official year by the ``rebase_calendar`` update. The case
recomputes its pending deadlines from the same start moments.

Run it as ``make calendar-publish`` (``python -m api.services.calendar_publish``); the
worker also runs it at start. Running it twice changes nothing the second time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from domain.calendar import CalendarNotCovered, WorkingCalendar, official_calendar
from logging_setup import get_logger
from models.actor import SYSTEM_ACTOR
from models.enums import SearchAttr
from models.payloads import CalendarUpdateInput, CalendarUpdateResult
from workflows.ids import CASE_WORKFLOW_TYPES, UPDATE_REBASE_CALENDAR

log = get_logger(__name__)
PARALLEL = 16


@dataclass
class PublishReport:
    """What one run did, case by case."""

    years: list[int] = field(default_factory=list)
    updated: dict[str, CalendarUpdateResult] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)

    @property
    def moved(self) -> int:
        """Deadlines moved, over every case updated."""
        return sum(len(r.moved) for r in self.updated.values())

    def summary(self) -> str:
        return (
            f"official years {self.years or 'none'}: {len(self.updated)} case(s) updated, "
            f"{self.moved} deadline(s) moved, {len(self.refused)} refused, "
            f"{len(self.gone)} closed meanwhile"
        )


def published_years(
    today: date, *, local_table: Mapping[str, Any] | None = None
) -> dict[int, WorkingCalendar]:
    """Official calendars, one per year, for the years a running case can reach."""
    calendars = {}
    for year in range(today.year - 1, today.year + 2):
        try:
            calendars[year] = official_calendar(year, year, local_table=local_table)
        except CalendarNotCovered:
            continue
    return calendars


def cases_query(years: list[int], hall: str | None = None) -> str:
    """Open cases resting on one of `years`, or started before the calendar attributes."""
    listed = ", ".join(f"'{y}'" for y in years)
    types = " OR ".join(f"WorkflowType = '{t}'" for t in CASE_WORKFLOW_TYPES)
    query = (
        f"({types}) AND ExecutionStatus = 'Running' AND "
        f"({SearchAttr.PROVISIONAL_YEARS.name} IN ({listed}) OR "
        f"{SearchAttr.CALENDAR_THROUGH.name} IS NULL)"
    )
    if hall is not None:
        if not hall.isalnum():
            raise ValueError(f"hall: {hall!r} must be letters and digits")
        query += f" AND {SearchAttr.HALL.name} = '{hall}'"
    return query


async def publish_calendar(
    client: Client,
    *,
    today: date,
    local_table: Mapping[str, Any] | None = None,
    reference: str | None = None,
    hall: str | None = None,
) -> PublishReport:
    """Send every open case that needs it the official years; see the module docstring."""
    calendars = published_years(today, local_table=local_table)
    report = PublishReport(years=sorted(calendars))
    if not calendars:
        return report
    needs: dict[str, list[int]] = {}
    async for wf in client.list_workflows(cases_query(report.years, hall)):
        provisional = wf.typed_search_attributes.get(SearchAttr.PROVISIONAL_YEARS)
        if provisional:
            needs[wf.id] = sorted(int(y) for y in provisional if int(y) in calendars)
        else:  # started before the attributes: every published year from its start on
            needs[wf.id] = [y for y in report.years if y >= wf.start_time.year]
    gate = asyncio.Semaphore(PARALLEL)

    async def one(workflow_id: str, years: list[int]) -> None:
        async with gate:
            chosen = {y: calendars[y] for y in years}
            await _update_case(client, workflow_id, chosen, reference, report)

    await asyncio.gather(*(one(i, years) for i, years in needs.items() if years))
    log.info(
        "calendar published",
        years=report.years,
        updated=len(report.updated),
        moved=report.moved,
        refused=len(report.refused),
    )
    return report


async def _update_case(
    client: Client,
    workflow_id: str,
    calendars: dict[int, WorkingCalendar],
    reference: str | None,
    report: PublishReport,
) -> None:
    handle = client.get_workflow_handle(workflow_id)
    for year, calendar in sorted(calendars.items()):
        inp = CalendarUpdateInput(
            calendar=calendar,
            reference=reference or f"official working-day calendar {year}",
            actor=SYSTEM_ACTOR,
        )
        try:
            result = await handle.execute_update(
                UPDATE_REBASE_CALENDAR, inp, result_type=CalendarUpdateResult
            )
        except WorkflowUpdateFailedError as err:
            cause = str(err.cause or err)
            report.refused[workflow_id] = f"{year}: {cause}"
            log.warning("calendar refused by case", workflow_id=workflow_id, reason=cause)
            return
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                report.gone.append(workflow_id)
                return
            raise
        previous = report.updated.get(workflow_id)
        if previous is not None:
            result.moved = [*previous.moved, *result.moved]
        report.updated[workflow_id] = result


async def main(argv: list[str] | None = None) -> int:
    """`make calendar-publish`: one run against the configured Temporal cluster."""
    from config import get_settings
    from logging_setup import configure_logging
    from temporal_client import connect

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hall", help="only the cases of this hall (CaseHall); default all")
    parser.add_argument("--reference", help="the notice, as the cases' progress will name it")
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_format)
    client = await connect(settings)
    today = datetime.now(ZoneInfo(settings.TIMEZONE)).date()
    report = await publish_calendar(client, today=today, hall=args.hall, reference=args.reference)
    for workflow_id, result in sorted(report.updated.items()):
        for move in result.moved:
            log.info(
                "deadline moved",
                workflow_id=workflow_id,
                deadline=move.deadline,
                before=move.before,
                after=move.after,
            )
    sys.stdout.write(report.summary() + "\n")
    return 1 if report.refused else 0


if __name__ == "__main__":
    code = asyncio.run(main())
    # Skip interpreter teardown: the Temporal client's Rust threads can outlive the event
    # loop and abort a finalizing interpreter (temporalio/sdk-python#300).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
