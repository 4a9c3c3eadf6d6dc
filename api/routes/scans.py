"""Scans uploaded at the window; a case then refers to them by key."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, UploadFile, status

from api.auth.fence import fence
from api.deps import BlobStoreDep, DatabaseDep
from api.errors import responses
from api.services.documents import spool_upload
from models.actor import Actor, Role
from models.audit import record_event
from models.database import Database
from models.payloads import BlobRef

router = APIRouter(
    prefix="/scans", tags=["scans"], responses=responses(400, 401, 403, 413, 415, 422)
)
MAX_SCAN_BYTES = 50 * 1024 * 1024
MAX_UPLOAD_BYTES = MAX_SCAN_BYTES + 64 * 1024
"""The body limit of `POST /scans` (api.body_limit): one scan plus the multipart framing."""


@router.post("", status_code=status.HTTP_201_CREATED, response_model=BlobRef)
async def upload_scan(
    file: UploadFile,
    blobs: BlobStoreDep,
    db: DatabaseDep,
    actor: Annotated[Actor, fence(Role.DESK, Role.INTAKE)],
) -> BlobRef:
    """Store a scanned material and return its key, size and sha256 (audited by key).

    The bytes are counted as they are read (the declared size is not trusted) and their type
    is read from the content: a PDF, JPEG, PNG or TIFF scan, else 415 and nothing stored.
    """
    upload = await spool_upload(file, MAX_SCAN_BYTES)
    try:
        ref = await asyncio.to_thread(blobs.put, upload.spool)
    finally:
        upload.spool.close()
    await asyncio.to_thread(_audit, db, actor, ref)
    return ref


def _audit(db: Database, actor: Actor, ref: BlobRef) -> None:
    with db.session() as session:
        record_event(
            session,
            case_no=None,
            actor=actor,
            action="scan_uploaded",
            subject=ref.key,
            reason=f"{ref.size} bytes",
        )
