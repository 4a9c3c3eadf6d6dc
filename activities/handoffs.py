"""Recording what one department pushes to another, once per case, recipient and subject."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from models.archive import Handoff


def push(
    session: Session,
    *,
    case_no: str,
    from_department: str,
    to_departments: list[str],
    subject: str,
    payload: dict[str, Any],
) -> None:
    """Insert a hand-off per recipient unless a retry already did."""
    for to in to_departments:
        exists = session.exec(
            select(Handoff.id).where(
                Handoff.case_no == case_no, Handoff.to_department == to, Handoff.subject == subject
            )
        ).first()
        if exists is None:
            session.add(
                Handoff(
                    case_no=case_no,
                    from_department=from_department,
                    to_department=to,
                    subject=subject,
                    payload=payload,
                    created_at=datetime.now(UTC),
                )
            )
