"""The SMS outbox: rows written in the transaction of the step that causes them, then sent.

A step's activity queues its messages (one row per recipient, keyed `case:step:phone`) and,
once its transaction has committed, sends what is pending for the case. A send that fails
fails the activity: Temporal retries it, the step's own work finds itself done, and the
pending rows go out under the same keys, which the gateway deduplicates. No message is lost
and none is sent twice, without an SMS activity of its own in the case's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from activities.sms_templates import render
from integrations.sms import SmsGateway
from logging_setup import get_logger
from models.archive import Party, SmsMessage
from models.database import Database
from models.payloads import SmsInput

log = get_logger(__name__)


@dataclass(frozen=True)
class Outbox:
    """Queues templated SMS for a case's parties and sends the pending ones."""

    gateway: SmsGateway
    hall_name: str

    def queue(self, session: Session, sms: SmsInput) -> list[str]:
        """Write one pending row per recipient (none twice); the keys of the message."""
        params = {"hall": self.hall_name, "case_no": sms.case_no, **sms.params}
        text = render(sms.template, params)
        phones = sorted(
            {
                p.phone
                for p in session.exec(
                    select(Party).where(
                        Party.case_no == sms.case_no, col(Party.role).in_(sms.to_roles)
                    )
                )
            }
        )
        keys = [f"{sms.case_no}:{sms.step}:{phone}" for phone in phones]
        for phone, key in zip(phones, keys, strict=True):
            if session.get(SmsMessage, key) is None:
                session.add(
                    SmsMessage(
                        idempotency_key=key,
                        case_no=sms.case_no,
                        phone=phone,
                        text=text,
                        created_at=datetime.now(UTC),
                    )
                )
        session.flush()
        return keys

    def send_pending(self, db: Database, case_no: str) -> int:
        """Send every pending message of the case; how many went out now."""
        with db.session() as session:
            pending = list(
                session.exec(
                    select(SmsMessage)
                    .where(SmsMessage.case_no == case_no, SmsMessage.status == "pending")
                    .order_by(col(SmsMessage.created_at), col(SmsMessage.idempotency_key))
                )
            )
        for msg in pending:
            provider_id = self.gateway.send(
                phone=msg.phone, text=msg.text, idempotency_key=msg.idempotency_key
            )
            with db.session() as session:
                stored = session.get(SmsMessage, msg.idempotency_key)
                assert stored is not None
                stored.status = "sent"
                stored.provider_message_id = provider_id
                stored.sent_at = datetime.now(UTC)
                session.add(stored)
        if pending:
            log.info("sms sent from the outbox", case_no=case_no, sent=len(pending))
        return len(pending)
