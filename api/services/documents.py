"""A case's papers: the checks an upload must pass before anything is stored, and the rows.

Everything that can refuse an upload (the case, the material code, the bytes' type and
size) is checked here before the blob store or the database is written, so a refusal
leaves nothing behind. The type is read from the bytes, never from the filename or the
Content-Type a client declares: a scanner or a browser says whatever it likes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from tempfile import SpooledTemporaryFile
from typing import Any, BinaryIO, cast

import filetype
from fastapi import HTTPException, UploadFile, status
from filetype.types.archive import Pdf
from filetype.types.image import Jpeg, Png, Tiff
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.errors import CaseNotFound, FieldError
from domain.catalog import Catalog, UnknownBusinessType
from models.actor import Actor
from models.archive import Case, Document
from models.audit import CaseEvent, record_event
from models.database import Database
from models.supplement import SupplementState

ACTION = "document_added"
"""The audit action of a paper added to a case after intake (subject: blob key)."""

READ_CHUNK = 256 * 1024
SPOOL_IN_MEMORY = 1024 * 1024
"""Uploads up to this size stay in memory while checked; larger ones go to a temp file."""
SNIFF_BYTES = 8192
"""What `filetype` reads of a file's head to tell its type."""

ACCEPTED_TYPES: tuple[Any, ...] = (Pdf(), Jpeg(), Png(), Tiff())
"""Scans the departments can open and archive: PDF, JPEG, PNG, TIFF (by magic number)."""


class DocumentStored(BaseModel):
    """The answer to an upload: the stored paper and whether the case was told of it."""

    case_no: str
    material: str
    blob_key: str
    sha256: str
    size: int
    content_type: str | None = Field(description="the type read from the bytes")
    stored_at: datetime
    told_case: bool = Field(description="the case waited for this paper and was told of it")
    supplement: SupplementState | None = Field(
        default=None, description="what the case still waits for, when it was told"
    )


class CaseDocument(BaseModel):
    """One of a case's papers as the departments list them."""

    id: int
    material: str
    name_zh: str | None = Field(description="the catalog's name; None if it left the catalog")
    name_en: str | None
    blob_key: str
    sha256: str
    size: int | None
    content_type: str | None
    filename: str | None
    stored_at: datetime = Field(
        description="when it was added: with the case at intake, or by a later upload"
    )


@dataclass(frozen=True)
class Upload:
    """An upload that passed every check of its bytes, spooled and hashed."""

    spool: BinaryIO
    sha256: str
    size: int
    content_type: str
    filename: str | None


def refusal(code: int, field: str, msg: str, kind: str, **extra: Any) -> HTTPException:
    """A 4xx in the API's error shape, naming the form field and the rule."""
    where = ["path", field] if field == "case_no" else ["body", field]
    return HTTPException(code, detail=[{"loc": where, "msg": msg, "type": kind, **extra}])


def check_case(db: Database, catalog: Catalog, case_no: str, material: str) -> Case:
    """The case exists (404), is open (409), and its business type lists `material` (422).

    Raises:
        CaseNotFound, HTTPException: as above; nothing has been written.
    """
    with db.session() as session:
        case = session.get(Case, case_no)
    if case is None:
        raise CaseNotFound(case_no)
    if case.status != "open":
        raise refusal(
            status.HTTP_409_CONFLICT,
            "case_no",
            f"case {case_no} is {case.status}: papers are added to open cases only",
            "conflict",
        )
    valid = material_codes(catalog, case.business_type)
    if material not in valid:
        raise FieldError(
            ("body", "material"),
            f"material {material!r} is not one of the papers of {case.business_type}: "
            f"expected one of {', '.join(valid) or '(none: the type left the catalog)'}",
            valid=valid,
        )
    return case


def material_codes(catalog: Catalog, business_type: str) -> list[str]:
    """Every paper the business type may need, conditional ones included, in catalog order."""
    try:
        return [r.material for r in catalog.business_type(business_type).materials]
    except UnknownBusinessType:
        return []


async def spool_upload(file: UploadFile, limit: int) -> Upload:
    """Copy the upload into a spool in chunks, hashing it and stopping past `limit` bytes.

    The declared `file.size` is not trusted: the bytes are counted as they are read.

    Raises:
        HTTPException: 413 past the limit, 422 when empty, 415 when not PDF/JPEG/PNG/TIFF.
    """
    # A BinaryIO in all but name (typeshed types it as IO[bytes]).
    spool = cast(BinaryIO, SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY))
    try:
        sha = hashlib.sha256()
        size = 0
        head = b""
        while chunk := await file.read(READ_CHUNK):
            size += len(chunk)
            if size > limit:
                raise refusal(
                    status.HTTP_413_CONTENT_TOO_LARGE,
                    "file",
                    f"larger than {limit} bytes",
                    "too_large",
                    limit=limit,
                )
            if len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
            sha.update(chunk)
            spool.write(chunk)
        if size == 0:
            raise refusal(422, "file", "the file is empty", "value_error")
        kind = sniff(head)
        if kind is None:
            raise refusal(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                "file",
                "the bytes are not a PDF, JPEG, PNG or TIFF file "
                "(the type is read from the content, not the name or Content-Type)",
                "unsupported_type",
                accepted=[t.mime for t in ACCEPTED_TYPES],
            )
        spool.seek(0)
        return Upload(spool, sha.hexdigest(), size, kind, clean_filename(file.filename))
    except BaseException:
        spool.close()
        raise


