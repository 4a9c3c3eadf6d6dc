"""The supervisors' list of what was raised to them: missed deadlines, cases stopped for
broken data, and the clerks' warnings, with where each case stands now.

Read from the database (the `escalation` table and the read side), never from Temporal, so
it answers with no worker running. By default it lists what still needs a supervisor: the
raisings of open cases, and every case stopped as failed (handed to a person).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.auth.fence import fence
from api.deps import DatabaseDep
from api.errors import responses
from api.services.read_side import escalation_page
from models.actor import Actor, Role

router = APIRouter(tags=["supervisors"], responses=responses(401, 403, 422))

Kind = Literal["deadline", "failed", "warning"]


class Raised(BaseModel):
    """One raising: the case, the step, why, and where the case stands now."""

    case_no: str
    step: str
    department: str
    kind: Kind = Field(description="deadline missed, failed (broken data), or warning")
    due_at: datetime = Field(description="the step's deadline (failed: when it stopped)")
    raised_at: datetime
    reason: str | None = Field(description="what broke, or whom the warning reached")
    stage: str | None = Field(description="the case's stage now (none: no view written)")
    holder_staff_id: str | None = Field(description="who holds the case's step now")
    open: bool = Field(description="the case is still running")


class RaisedPage(BaseModel):
    total: int = Field(description="raisings matching the filters, on every page")
    limit: int
    offset: int
    items: list[Raised] = Field(description="the newest first")


@router.get("/escalations", response_model=RaisedPage)
async def escalations(
    db: DatabaseDep,
    actor: Annotated[Actor, fence(Role.SUPERVISOR)],
    kind: Annotated[Kind | None, Query(description="only this kind")] = None,
    all_cases: Annotated[
        bool, Query(alias="all", description="also the raisings of closed cases")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> RaisedPage:
    """What was raised to the supervisors, the newest first."""
    total, rows = await asyncio.to_thread(
        escalation_page, db, limit, offset, kind=kind, include_closed=all_cases
    )
    return RaisedPage(
        total=total,
        limit=limit,
        offset=offset,
        items=[
            Raised(
                case_no=e.case_no,
                step=e.step,
                department=e.department,
                kind=e.kind,  # type: ignore[arg-type]  # the table's values are the Kind
                due_at=e.due_at,
                raised_at=e.escalated_at,
                reason=e.reason,
                stage=view.stage if view else None,
                holder_staff_id=view.holder_staff_id if view else None,
                open=view is None or view.finished_at is None,
            )
            for e, view in rows
        ],
    )
