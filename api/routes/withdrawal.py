"""Withdrawal (撤回) at the intake window, before the case is recorded.

The applicant's signed request is scanned first (`POST /scans`) and named here by its key
and sha256; the case's own validator decides whether it may still be withdrawn (409 once it
is recorded). A request made while an automatic step runs is answered when that step is
done. The hold on the unit is released as the case closes, and any taxes paid are recorded
as owed back.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.auth.fence import fence
from api.deps import BlobStoreDep, DatabaseDep, SettingsDep, TemporalClientDep
from api.errors import FieldError, UpdateRefused, responses
from api.routes.cases import UPDATE_ANSWERS, CaseNo, case_handle, run_update
from api.schemas import CleanText
from integrations.blobs import BlobNotFound
from models.actor import Actor, Role
from models.supplement import WithdrawalInput, WithdrawalResult
from workflows.ids import UPDATE_WITHDRAW

router = APIRouter(tags=["cases"], responses=responses(401, 403, 422, 503))


class SignedRequest(BaseModel):
    """The scan of the applicant's signed request to withdraw (from `POST /scans`)."""

    key: str = Field(min_length=8, max_length=128, pattern=r"^sha256/[0-9a-f]{64}$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class WithdrawalIn(BaseModel):
    reason: CleanText = Field(min_length=1, max_length=500, examples=["买卖双方协商解除合同"])
    signed_request: SignedRequest


@router.post(
    "/cases/{case_no}/withdrawal", response_model=WithdrawalResult, responses=UPDATE_ANSWERS
)
async def withdraw(
    case_no: CaseNo,
    body: WithdrawalIn,
    db: DatabaseDep,
    client: TemporalClientDep,
    settings: SettingsDep,
    blobs: BlobStoreDep,
    actor: Annotated[Actor, fence(Role.INTAKE)],
) -> WithdrawalResult:
    """Withdraw the case at the applicant's signed request; answered once it has closed."""
    scan = body.signed_request
    try:
        stored = await asyncio.to_thread(blobs.stat, scan.key)
    except BlobNotFound as err:
        raise FieldError(
            ("body", "signed_request", "key"), "no scan is stored under this key"
        ) from err
    if stored.sha256 != scan.sha256:
        raise FieldError(("body", "signed_request", "sha256"), "does not match the stored scan")
    handle = await case_handle(db, client, case_no)
    result: WithdrawalResult = await run_update(
        handle,
        UPDATE_WITHDRAW,
        WithdrawalInput(reason=body.reason, blob_key=scan.key, sha256=scan.sha256, actor=actor),
        WithdrawalIn,
        WithdrawalResult,
        wait=settings.UPDATE_ANSWER_SECONDS,
    )
    if not result.withdrawn:
        raise UpdateRefused(f"withdrawal: the case ended as {result.stage} before it took effect")
    return result
