"""The 409 for a unit that an open case holds: it names that case and where it stands.

The stage is read live from the holding case's workflow (its `CaseStage` search attribute):
Temporal is the system of record for where a case stands, and the archive keeps no stage.
A workflow not started yet is a case being accepted this instant (`pre_review`, the stage
it starts in); if Temporal cannot be asked, the stage is null and the message says so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from models.enums import SearchAttr, Stage
from workflows.ids import case_workflow_id

DESCRIBE_TIMEOUT = timedelta(seconds=2)


class PropertyHeld(Exception):
    """Another open case changes the same rights on the unit: nothing was stored."""

    def __init__(
        self, unit_number: str, case_no: str, business_type: str, accepted_at: datetime
    ) -> None:
        super().__init__(f"unit {unit_number} is held by open case {case_no}")
        self.unit_number = unit_number
        self.case_no = case_no
        self.business_type = business_type
        self.accepted_at = accepted_at


async def live_stage(client: Client, case_no: str) -> str | None:
    """The holding case's stage as its workflow publishes it; None if Temporal cannot say."""
    try:
        described = await client.get_workflow_handle(case_workflow_id(case_no)).describe(
            rpc_timeout=DESCRIBE_TIMEOUT
        )
    except RPCError as err:
        return Stage.PRE_REVIEW.value if err.status == RPCStatusCode.NOT_FOUND else None
    return described.typed_search_attributes.get(SearchAttr.STAGE)


def body(err: PropertyHeld, stage: str | None) -> dict[str, list[dict[str, object]]]:
    """The answer: the error model's one item, with the holding case as extra fields."""
    where = f"stage {stage}" if stage else "stage unknown (Temporal did not answer)"
    msg = (
        f"该不动产单元已有在办案件 {err.case_no}（{err.business_type}，{where}），"
        "办结前不受理涉及同一权利的新申请。"
        f" Unit {err.unit_number} is held by open case {err.case_no} ({err.business_type},"
        f" {where}); no other case changing the same rights is accepted until it ends."
    )
    item: dict[str, object] = {
        "loc": ["body", "unit_number"],
        "msg": msg,
        "type": "property_held",
        "case_no": err.case_no,
        "stage": stage,
        "business_type": err.business_type,
        "accepted_at": err.accepted_at.isoformat(),
    }
    return {"detail": [item]}


def install(app: FastAPI) -> None:
    """Register the 409 handler (the app's Temporal client is on `app.state.temporal`)."""

    @app.exception_handler(PropertyHeld)
    async def _held(request: Request, err: PropertyHeld) -> JSONResponse:
        client: Client | None = getattr(request.app.state, "temporal", None)
        stage = await live_stage(client, err.case_no) if client is not None else None
        return JSONResponse(status_code=409, content=body(err, stage))
