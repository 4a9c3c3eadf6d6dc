"""Reading a case's audit for the supervisors."""

from __future__ import annotations

from pydantic import BaseModel
from sqlmodel import and_, col, or_, select

from models.archive import Document
from models.audit import CaseEvent
from models.database import Database


class AuditEntry(BaseModel):
    """One audit row as the supervisor reads it."""

    at: str
    action: str
    actor_id: str
    actor_name: str
    actor_role: str
    window: str | None
    subject: str | None
    reason: str | None
    request_hash: str | None


def case_audit(db: Database, case_no: str) -> list[AuditEntry]:
    """Every write to the case, oldest first, the uploads of its scans included.

    A scan is uploaded before its case exists, so its row names the blob key; the case's
    documents name the same keys.
    """
    with db.session() as session:
        keys = select(Document.blob_key).where(Document.case_no == case_no)
        rows = session.exec(
            select(CaseEvent)
            .where(
                or_(
                    CaseEvent.case_no == case_no,
                    and_(
                        col(CaseEvent.case_no).is_(None),
                        CaseEvent.action == "scan_uploaded",
                        col(CaseEvent.subject).in_(keys),
                    ),
                )
            )
            .order_by(col(CaseEvent.id))
        ).all()
    return [
        AuditEntry(
            at=r.at.isoformat(),
            action=r.action,
            actor_id=r.actor_id,
            actor_name=r.actor_name,
            actor_role=r.actor_role,
            window=r.window,
            subject=r.subject,
            reason=r.reason,
            request_hash=r.request_hash,
        )
        for r in rows
    ]
