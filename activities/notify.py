"""SMS on their own, through the outbox: at most one message per case, step and recipient."""

from __future__ import annotations

from sqlmodel import col, select
from temporalio import activity

from activities.errors import invariants_are_final
from activities.outbox import Outbox
from integrations.sms import SmsGateway
from logging_setup import get_logger
from models.archive import SmsMessage
from models.database import Database
from models.payloads import SmsInput, SmsResult

log = get_logger(__name__)


class NotifyActivities:
    """Sends templated SMS on their own (reminders, and every SMS of the frozen PropertyCase)."""

    def __init__(self, db: Database, gateway: SmsGateway, hall_name: str) -> None:
        self.db = db
        self.outbox = Outbox(gateway, hall_name)

    @activity.defn(name="send_sms")
    @invariants_are_final
    def send_sms(self, inp: SmsInput) -> SmsResult:
        """Send to each party in the given roles, keyed `case:step:phone`.

        A retry skips messages already sent; a message whose send was interrupted is
        re-sent with the same key, which the gateway deduplicates.
        """
        with self.db.session() as session:
            keys = self.outbox.queue(session, inp)
            already = len(
                session.exec(
                    select(SmsMessage.idempotency_key).where(
                        col(SmsMessage.idempotency_key).in_(keys), SmsMessage.status == "sent"
                    )
                ).all()
            )
        sent = self.outbox.send_pending(self.db, inp.case_no)
        log.info("sms", case_no=inp.case_no, step=inp.step, sent=sent, already_sent=already)
        return SmsResult(sent=len(keys) - already, already_sent=already)
