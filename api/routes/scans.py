"""Scans uploaded at the window; a case then refers to them by key."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException, UploadFile, status

from api.deps import BlobStoreDep
from models.payloads import BlobRef

router = APIRouter(prefix="/scans", tags=["scans"])
MAX_SCAN_BYTES = 50 * 1024 * 1024


@router.post("", status_code=status.HTTP_201_CREATED, response_model=BlobRef)
async def upload_scan(file: UploadFile, blobs: BlobStoreDep) -> BlobRef:
    """Store a scanned material and return its key, size and sha256."""
    if file.size is not None and file.size > MAX_SCAN_BYTES:
        raise HTTPException(413, detail=f"file: larger than {MAX_SCAN_BYTES} bytes")
    if file.size == 0:
        raise HTTPException(422, detail=[{"loc": ["body", "file"], "msg": "file: is empty"}])
    return await asyncio.to_thread(blobs.put, file.file)
