"""Reading a case's audit for the supervisors."""

from __future__ import annotations

from pydantic import BaseModel
from sqlmodel import col, select

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
    """Every write to the case, oldest first."""
    with db.session() as session:
        rows = session.exec(
            select(CaseEvent).where(CaseEvent.case_no == case_no).order_by(col(CaseEvent.id))
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
