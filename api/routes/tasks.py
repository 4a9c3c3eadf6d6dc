"""The departments' work queues: each deciding department's open cases, nearest deadline first.

Read from the read side (`case_view`), never from Temporal: the list answers with no worker
running and costs one indexed query however many cases are open.

One route per department (`/departments/housing/tasks`, …) rather than one with a path
parameter, so the route's own fence says who reads it — that department's clerks and the
supervisors — and the gate refuses a clerk of another department (403 naming the roles
admitted) before anything runs, as for every other route (tests/api/test_route_fence.py).

The tax queue also lists the refunds still owed (models/refund.py): the money of a paid case
that ended unregistered waits there, as a task does, until a tax clerk pays it back.
"""

# No `from __future__ import annotations`: each queue's route is a closure whose fence is a
# local, and FastAPI must see the evaluated annotation, not the string "admitted".
import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth.fence import fence
from api.deps import DatabaseDep
from api.errors import responses
from api.routes.departments import ROLE_OF, DecidingDepartment
from api.services.read_side import due_refunds, task_page
from domain.tax import Payer
from models.actor import Actor, Role
from models.case_view import CaseView
from models.enums import Department, Stage, StepName, StepStatus
from models.refund import Refund

router = APIRouter(tags=["departments"], responses=responses(401, 403, 422))

MAX_LIMIT = 200
MAX_OFFSET = 100_000  # far beyond any hall's open cases; bounds what a stray URL can ask

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"tasks per page, 1 to {MAX_LIMIT}")]
Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="tasks to skip: the page starts after them")
]
Mine = Annotated[
    bool, Query(description="only the tasks whose step the caller holds (has claimed)")
]
Warned = Annotated[
    bool | None,
    Query(description="only the tasks showing (true) or not showing (false) the warning"),
]


class TaskHolder(BaseModel):
    """The clerk who has claimed the step."""

    staff_id: str
    name: str


class Task(BaseModel):
    """One open case waiting in the department, as the queue lists it."""

    case_no: str = Field(description="the printed case number")
    business_type: str
    stage: Stage
    step: StepName | None = Field(description="the running or waiting step")
    step_status: StepStatus | None = Field(description="running (automatic) or waiting (a clerk)")
    started_at: datetime | None = Field(description="when the step began")
    due_at: datetime | None = Field(description="the step's deadline (working days)")
    warn_at: datetime | None = Field(description="when the step's time starts running short")
    warning: bool = Field(description="the warning was given, or its time has passed")
    overdue: bool = Field(description="past the step's deadline, or escalated to a supervisor")
    escalated: bool = Field(description="the deadline passed and a supervisor was told")
    holder: TaskHolder | None = Field(description="who has claimed the step; none: unclaimed")
    legal_due_at: datetime | None = Field(
        description="the statutory limit of the whole case (30 working days)"
    )
    completion_due_at: datetime | None = Field(description="the completion promised at intake")


class RefundTask(BaseModel):
    """A refund the tax department owes a payer of a case that ended unregistered."""

    case_no: str
    refund_id: int = Field(description="marked done at POST /cases/{case_no}/refunds/{id}/done")
    payer: Payer
    amount: Decimal
    legal_basis: str
    due_since: datetime


class TaskPage(BaseModel):
    """One page of a department's queue."""

    department: DecidingDepartment
    total: int = Field(description="open tasks matching the filters, on every page")
    limit: int
    offset: int
    tasks: list[Task] = Field(description="nearest deadline first; tasks without one last")
    refunds_total: int = Field(
        default=0, description="tax only: refunds still owed, on every page (none elsewhere)"
    )
    refunds_due: list[RefundTask] = Field(
        default=[],
        description="tax only: refunds still owed, the oldest first, paged by the same limit "
        "and offset (the filters apply to tasks only); empty for the other departments",
    )


def _aware(value: datetime | None) -> datetime | None:
    # The column type gives UTC-aware times; a naive one can only be UTC too.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def task_of(row: CaseView, now: datetime) -> Task:
    """The queue's line for one view row; the flags are computed at `now`, so a page read
    between two writes of the view still shows a deadline that has just passed."""
    due_at, warn_at = _aware(row.due_at), _aware(row.warn_at)
    holder = None
    if row.holder_staff_id is not None:
        holder = TaskHolder(staff_id=row.holder_staff_id, name=row.holder_name or "")
    return Task(
        case_no=row.case_no,
        business_type=row.business_type,
        stage=Stage(row.stage),
        step=StepName(row.step) if row.step else None,
        step_status=StepStatus(row.step_status) if row.step_status else None,
        started_at=_aware(row.started_at),
        due_at=due_at,
        warn_at=warn_at,
        warning=row.warned or (warn_at is not None and now >= warn_at),
        overdue=row.escalated or (due_at is not None and now > due_at),
        escalated=row.escalated,
        holder=holder,
        legal_due_at=_aware(row.legal_due_at),
        completion_due_at=_aware(row.completion_due_at),
    )


def refund_task_of(row: Refund) -> RefundTask:
    assert row.id is not None, "a stored refund has its id"
    return RefundTask(
        case_no=row.case_no,
        refund_id=row.id,
        payer=Payer(row.payer),
        amount=row.amount,
        legal_basis=row.legal_basis,
        due_since=_aware(row.due_since) or row.due_since,
    )


QueueRoute = Callable[..., Awaitable[TaskPage]]


def _queue(department: DecidingDepartment) -> QueueRoute:
    """The route of one department's queue, fenced to its clerks and the supervisors."""
    admitted = fence(ROLE_OF[department], Role.SUPERVISOR)

    async def read_queue(
        db: DatabaseDep,
        actor: Annotated[Actor, admitted],
        limit: Limit = 50,
        offset: Offset = 0,
        mine: Mine = False,
        warned: Warned = None,
    ) -> TaskPage:
        now = datetime.now(UTC)
        total, rows = await asyncio.to_thread(
            task_page,
            db,
            Department(department.value),
            limit,
            offset,
            holder=actor.staff_id if mine else None,
            warned=warned,
            now=now,
        )
        refunds_total = 0
        refunds: list[Refund] = []  # the other departments owe no refunds
        if department is DecidingDepartment.TAX:
            refunds_total, refunds = await asyncio.to_thread(due_refunds, db, limit, offset)
        return TaskPage(
            department=department,
            total=total,
            limit=limit,
            offset=offset,
            tasks=[task_of(row, now) for row in rows],
            refunds_total=refunds_total,
            refunds_due=[refund_task_of(row) for row in refunds],
        )

    read_queue.__doc__ = (
        f"The {department.value} department's open cases, nearest deadline first "
        "(none last), then the oldest step; paged. Its clerks and the supervisors read it."
    )
    if department is DecidingDepartment.TAX:
        read_queue.__doc__ += (
            " Beside them, the refunds still owed to the payers of paid cases that ended "
            "unregistered, the oldest first, until a tax clerk marks each refunded."
        )
    return read_queue


for _department in DecidingDepartment:
    router.add_api_route(
        f"/departments/{_department.value}/tasks",
        _queue(_department),
        methods=["GET"],
        response_model=TaskPage,
        name=f"{_department.value}_tasks",
        summary=f"The {_department.value} department's work queue",
    )