def sniff(head: bytes) -> str | None:
    """The MIME type of an accepted kind the bytes start as, None for anything else."""
    found = filetype.match(head, matchers=ACCEPTED_TYPES)
    return None if found is None else str(found.mime)


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


def clean_filename(name: str | None) -> str | None:
    """The client's filename without its folders or control characters, for the record only."""
    if not name:
        return None
    base = _UNPRINTABLE.sub("", re.split(r"[\\/]", name)[-1]).strip()
    return base[:255] or None


def find_document(db: Database, case_no: str, material: str, sha256: str) -> DocumentStored | None:
    """The paper already stored for the case under this material with these bytes."""
    with db.session() as session:
        return _found(session, case_no, material, sha256)


def _found(session: Session, case_no: str, material: str, sha256: str) -> DocumentStored | None:
    row = session.exec(
        select(Document).where(
            Document.case_no == case_no, Document.material == material, Document.sha256 == sha256
        )
    ).first()
    if row is None:
        return None
    return DocumentStored(
        case_no=row.case_no,
        material=row.material,
        blob_key=row.blob_key,
        sha256=row.sha256,
        size=row.size,
        content_type=row.content_type,
        stored_at=_stored_at(session, row),
        told_case=False,
    )


def store_document(
    db: Database,
    case: Case,
    material: str,
    upload: Upload,
    blob_key: str,
    actor: Actor,
    supplement: SupplementState | None,
) -> tuple[DocumentStored, bool]:
    """Insert the paper and its audit row in one transaction.

    Returns:
        The stored paper and True, or (a concurrent identical upload won the unique
        constraint) that upload's paper and False.
    """
    now = datetime.now(UTC)
    try:
        with db.session() as session:
            session.add(
                Document(
                    case_no=case.case_no,
                    material=material,
                    blob_key=blob_key,
                    sha256=upload.sha256,
                    size=upload.size,
                    filename=upload.filename,
                    content_type=upload.content_type,
                )
            )
            record_event(
                session,
                case_no=case.case_no,
                actor=actor,
                action=ACTION,
                subject=blob_key,
                reason=material,
                at=now,
            )
    except IntegrityError:
        existing = find_document(db, case.case_no, material, upload.sha256)
        if existing is None:
            raise
        return existing, False
    stored = DocumentStored(
        case_no=case.case_no,
        material=material,
        blob_key=blob_key,
        sha256=upload.sha256,
        size=upload.size,
        content_type=upload.content_type,
        stored_at=now,
        told_case=supplement is not None,
        supplement=supplement,
    )
    return stored, True


def case_documents(db: Database, catalog: Catalog, case_no: str) -> list[CaseDocument]:
    """The case's papers in the order they were stored, with the catalog's names.

    Raises:
        CaseNotFound: no such case.
    """
    with db.session() as session:
        case = session.get(Case, case_no)
        if case is None:
            raise CaseNotFound(case_no)
        rows = session.exec(
            select(Document).where(Document.case_no == case_no).order_by(col(Document.id))
        ).all()
        added = _added_at(session, case_no)
    listed = []
    for row in rows:
        assert row.id is not None, "a stored row has its id"
        known = catalog.materials.get(row.material)
        listed.append(
            CaseDocument(
                id=row.id,
                material=row.material,
                name_zh=known.name_zh if known else None,
                name_en=known.name_en if known else None,
                blob_key=row.blob_key,
                sha256=row.sha256,
                size=row.size,
                content_type=row.content_type,
                filename=row.filename,
                stored_at=_aware(added.get((row.blob_key, row.material), case.accepted_at)),
            )
        )
    return listed


def _added_at(
    session: Session, case_no: str, only: tuple[str, str] | None = None
) -> dict[tuple[str, str], datetime]:
    """When each paper added after intake was stored, by (blob key, material), from the audit.

    The document table keeps no time of its own; both writes that add a row (intake and
    an upload here) write an audit row in the same transaction, so the audit says when:
    a paper missing here came with the case, at its acceptance.
    """
    query = select(CaseEvent).where(CaseEvent.case_no == case_no, CaseEvent.action == ACTION)
    if only is not None:
        query = query.where(CaseEvent.subject == only[0], CaseEvent.reason == only[1])
    added: dict[tuple[str, str], datetime] = {}
    for event in session.exec(query.order_by(col(CaseEvent.id))):
        if event.subject is not None and event.reason is not None:
            added.setdefault((event.subject, event.reason), event.at)
    return added


def _stored_at(session: Session, row: Document) -> datetime:
    """When one paper was stored (see `_added_at`)."""
    key = (row.blob_key, row.material)
    at = _added_at(session, row.case_no, key).get(key)
    if at is None:
        case = session.get(Case, row.case_no)
        assert case is not None, "a document references its case"
        at = case.accepted_at
    return _aware(at)


def _aware(at: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time this app writes is UTC.
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
