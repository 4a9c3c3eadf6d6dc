"""Tax bureau (税务): assessment with the domain tax engine, and recording the payment."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlmodel import Session, col, select
from temporalio import activity

from activities.errors import broken, invariants_are_final
from activities.handoffs import push
from domain.parties import PARTY_KIND_BY_ID
from domain.tax import (
    CaseFacts,
    PartyKind,
    Payer,
    TaxBill,
    TaxDeclaration,
    UnknownTreatment,
    Usage,
    assess,
    is_city_district,
    referred_bill,
    tax_input_from_case,
)
from logging_setup import get_logger
from models.actor import SYSTEM_ACTOR
from models.archive import Case, Party, TaxBillRecord
from models.audit import record_event
from models.database import Database
from models.payloads import PaymentRecordInput, PaymentResult, StepInput, TaxAssessment
from models.register import Ownership, Property

log = get_logger(__name__)


def _kinds(parties: list[Party], role: str) -> tuple[PartyKind, ...]:
    kinds = []
    for p in parties:
        if p.role == role:
            if p.id_kind not in PARTY_KIND_BY_ID:
                raise ValueError(f"{role}.id_kind: {p.id_kind!r} is not a known kind of party")
            kinds.append(PARTY_KIND_BY_ID[p.id_kind])
    return tuple(kinds)


def case_facts(session: Session, case: Case, zone: ZoneInfo) -> CaseFacts:
    """Gather a case's tax facts from the archive and the register; decide nothing.

    ``zone`` is the hall's: the acceptance date (which rules are in force) is its local date.

    Raises:
        ValueError: the archive or the register holds a fact the engine cannot read (a
            ``pydantic.ValidationError`` for the declaration), or the case claims the
            close-relative exemption without naming the relationship.
    """
    unit = session.get(Property, case.unit_number)
    if unit is None:
        raise ValueError(f"unit_number: {case.unit_number} is not in the register")
    parties = list(session.exec(select(Party).where(Party.case_no == case.case_no)))
    sellers = {p.id_number for p in parties if p.role == "seller"}
    acquisition = session.exec(
        select(Ownership)
        .where(
            Ownership.unit_number == unit.unit_number,
            col(Ownership.ended_on).is_(None),
            col(Ownership.holder_id_number).in_(sellers),
        )
        .order_by(col(Ownership.since))
    ).first()
    conditions = case.facts.get("conditions", {})
    declared = TaxDeclaration.model_validate(case.facts.get("tax", {}))
    if conditions.get("close_relative_gift") and declared.relationship is None:
        raise ValueError(
            "tax.relationship: the case claims the close-relative exemption "
            "(close_relative_gift) but names no relationship"
        )
    cost_verified = bool(conditions.get("seller_cost_verified"))
    return CaseFacts(
        business_type=case.business_type,
        price=case.price,
        accepted_on=case.accepted_at.astimezone(zone).date(),
        area_m2=unit.area_m2,
        usage=Usage(unit.usage),
        city_district=is_city_district(unit.division),
        buyers=_kinds(parties, "buyer"),
        sellers=_kinds(parties, "seller"),
        lenders=_kinds(parties, "lender"),
        seller_acquired_on=acquisition.since if acquisition else None,
        seller_original_price=(
            acquisition.acquired_price if acquisition and cost_verified else None
        ),
        declared=declared,
    )


def _reason(err: ValueError) -> str:
    """A readable reason naming the field; pydantic's prefix and duplicate names dropped."""
    if not isinstance(err, ValidationError):
        return str(err)
    parts = []
    for e in err.errors(include_url=False):
        field = ".".join(str(p) for p in e["loc"])
        msg = str(e["msg"]).removeprefix("Value error, ")
        parts.append(msg if msg.startswith(f"{field}:") else f"{field}: {msg}")
    return "; ".join(parts)


class TaxActivities:
    """Assesses a case's taxes once and records its payment once."""

    def __init__(self, db: Database, *, zone: ZoneInfo) -> None:
        self.db = db
        self.zone = zone  # the hall's (Settings.TIMEZONE): acceptance dates are read in it

    @activity.defn(name="assess_taxes")
    @invariants_are_final
    def assess_taxes(self, inp: StepInput) -> TaxAssessment:
        """Compute the bill with the rules in force on the acceptance date and store it.

        The facts go through the same function as the desk's estimate, so the bill equals
        the estimate for the same facts. A business type without the tax department is
        billed its registration fees alone (nothing for a fee-exempt cancellation); one
        with tax but without a tax treatment is billed as a referral to the tax desk. Facts
        the engine cannot take end the step at once (non-retryable, naming the field),
        never in a retry loop. A retry returns the stored bill rather than assessing again.
        """
        with self.db.session() as session:
            stored = session.get(TaxBillRecord, inp.case_no)
            if stored is None:
                case = session.get(Case, inp.case_no)
                if case is None:
                    raise ValueError(f"case {inp.case_no} is not in the archive")
                bill = self._assess(session, case)
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
            lender_total=Decimal(str(totals.get(Payer.LENDER.value, "0"))),
            lines=len(stored.bill.get("lines", [])),
            fees=len(stored.bill.get("fees", [])),
            referrals=[r["code"] for r in stored.bill.get("referrals", [])],
        )

    def _assess(self, session: Session, case: Case) -> TaxBill:
        try:
            return assess(tax_input_from_case(case_facts(session, case, self.zone)))
        except UnknownTreatment:
            log.warning("no tax treatment: referred", case_no=case.case_no)
            accepted_on = case.accepted_at.astimezone(self.zone).date()
            return referred_bill(case.business_type, accepted_on)
        except ValueError as err:  # ValidationError and NoRulesInForce among them
            reason = f"the case's tax facts cannot be assessed: {_reason(err)}"
            log.error("tax facts refused", case_no=case.case_no, reason=reason)
            raise broken("assess_taxes", reason) from None

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
