"""SMS to applicants through the outbox: at most one message per case, step and recipient."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select
from temporalio import activity

from activities.errors import invariants_are_final
from activities.sms_templates import render
from integrations.sms import SmsGateway
from logging_setup import get_logger
from models.archive import Party, SmsMessage
from models.database import Database
from models.payloads import SmsInput, SmsResult

log = get_logger(__name__)


class NotifyActivities:
    """Sends templated SMS; the outbox row is written before the send and marked after it."""

    def __init__(self, db: Database, gateway: SmsGateway, hall_name: str) -> None:
        self.db = db
        self.gateway = gateway
        self.hall_name = hall_name

    @activity.defn(name="send_sms")
    @invariants_are_final
    def send_sms(self, inp: SmsInput) -> SmsResult:
        """Send to each party in the given roles, keyed `case:step:phone`.

        A retry skips messages already sent; a message whose send was interrupted is
        re-sent with the same key, which the gateway deduplicates.
        """
        params = {"hall": self.hall_name, "case_no": inp.case_no, **inp.params}
        text = render(inp.template, params)
        with self.db.session() as session:
            phones = sorted(
                {
                    p.phone
                    for p in session.exec(
                        select(Party).where(
                            Party.case_no == inp.case_no, col(Party.role).in_(inp.to_roles)
                        )
                    )
                }
            )
        sent = already = 0
        for phone in phones:
            key = f"{inp.case_no}:{inp.step}:{phone}"
            with self.db.session() as session:
                msg = session.get(SmsMessage, key)
                if msg is None:
                    msg = SmsMessage(
                        idempotency_key=key,
                        case_no=inp.case_no,
                        phone=phone,
                        text=text,
                        created_at=datetime.now(UTC),
                    )
                    session.add(msg)
            if msg.status == "sent":
                already += 1
                continue
            provider_id = self.gateway.send(phone=phone, text=msg.text, idempotency_key=key)
            with self.db.session() as session:
                stored = session.get(SmsMessage, key)
                assert stored is not None
                stored.status = "sent"
                stored.provider_message_id = provider_id
                stored.sent_at = datetime.now(UTC)
                session.add(stored)
            sent += 1
        log.info("sms", case_no=inp.case_no, step=inp.step, sent=sent, already_sent=already)
        return SmsResult(sent=sent, already_sent=already)
