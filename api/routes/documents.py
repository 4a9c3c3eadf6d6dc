"""A case's papers: the intake window adds one (a supplement, 补正), the departments list them.

An upload is checked whole before anything is written (the case, the material code, the
bytes' type and size); a case that waits for a supplement is told before the paper is
recorded, so a paper the case refuses (not asked for) is not recorded either.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Response, UploadFile, status
from pydantic import BaseModel
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from api.auth.fence import fence
from api.deps import BlobStoreDep, CatalogDep, DatabaseDep, SettingsDep, TemporalClientDep
from api.errors import responses
from api.routes.cases import NO_ANSWER, CaseNo, run_update
from api.routes.scans import MAX_SCAN_BYTES
from api.services.documents import (
    CaseDocument,
    DocumentStored,
    case_documents,
    check_case,
    find_document,
    spool_upload,
    store_document,
)
from api.services.read_side import stored_progress
from logging_setup import get_logger
from models.actor import Actor, Role
from models.database import Database
from models.enums import Stage
from models.payloads import CaseProgress
from models.supplement import SupplementReceived, SupplementState
from workflows.ids import QUERY_PROGRESS, UPDATE_SUPPLEMENT, case_workflow_id

router = APIRouter(prefix="/cases", tags=["documents"], responses=responses(401, 403, 422, 503))
UPLOAD_PATH = "/cases/{case_no}/documents"
"""Where papers are uploaded: its body limit is a scan's (api.body_limit), not JSON's."""
log = get_logger(__name__)

MaterialCode = Annotated[
    str,
    Form(
        min_length=1,
        max_length=64,
        description="a material code of the case's business type (GET /catalog/materials)",
        examples=["title_certificate"],
    ),
]


class DocumentForm(BaseModel):
    """The upload's form fields, so a refusal of the case ("material: …") names its field."""

    material: str
    file: bytes


STORED_BEFORE: dict[int | str, dict[str, Any]] = {
    200: {
        "model": DocumentStored,
        "description": "these bytes were already stored for this material: that paper",
    }
}


@router.post(
    UPLOAD_PATH.removeprefix("/cases"),
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentStored,
    responses={**responses(400, 404, 409, 413, 415), **STORED_BEFORE},
)
async def add_document(
    case_no: CaseNo,
    material: MaterialCode,
    file: UploadFile,
    response: Response,
    db: DatabaseDep,
    client: TemporalClientDep,
    settings: SettingsDep,
    blobs: BlobStoreDep,
    catalog: CatalogDep,
    actor: Annotated[Actor, fence(Role.INTAKE)],
) -> DocumentStored:
    """Add a scanned paper to an open case; a case awaiting a supplement is told of it.

    The same bytes again for the same material are the paper already stored (200). A
    refusal (unknown case 404, closed case 409, a material the case's business type does
    not list 422, bytes not PDF/JPEG/PNG/TIFF 415, empty 422, larger than a scan may be
    413, the case refusing the supplement 409) stores no document and no audit row.
    """
    case = await asyncio.to_thread(check_case, db, catalog, case_no, material)
    upload = await spool_upload(file, MAX_SCAN_BYTES)
    try:
        existing = await asyncio.to_thread(find_document, db, case_no, material, upload.sha256)
        if existing is not None:
            response.status_code = status.HTTP_200_OK
            return existing
        timeout = timedelta(seconds=settings.LIVE_QUERY_TIMEOUT_SECONDS)
        waiting = await awaits_supplement(db, client, case_no, timeout)
        ref = await asyncio.to_thread(blobs.put, upload.spool)
    finally:
        upload.spool.close()
    if ref.sha256 != upload.sha256:  # the store hashed other bytes than were checked
        raise RuntimeError(f"blob store answered {ref.sha256} for bytes hashed {upload.sha256}")
    supplement: SupplementState | None = None
    if waiting:
        # Before the row: a paper the case refuses (not asked for, wrong stage) is a 409
        # and stays unrecorded; only the content-addressed blob remains.
        supplement = await run_update(
            client.get_workflow_handle(case_workflow_id(case_no)),
            UPDATE_SUPPLEMENT,
            SupplementReceived(material=material, blob_key=ref.key, sha256=ref.sha256, actor=actor),
            DocumentForm,
            SupplementState,
            wait=settings.UPDATE_ANSWER_SECONDS,
        )
    stored, created = await asyncio.to_thread(
        store_document, db, case, material, upload, ref.key, actor, supplement
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    log.info(
        "document stored",
        case_no=case_no,
        material=material,
        blob_key=ref.key,
        created=created,
        told_case=stored.told_case,
    )
    return stored


async def awaits_supplement(db: Database, client: Client, case_no: str, timeout: timedelta) -> bool:
    """Whether the case stands at `awaiting_supplement`: live from its workflow, else as
    the read side last stored it (as `GET /cases/{case_no}` reads it).

    Raises:
        HTTPException: 503 when the workflow could not answer and nothing is stored, so
            a paper the case may be waiting for is not recorded without telling it.
    """
    handle = client.get_workflow_handle(case_workflow_id(case_no))
    try:
        progress: CaseProgress | None = await handle.query(
            QUERY_PROGRESS, result_type=CaseProgress, rpc_timeout=timeout
        )
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND and err.status not in NO_ANSWER:
            raise
        progress = await _stored(db, case_no, err, gone=err.status == RPCStatusCode.NOT_FOUND)
    except WorkflowQueryFailedError as err:
        progress = await _stored(db, case_no, err, gone=False)
    return progress is not None and progress.stage == Stage.AWAITING_SUPPLEMENT


async def _stored(
    db: Database, case_no: str, err: RPCError | WorkflowQueryFailedError, *, gone: bool
) -> CaseProgress | None:
    stored = await asyncio.to_thread(stored_progress, db, case_no)
    if stored is None and not gone:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=[
                {
                    "loc": ["path", "case_no"],
                    "msg": f"case {case_no}: its workflow did not answer and no stored "
                    f"progress exists yet, so whether it waits for this paper is unknown; "
                    f"try again shortly ({type(err).__name__}: {err.message})",
                    "type": "unavailable",
                }
            ],
        ) from err
    return stored


@router.get(
    "/{case_no}/documents",
    response_model=list[CaseDocument],
    responses=responses(404),
    dependencies=[fence(Role.INTAKE, Role.HOUSING, Role.TAX, Role.REGISTRATION, Role.SUPERVISOR)],
)
async def list_documents(
    case_no: CaseNo, db: DatabaseDep, catalog: CatalogDep
) -> list[CaseDocument]:
    """The case's papers, oldest first, each with the catalog's names of its material."""
    return await asyncio.to_thread(case_documents, db, catalog, case_no)
