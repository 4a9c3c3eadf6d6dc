"""Reads of the read side (`case_view`): the departments' queues and the stored progress.

The queues read only the database, never Temporal: a clerk's list must answer as fast with
a thousand open cases as with ten, and still answer while no worker runs. The SQL is plain
enough for SQLite and PostgreSQL alike (no NULLS LAST: `due_at IS NULL` sorts instead).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, not_, or_
from sqlmodel import col, func, select

from models.archive import Escalation
from models.case_view import CaseView, read_view
from models.database import Database
from models.enums import Department
from models.payloads import CaseProgress
from models.refund import Refund, RefundStatus


def warning_clause(now: datetime) -> ColumnElement[bool]:
    """A task shows the warning once it was given, or once its warning time has passed
    (the activity that gives it may not have run yet)."""
    warn_at = col(CaseView.warn_at)
    return or_(col(CaseView.warned), and_(warn_at.is_not(None), warn_at <= now))


def task_page(
    db: Database,
    department: Department,
    limit: int,
    offset: int,
    *,
    holder: str | None = None,
    warned: bool | None = None,
    now: datetime,
) -> tuple[int, list[CaseView]]:
    """One page of the department's open tasks, the nearest deadline first.

    Args:
        holder: only the tasks this staff id holds (a clerk's "mine").
        warned: only the tasks showing (True) or not showing (False) the warning at `now`.

    Returns:
        How many open tasks match in all, and the rows of the page, ordered by due time
        (none last), then by when the step began, then by case number (a stable order, so
        paging neither repeats nor skips a row while nothing changes).
    """
    filters: list[ColumnElement[bool]] = [
        col(CaseView.department) == department.value,
        col(CaseView.finished_at).is_(None),
    ]
    if holder is not None:
        filters.append(col(CaseView.holder_staff_id) == holder)
    if warned is not None:
        shown = warning_clause(now)
        filters.append(shown if warned else not_(shown))
    with db.session() as session:
        total = session.exec(select(func.count()).select_from(CaseView).where(*filters)).one()
        rows = session.exec(
            select(CaseView).where(*filters).order_by(*_queue_order()).limit(limit).offset(offset)
        ).all()
    return int(total), list(rows)


def _queue_order() -> tuple[Any, ...]:
    # `x IS NULL` is false (0) before true (1) on both backends: NULLs last, portably.
    due, started = col(CaseView.due_at), col(CaseView.started_at)
    return (due.is_(None), due, started.is_(None), started, col(CaseView.case_no))


def due_refunds(db: Database, limit: int, offset: int) -> tuple[int, list[Refund]]:
    """One page of the refunds the tax department still owes, the oldest first.

    They wait on the tax queue beside its cases until a clerk marks them refunded; paged by
    the queue's own limit and offset, so the pages that walk the cases walk these too.
    """
    due = col(Refund.status) == RefundStatus.DUE.value
    with db.session() as session:
        total = session.exec(select(func.count()).select_from(Refund).where(due)).one()
        rows = session.exec(
            select(Refund)
            .where(due)
            .order_by(col(Refund.due_since), col(Refund.id))
            .limit(limit)
            .offset(offset)
        ).all()
    return int(total), list(rows)


def stored_progress(db: Database, case_no: str) -> CaseProgress | None:
    """The case's progress as its last step wrote it, None if no view was ever written."""
    with db.session() as session:
        return read_view(session, case_no)


def escalation_page(
    db: Database,
    limit: int,
    offset: int,
    *,
    kind: str | None = None,
    include_closed: bool = False,
) -> tuple[int, list[tuple[Escalation, CaseView | None]]]:
    """One page of what was raised to the supervisors, the newest first, each with the
    case's view (None for a case without one: the frozen flow's).

    By default only what still needs a supervisor: the raisings of cases not finished, and
    every case stopped as failed.
    """
    filters: list[ColumnElement[bool]] = []
    if kind is not None:
        filters.append(col(Escalation.kind) == kind)
    if not include_closed:
        filters.append(or_(col(CaseView.finished_at).is_(None), col(Escalation.kind) == "failed"))
    joined = select(Escalation, CaseView).join(
        CaseView, col(CaseView.case_no) == col(Escalation.case_no), isouter=True
    )
    with db.session() as session:
        total = session.exec(
            select(func.count())
            .select_from(Escalation)
            .join(CaseView, col(CaseView.case_no) == col(Escalation.case_no), isouter=True)
            .where(*filters)
        ).one()
        rows = session.exec(
            joined.where(*filters)
            .order_by(col(Escalation.escalated_at).desc(), col(Escalation.id).desc())
            .limit(limit)
            .offset(offset)
        ).all()
    return int(total), [(e, v) for e, v in rows]
