"""The read side: where each case stands, as the database keeps it for reads and queues.

The workflow is the system of record for where a case stands; this table is its projection.
Each step activity of a case writes the view the workflow planned for the moment its work is
done (`ViewPlan`), right after the work commits and with the SMS it causes, so a reader never
sees a step done that is not. `GET /cases/{case_no}` answers from it when no worker answers
the live query (or after Temporal's retention), and the departments' queues read it.

A plan carries the workflow's sequence number: a retried or late activity never overwrites a
newer view with an older one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pydantic
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, Session, SQLModel

from models.actor import Actor
from models.enums import StepName, StepStatus
from models.payloads import CaseProgress, StepProgress

WAITING_STATES = (StepStatus.RUNNING, StepStatus.WAITING)


class ViewPlan(pydantic.BaseModel):
    """The case as it will stand once the activity carrying this plan has done its work.

    Times the workflow cannot know (when the work ends) are left empty on the steps it
    finishes or begins; the writer fills them with the moment it writes.
    """

    seq: int = pydantic.Field(ge=1, description="the workflow's count of planned views")
    hall: str
    progress: CaseProgress
    holder: Actor | None = pydantic.Field(default=None, description="who holds the step")


class CaseView(SQLModel, table=True):
    """One row per case: the current step with its deadline, warning and holder, and the
    whole progress as the clerk's page shows it."""

    __tablename__ = "case_view"
    __table_args__ = (Index("ix_case_view_queue", "department", "finished_at", "due_at"),)

    case_no: str = Field(primary_key=True, foreign_key="case.case_no")
    seq: int
    business_type: str
    hall: str = Field(index=True)
    stage: str = Field(index=True)
    department: str
    step: str | None = None  # the running or waiting step, if any
    step_status: str | None = None
    started_at: datetime | None = None
    due_at: datetime | None = None
    warn_at: datetime | None = None
    warned: bool = False
    escalated: bool = False
    holder_staff_id: str | None = None
    holder_name: str | None = None
    legal_due_at: datetime | None = None
    completion_due_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime
    progress: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


def current_step(progress: CaseProgress) -> StepProgress | None:
    """The step the case is in (running or waiting), None between steps and once closed."""
    return next((s for s in progress.steps if s.status in WAITING_STATES), None)


def stamped(plan: ViewPlan, now: datetime) -> CaseProgress:
    """The plan's progress with the times it left open set to `now`."""
    progress = plan.progress.model_copy(deep=True)
    for step in progress.steps:
        if step.status == StepStatus.DONE and step.finished_at is None:
            step.finished_at = now
        if step.status in (*WAITING_STATES, StepStatus.DONE) and step.started_at is None:
            step.started_at = now
    return progress


def write_view(session: Session, plan: ViewPlan, now: datetime | None = None) -> bool:
    """Store the plan as the case's view unless a newer one is already stored.

    Returns:
        True if the row was written, False if the stored view is as new or newer.
    """
    now = now or datetime.now(UTC)
    row = session.get(CaseView, plan.progress.case_no, with_for_update=True)
    if row is not None and row.seq >= plan.seq:
        return False
    progress = stamped(plan, now)
    step = current_step(progress)
    values: dict[str, Any] = {
        "seq": plan.seq,
        "business_type": progress.business_type,
        "hall": plan.hall,
        "stage": progress.stage.value,
        "department": progress.department.value,
        "step": step.name.value if step else None,
        "step_status": step.status.value if step else None,
        "started_at": step.started_at if step else None,
        "due_at": step.due_at if step else None,
        "warn_at": step.warn_at if step else None,
        "warned": bool(step and step.warned),
        "escalated": bool(step and step.escalated),
        "holder_staff_id": plan.holder.staff_id if plan.holder and step else None,
        "holder_name": plan.holder.name if plan.holder and step else None,
        "legal_due_at": progress.legal_due_at,
        "completion_due_at": progress.completion_due_at,
        "finished_at": progress.finished_at,
        "updated_at": now,
        "progress": progress.model_dump(mode="json"),
    }
    if row is None:
        session.add(CaseView(case_no=progress.case_no, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
        session.add(row)
    session.flush()
    return True


def read_view(session: Session, case_no: str) -> CaseProgress | None:
    """The case's progress as last written, None if no view was ever written."""
    row = session.get(CaseView, case_no)
    return None if row is None else CaseProgress.model_validate(row.progress)


def with_result(plan: ViewPlan, step: StepName, detail: str | None, **fields: Any) -> ViewPlan:
    """The plan with what only the step's work knows: its detail, and progress fields such
    as the bill's total or the certificate number."""
    progress = plan.progress.model_copy(deep=True, update=fields)
    if detail:
        next(s for s in progress.steps if s.name == step).detail = detail
    return plan.model_copy(update={"progress": progress})
