"""Archive side effects: recording escalations and closing a case in the system of record.

Closing a case also releases its hold on the unit, in the same transaction: whatever stage
the case ends in, the next case on the unit can be accepted once the archive says closed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select
from temporalio import activity

from activities.errors import invariants_are_final
from logging_setup import get_logger
from models import holds
from models.archive import Case, Escalation
from models.audit import CaseEvent, record_event
from models.case_view import write_view
from models.database import Database
from models.decisions import AuditInput
from models.notices import EscalationNotice
from models.payloads import CloseCaseInput

log = get_logger(__name__)


class ArchiveActivities:
    """Writes to the case archive that do not belong to one department."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @activity.defn(name="escalate_deadline")
    @invariants_are_final
    def escalate_deadline(self, inp: EscalationNotice) -> bool:
        """Record once that a step missed its deadline (`deadline`), that its time runs short
        (`warning`: the queue's flag for the clerk who holds it), or that broken data stopped
        the case (`failed`); the case's view shows it in the same transaction.

        Returns:
            True if this call raised it, False if it was already recorded.
        """
        view = getattr(inp, "view", None)  # a bare EscalationInput plans no view
        with self.db.session() as session:
            if view is not None:
                write_view(session, view)
            existing = session.exec(
                select(Escalation).where(
                    Escalation.case_no == inp.case_no,
                    Escalation.step == inp.step,
                    Escalation.kind == inp.kind,
                )
            ).first()
            if existing:
                return False
            session.add(
                Escalation(
                    case_no=inp.case_no,
                    step=inp.step,
                    department=inp.department.value,
                    due_at=inp.due_at,
                    escalated_at=datetime.now(UTC),
                    kind=inp.kind,
                    reason=inp.reason,
                )
            )
        log.warning(
            "warned" if inp.kind == "warning" else "escalated",
            kind=inp.kind,
            case_no=inp.case_no,
            step=inp.step,
            due_at=str(inp.due_at),
        )
        return True

    @activity.defn(name="close_case")
    @invariants_are_final
    def close_case(self, inp: CloseCaseInput) -> None:
        """Mark the archived case closed with its outcome and release its hold on the unit.

        Idempotent: a repeat changes nothing, whatever outcome it names.
        """
        with self.db.session() as session:
            case = session.get(Case, inp.case_no)
            if case is None:
                raise ValueError(f"case {inp.case_no} is not in the archive")
            now = datetime.now(UTC)
            released = holds.release(session, case.case_no, now)
            if case.status == "closed":
                return
            case.status = "closed"
            case.outcome = f"{inp.outcome}: {inp.reason}" if inp.reason else inp.outcome.value
            case.closed_at = now
            session.add(case)
        log.info(
            "case closed", case_no=inp.case_no, outcome=inp.outcome.value, holds_released=released
        )

    @activity.defn(name="audit_case_event")
    @invariants_are_final
    def audit_case_event(self, inp: AuditInput) -> None:
        """Keep a write made in the workflow (a claim, a decision) in the case's audit, once:
        a retry finds the row of the same action, actor and moment."""
        with self.db.session() as session:
            kept = session.exec(
                select(CaseEvent.id).where(
                    CaseEvent.case_no == inp.case_no,
                    CaseEvent.action == inp.action,
                    CaseEvent.actor_id == inp.actor.staff_id,
                    CaseEvent.at == inp.at,
                )
            ).first()
            if inp.view is not None:
                write_view(session, inp.view)
            if kept is None:
                record_event(
                    session,
                    case_no=inp.case_no,
                    actor=inp.actor,
                    action=inp.action,
                    subject=inp.subject,
                    reason=inp.reason,
                    at=inp.at,
                )
