"""Cases at the window: accept, follow, confirm payment, choose collection, hand over."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Header, HTTPException, Path, Response, status
from pydantic import BaseModel
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.auth.fence import STAFF, fence
from api.deps import BlobStoreDep, CatalogDep, DatabaseDep, SettingsDep, TemporalClientDep
from api.errors import CaseNotFound, FieldError, UpdateRefused, UpdateUnanswered, responses
from api.schemas import CaseCreate, CaseCreated, CollectionIn, HandoverIn, PaymentIn
from api.services import case_intake
from api.services.audit import AuditEntry, case_audit
from api.services.collection import discard_address, store_address
from api.services.read_side import stored_progress
from logging_setup import get_logger
from models.actor import Actor, Role
from models.archive import Case
from models.database import Database
from models.enums import CollectionMethod, Stage
from models.payloads import (
    CaseProgress,
    CollectionInput,
    CollectionResult,
    HandoverInput,
    HandoverResult,
    PaymentInput,
    PaymentResult,
)
from workflows.ids import (
    CASE_ID_PREFIX,
    QUERY_PROGRESS,
    UPDATE_CHOOSE_COLLECTION,
    UPDATE_CONFIRM_PAYMENT,
    UPDATE_RECORD_HANDOVER,
    case_workflow_id,
)

R = TypeVar("R")
router = APIRouter(prefix="/cases", tags=["cases"], responses=responses(401, 403, 422, 503))
log = get_logger(__name__)

CaseNo = Annotated[
    str,
    Path(
        pattern=r"^[0-9]{6}-[0-9]{8}-[0-9]{5}-[0-9]$",
        description="the printed case number",
        examples=["420103-20261127-00042-7"],
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=128,
        pattern=r"^[!-~]+$",
        description="printable ASCII; a repeat with the same key and body gets the same case",
    ),
]


async def case_handle(db: Database, client: Client, case_no: str) -> WorkflowHandle[Any, Any]:
    found = await asyncio.to_thread(_exists, db, case_no)
    if not found:
        raise CaseNotFound(case_no)
    return client.get_workflow_handle(case_workflow_id(case_no))


def _exists(db: Database, case_no: str) -> bool:
    with db.session() as session:
        return session.get(Case, case_no) is not None


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseCreated,
    responses=responses(400, 409, 413),
)
async def create_case(
    body: CaseCreate,
    response: Response,
    db: DatabaseDep,
    client: TemporalClientDep,
    settings: SettingsDep,
    blobs: BlobStoreDep,
    catalog: CatalogDep,
    actor: Annotated[Actor, fence(Role.INTAKE)],
    idempotency_key: IdempotencyKey = None,
) -> CaseCreated:
    """Accept an application and start its workflow (idempotent on Idempotency-Key)."""
    key = idempotency_key or f"auto-{uuid.uuid4()}"
    accepted = await asyncio.to_thread(
        case_intake.accept,
        db,
        catalog,
        blobs,
        body,
        key,
        settings.HALL_DIVISION,
        settings.TIMEZONE,
        actor=actor,
    )
    case = accepted.case
    try:
        await case_intake.start_workflow(
            client,
            catalog,
            case,
            settings.TASK_QUEUE,
            settings.TIMEZONE,
            manual=settings.manual_departments(case.business_type),
            warn_share=settings.WARN_SHARE,
            supplement_days=settings.SUPPLEMENT_DAYS,
        )
    except WorkflowAlreadyStartedError:
        # A repeat of a request whose case has already finished: the case is the answer.
        if accepted.created:
            raise
    except Exception:
        if accepted.created:
            await asyncio.to_thread(case_intake.forget, db, case.case_no)
        raise
    if not accepted.created:
        response.status_code = status.HTTP_200_OK
    log.info(
        "case accepted",
        case_no=case.case_no,
        workflow_id=case_workflow_id(case.case_no),
        repeat=not accepted.created,
    )
    return CaseCreated(
        case_no=case.case_no,
        workflow_id=case_workflow_id(case.case_no),
        business_type=case.business_type,
        accepted_at=case.accepted_at.isoformat(),
        stage=Stage.PRE_REVIEW,
    )


NO_ANSWER = frozenset(
    {
        RPCStatusCode.CANCELLED,  # the SDK's own rpc_timeout ("Timeout expired"): no poller
        RPCStatusCode.DEADLINE_EXCEEDED,  # the server's deadline, for the same reason
        RPCStatusCode.UNAVAILABLE,  # the Temporal frontend cannot be reached
        RPCStatusCode.FAILED_PRECONDITION,  # the workflow task is failing: nothing answers
    }
)
"""Query failures that say nobody could answer now, not that the case is gone."""


@router.get(
    "/{case_no}", response_model=CaseProgress, responses=responses(404), dependencies=[STAFF]
)
async def read_case(
    case_no: CaseNo, db: DatabaseDep, client: TemporalClientDep, settings: SettingsDep
) -> CaseProgress:
    """Where the case stands: stage and every step, live from its workflow when a worker
    answers within LIVE_QUERY_TIMEOUT_SECONDS, else as the read side last stored it
    (`read_from` says which). The stored page also outlives Temporal's history retention."""
    handle = await case_handle(db, client, case_no)
    timeout = timedelta(seconds=settings.LIVE_QUERY_TIMEOUT_SECONDS)
    try:
        progress: CaseProgress = await handle.query(
            QUERY_PROGRESS, result_type=CaseProgress, rpc_timeout=timeout
        )
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return await _stored_case(db, case_no, err, gone=True)
        if err.status in NO_ANSWER:
            return await _stored_case(db, case_no, err, gone=False)
        raise
    except WorkflowQueryFailedError as err:
        # A worker answered, but the query failed in it (a bug, or an old flow without the
        # query): the stored page still serves the clerk; the warning names the failure.
        return await _stored_case(db, case_no, err, gone=False)
    progress.read_from = "workflow"
    log.info("case read", case_no=case_no, read_from="workflow")
    return progress


