"""The append-only audit: who did what to a case, written with the effect it records.

`case_event` is written by the same transaction that carries out the effect, so a row
exists exactly when the effect does. Database triggers refuse UPDATE and DELETE on both
SQLite and PostgreSQL (migration 0005); the table outlives Temporal's history retention.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Field, Session, SQLModel, select

from models.actor import Actor


class CaseEvent(SQLModel, table=True):
    """One write to a case (or a scan before its case exists), with its actor."""

    __tablename__ = "case_event"

    id: int | None = Field(default=None, primary_key=True)
    # No foreign key: the audit outlives whatever it records, a withdrawn case included.
    case_no: str | None = Field(default=None, index=True)
    at: datetime
    actor_id: str
    actor_name: str
    actor_role: str
    window: str | None = None
    action: str = Field(index=True)
    subject: str | None = None  # what the write was about: a blob key, a reference
    reason: str | None = None
    request_hash: str | None = None  # sha256 of the request as received, canonical JSON


def request_hash(request: BaseModel | dict[str, Any] | bytes | None) -> str | None:
    """A fingerprint of the request, so the audit can prove what was asked without storing it."""
    if request is None:
        return None
    if isinstance(request, bytes):
        raw = request
    else:
        data = request.model_dump(mode="json") if isinstance(request, BaseModel) else request
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(raw).hexdigest()


def record_event(
    session: Session,
    *,
    case_no: str | None,
    actor: Actor,
    action: str,
    subject: str | None = None,
    reason: str | None = None,
    request: BaseModel | dict[str, Any] | bytes | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Append one audit row in the caller's transaction (committed with the effect)."""
    event = CaseEvent(
        case_no=case_no,
        at=at or datetime.now(UTC),
        actor_id=actor.staff_id,
        actor_name=actor.name,
        actor_role=actor.role.value,
        window=actor.window,
        action=action,
        subject=subject,
        reason=reason,
        request_hash=request_hash(request),
    )
    session.add(event)
    return event


def record_decision_once(session: Session, case_no: str, actor: Actor, department: str) -> bool:
    """Keep a department's automatic approval of a case once (a retried step adds no row).

    Returns:
        True if the row was added now.
    """
    kept = session.exec(
        select(CaseEvent.id).where(
            CaseEvent.case_no == case_no,
            CaseEvent.action == "approved",
            CaseEvent.actor_id == actor.staff_id,
            CaseEvent.subject == department,
        )
    ).first()
    if kept is not None:
        return False
    record_event(session, case_no=case_no, actor=actor, action="approved", subject=department)
    return True
