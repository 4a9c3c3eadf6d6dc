"""Tax bureau (税务): assessment with the domain tax engine, and recording the payment."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from temporalio import activity

from activities.errors import invariants_are_final
from activities.handoffs import push
from domain.parties import PARTY_KIND_BY_ID
from domain.tax import PartyKind, Payer, TaxInput, Usage, assess
from logging_setup import get_logger
from models.actor import SYSTEM_ACTOR
from models.archive import Case, Party, TaxBillRecord
from models.audit import record_event
from models.database import Database
from models.payloads import PaymentRecordInput, PaymentResult, StepInput, TaxAssessment
from models.register import Ownership, Property

log = get_logger(__name__)
HALL_TZ = ZoneInfo("Asia/Shanghai")


def _kind(parties: list[Party], role: str) -> PartyKind:
    """An enterprise on a side makes that side's taxes the enterprise ones."""
    kinds = {PARTY_KIND_BY_ID[p.id_kind] for p in parties if p.role == role}
    return PartyKind.ENTERPRISE if PartyKind.ENTERPRISE in kinds else PartyKind.PERSON


class TaxActivities:
    """Assesses a case's taxes once and records its payment once."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @activity.defn(name="assess_taxes")
    @invariants_are_final
    def assess_taxes(self, inp: StepInput) -> TaxAssessment:
        """Compute the bill with the rules in force on the acceptance date and store it.

        A retry returns the stored bill rather than assessing again.
        """
        with self.db.session() as session:
            stored = session.get(TaxBillRecord, inp.case_no)
            if stored is None:
                case = session.get(Case, inp.case_no)
                if case is None:
                    raise ValueError(f"case {inp.case_no} is not in the archive")
                unit = session.get(Property, case.unit_number)
                assert unit is not None, "the transaction check guarantees the unit"
                parties = list(session.exec(select(Party).where(Party.case_no == case.case_no)))
                sellers = {p.id_number for p in parties if p.role == "seller"}
                acquisition = session.exec(
                    select(Ownership).where(
                        Ownership.unit_number == unit.unit_number,
                        col(Ownership.ended_on).is_(None),
                        col(Ownership.holder_id_number).in_(sellers),
                    )
                ).first()
                facts = case.facts.get("tax", {})
                cost_verified = bool(case.facts.get("conditions", {}).get("seller_cost_verified"))
                bill = assess(
                    TaxInput(
                        business_type=case.business_type,
                        price=case.price,
                        area_m2=unit.area_m2,
                        usage=Usage(unit.usage),
                        buyer_kind=_kind(parties, "buyer"),
                        seller_kind=_kind(parties, "seller"),
                        buyer_home_count=int(facts.get("buyer_home_count", 1)),
                        seller_acquired_on=acquisition.since if acquisition else None,
                        seller_original_price=(
                            acquisition.acquired_price if acquisition and cost_verified else None
                        ),
                        seller_original_taxes=Decimal(str(facts.get("seller_original_taxes", 0))),
                        seller_family_only_home=bool(facts.get("seller_family_only_home")),
                        sale_date=case.accepted_at.astimezone(HALL_TZ).date(),
                    )
                )
                stored = TaxBillRecord(
                    case_no=case.case_no,
                    total=bill.total,
                    bill=bill.model_dump(mode="json"),
                    assessed_at=datetime.now(UTC),
                )
                session.add(stored)
                log.info("taxes assessed", case_no=inp.case_no, total=str(bill.total))
        totals = stored.bill.get("totals", {})
        return TaxAssessment(
            total=stored.total,
            buyer_total=Decimal(str(totals.get(Payer.BUYER.value, "0"))),
            seller_total=Decimal(str(totals.get(Payer.SELLER.value, "0"))),
            lines=len(stored.bill.get("lines", [])),
            referrals=[r["code"] for r in stored.bill.get("referrals", [])],
        )

    @activity.defn(name="record_payment")
    @invariants_are_final
    def record_payment(self, inp: PaymentRecordInput) -> PaymentResult:
        """Mark the bill paid and push the paid status to registration and housing."""
        with self.db.session() as session:
            bill = session.get(TaxBillRecord, inp.case_no)
            if bill is None:
                raise ValueError(f"case {inp.case_no} has no assessed bill")
            if bill.status != "paid":
                bill.status = "paid"
                bill.paid_at = inp.paid_at
                bill.payment_reference = inp.reference
                session.add(bill)
                record_event(
                    session,
                    case_no=inp.case_no,
                    actor=inp.actor or SYSTEM_ACTOR,
                    action="payment_confirmed",
                    subject=inp.reference,
                    reason=f"amount {inp.amount}",
                    request=inp,
                )
            push(
                session,
                case_no=inp.case_no,
                from_department="tax",
                to_departments=["registration", "housing"],
                subject="taxes_paid",
                payload={"amount": str(bill.total), "reference": bill.payment_reference},
            )
            assert bill.paid_at is not None and bill.payment_reference is not None
            return PaymentResult(
                case_no=inp.case_no,
                amount=bill.total,
                reference=bill.payment_reference,
                paid_at=bill.paid_at,
            )