async def _stored_case(
    db: Database, case_no: str, err: RPCError | WorkflowQueryFailedError, *, gone: bool
) -> CaseProgress:
    """The read side's page when the workflow did not answer: 404 if the workflow is gone
    and nothing was stored, 503 if it could not answer and nothing was stored."""
    why = f"{type(err).__name__}: {err.message}"
    stored = await asyncio.to_thread(stored_progress, db, case_no)
    if stored is None:
        log.warning("case unreadable", case_no=case_no, workflow_gone=gone, why=why)
        if gone:
            raise CaseNotFound(case_no) from err
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=[
                {
                    "loc": ["path", "case_no"],
                    "msg": f"case {case_no}: its workflow did not answer and no stored "
                    f"progress exists yet; try again shortly ({why})",
                    "type": "unavailable",
                }
            ],
        ) from err
    stored.read_from = "database"
    log.warning("case read", case_no=case_no, read_from="database", workflow_gone=gone, why=why)
    return stored


def _refused_field(message: str, body: type[BaseModel]) -> tuple[str, ...]:
    """The body field a refusal names ("amount: must equal ..."), else the body."""
    field = message.partition(":")[0].strip()
    return ("body", field) if field in body.model_fields else ("body",)


async def run_update(
    handle: WorkflowHandle[Any, Any],
    update: str,
    arg: BaseModel,
    body: type[BaseModel],
    result: type[R],
    *,
    wait: float,
) -> R:
    """Run the update; a validator's refusal (wrong stage, already done, a repeat that
    differs from the first) is a 409 and nothing changes in the case. No answer within
    `wait` seconds (UPDATE_ANSWER_SECONDS: no worker polls) is a 503, not a request that
    hangs: the SDK would otherwise wait for a worker as long as the clerk does."""
    try:
        answer: R = await asyncio.wait_for(
            handle.execute_update(update, arg, result_type=result), wait
        )
        return answer
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError) as err:
        # The SDK answers its own cancellation by wait_for with the second.
        raise UpdateUnanswered(handle.id.removeprefix(CASE_ID_PREFIX), wait) from err
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        message = getattr(cause, "message", None) or str(cause or err)
        if "expected but not found" in message:
            # A case on a flow without this update (the frozen PropertyCase takes no
            # claims or decisions): say so rather than the SDK's words.
            flow = (await handle.describe()).workflow_type
            message = f"this case runs on the {flow} flow, which takes no {update!r}: {message}"
        raise UpdateRefused(message, _refused_field(message, body)) from err
    except RPCError as err:
        if err.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise UpdateRefused(f"the case is closed: {err.message}") from err
        raise


UPDATE_ANSWERS = responses(400, 404, 409, 413)


@router.post("/{case_no}/payment", response_model=PaymentResult, responses=UPDATE_ANSWERS)
async def confirm_payment(
    case_no: CaseNo,
    body: PaymentIn,
    db: DatabaseDep,
    client: TemporalClientDep,
    settings: SettingsDep,
    actor: Annotated[Actor, fence(Role.TAX, Role.REGISTRATION)],
) -> PaymentResult:
    """The bill's department confirms the payment: the tax bureau taxes (with their fees),
    the registration bureau a registration fee billed alone (a mortgage). The case's
    workflow refuses the other one (409)."""
    handle = await case_handle(db, client, case_no)
    result: PaymentResult = await run_update(
        handle,
        UPDATE_CONFIRM_PAYMENT,
        PaymentInput(amount=body.amount, reference=body.reference, actor=actor),
        PaymentIn,
        PaymentResult,
        wait=settings.UPDATE_ANSWER_SECONDS,
    )
    return result


@router.post("/{case_no}/collection", response_model=CollectionResult, responses=UPDATE_ANSWERS)
async def choose_collection(
    case_no: CaseNo,
    body: CollectionIn,
    db: DatabaseDep,
    client: TemporalClientDep,
    settings: SettingsDep,
    actor: Annotated[Actor, fence(Role.WINDOW, Role.INTAKE)],
) -> CollectionResult:
    """Enter the applicant's choice: window pickup, or EMS to the address given.

    The address is stored here and the case gets only its id: no name, phone or address
    ever enters the workflow's history.
    """
    handle = await case_handle(db, client, case_no)
    address_id = None
    if body.method == CollectionMethod.EMS:
        address_id = await asyncio.to_thread(store_address, db, case_no, body)
    try:
        result: CollectionResult = await run_update(
            handle,
            UPDATE_CHOOSE_COLLECTION,
            CollectionInput(method=body.method, address_id=address_id, actor=actor),
            CollectionIn,
            CollectionResult,
            wait=settings.UPDATE_ANSWER_SECONDS,
        )
    except UpdateUnanswered:
        raise  # the case may still take the choice once it answers: it needs the address
    except BaseException:
        if address_id is not None:
            await asyncio.to_thread(discard_address, db, address_id)
        raise
    return result


@router.post("/{case_no}/handover", response_model=HandoverResult, responses=UPDATE_ANSWERS)
async def record_handover(
    case_no: CaseNo,
    body: HandoverIn,
    db: DatabaseDep,
    client: TemporalClientDep,
    settings: SettingsDep,
    actor: Annotated[Actor, fence(Role.WINDOW)],
) -> HandoverResult:
    """The window clerk (the token's holder) hands the certificate over."""
    window = body.window or actor.window
    if window is None:
        raise FieldError(("body", "window"), "required: the token names no window")
    handle = await case_handle(db, client, case_no)
    result: HandoverResult = await run_update(
        handle,
        UPDATE_RECORD_HANDOVER,
        HandoverInput(window=window, clerk=actor.staff_id, actor=actor),
        HandoverIn,
        HandoverResult,
        wait=settings.UPDATE_ANSWER_SECONDS,
    )
    return result


@router.get(
    "/{case_no}/audit",
    response_model=list[AuditEntry],
    responses=responses(404),
    dependencies=[fence(Role.SUPERVISOR)],
)
async def read_audit(case_no: CaseNo, db: DatabaseDep) -> list[AuditEntry]:
    """Who did what to the case, oldest first (kept beyond Temporal's history retention)."""
    entries = await asyncio.to_thread(case_audit, db, case_no)
    if not entries and not await asyncio.to_thread(_exists, db, case_no):
        raise CaseNotFound(case_no)
    return entries
