"""Tax bureau (税务): assessment with the domain tax engine, and recording the payment."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

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
from domain.tax.adjust import LineChange, NotAdjustable, adjust
from logging_setup import get_logger
from models.actor import SYSTEM_ACTOR
from models.archive import Case, Party, TaxBillRecord
from models.audit import record_event
from models.database import Database
from models.payloads import PaymentRecordInput, PaymentResult, StepInput, TaxAssessment
from models.register import Ownership, Property
from models.tax_adjustment import AdjustBillInput

log = get_logger(__name__)

BILL_NOT_ADJUSTABLE = "BillNotAdjustable"
"""ApplicationError type of an adjustment the stored bill cannot take (none, paid, a line
it lacks). Non-retryable, but not a `RefusalType`: those end the case, while this only
answers the tax clerk, and the case goes on with the bill as it stands."""


def not_adjustable(reason: str) -> ApplicationError:
    """The non-retryable error that tells the clerk why the bill was not adjusted."""
    return ApplicationError(reason, type=BILL_NOT_ADJUSTABLE, non_retryable=True)


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


def _summary(stored: TaxBillRecord) -> TaxAssessment:
    """The stored bill in short, as it stands: an adjusted bill says so, with its reason."""
    bill = stored.bill
    totals = bill.get("totals", {})
    adjustments = bill.get("adjustments", [])
    computed = bill.get("computed")
    return TaxAssessment(
        total=stored.total,
        buyer_total=Decimal(str(totals.get(Payer.BUYER.value, "0"))),
        seller_total=Decimal(str(totals.get(Payer.SELLER.value, "0"))),
        lender_total=Decimal(str(totals.get(Payer.LENDER.value, "0"))),
        lines=len(bill.get("lines", [])),
        fees=len(bill.get("fees", [])),
        referrals=[r["code"] for r in bill.get("referrals", [])],
        adjusted=bool(adjustments),
        computed_total=Decimal(str(computed["total"])) if adjustments and computed else None,
        adjustment_reason=adjustments[-1]["reason"] if adjustments else None,
    )


def _adjusted_at(bill: dict[str, Any], at: datetime) -> bool:
    """Whether the stored bill already carries the adjustment decided at ``at`` (a retry)."""
    return any(datetime.fromisoformat(a["at"]) == at for a in bill.get("adjustments", []))


def _line_key(line: dict[str, Any]) -> tuple[str, str]:
    return (line.get("tax") or line["fee"], line["payer"])


def _marked(lines: list[dict[str, Any]], computed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines, each whose amount is not the engine's marked ``adjusted``."""
    engine = {_line_key(x): x["amount"] for x in computed}
    return [
        {**x, "adjusted": True} if engine.get(_line_key(x)) != x["amount"] else x for x in lines
    ]


def _change(c: LineChange) -> dict[str, Any]:
    before = None if c.before is None else str(c.before)
    return {"code": c.code, "payer": c.payer.value, "before": before, "after": str(c.after)}


class TaxActivities:
    """Assesses a case's taxes once, takes the tax clerk's adjustments, records the payment."""

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
        never in a retry loop. A retry returns the stored bill rather than assessing again
        (as the tax clerk left it, if adjusted).
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
        return _summary(stored)

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

    @activity.defn(name="adjust_bill")
    @invariants_are_final
    def adjust_bill(self, inp: AdjustBillInput) -> TaxAssessment:
        """Put the tax clerk's amounts on the stored bill, keeping the engine's lines beside.

        The bill becomes what the applicants pay (`record_payment` and the totals read it);
        ``bill["computed"]`` keeps the engine's lines and totals (the estimate's), and
        ``bill["adjustments"]`` who changed which line from what to what, when and why, so
        the difference from the estimate is always explained. The audit row is written in
        the same transaction. A retry of the same decision (``case_no`` and ``at``) changes
        nothing and answers the same; a bill that is missing or paid, or a line it cannot
        take, is refused without retrying (`BillNotAdjustable`), nothing stored.
        """
        with self.db.session() as session:
            # FOR UPDATE (PostgreSQL): two attempts of one decision, or an adjustment and a
            # payment, are one after the other, and the second sees the first.
            stored = session.get(TaxBillRecord, inp.case_no, with_for_update=True)
            if stored is None:
                raise not_adjustable(f"case {inp.case_no} has no assessed bill to adjust")
            if stored.status == "paid":
                raise not_adjustable(
                    f"the bill of case {inp.case_no} is paid (reference "
                    f"{stored.payment_reference}); a paid bill is never adjusted"
                )
            if _adjusted_at(stored.bill, inp.at):
                return _summary(stored)
            asked = [(x.code, x.payer, x.amount) for x in inp.adjustment.lines]
            try:
                bill, changes = adjust(TaxBill.model_validate(stored.bill), asked)
            except NotAdjustable as err:
                raise not_adjustable(f"adjustment.lines.{err.index}.code: {err}") from None
            if not changes:
                raise not_adjustable(
                    "adjustment.lines: every amount is already the bill's; "
                    "confirm the bill rather than adjust it"
                )
            before = stored.total
            computed = stored.bill.get("computed") or {
                "lines": stored.bill["lines"],
                "fees": stored.bill.get("fees", []),  # none in bills stored before fees
                "totals": stored.bill["totals"],
                "total": stored.bill["total"],
            }
            dumped = bill.model_dump(mode="json")
            entry = {
                "at": inp.at.isoformat(),
                "by": inp.actor.model_dump(mode="json"),
                "reason": inp.adjustment.reason,
                "total_before": str(before),
                "total_after": str(bill.total),
                "changes": [_change(c) for c in changes],
            }
            # A new dict: the JSON column does not see changes made inside the old one.
            stored.bill = {
                **stored.bill,
                **dumped,
                "lines": _marked(dumped["lines"], computed["lines"]),
                "fees": _marked(dumped["fees"], computed["fees"]),
                "computed": computed,
                "adjustments": [*stored.bill.get("adjustments", []), entry],
            }
            stored.total = bill.total
            session.add(stored)
            record_event(
                session,
                case_no=inp.case_no,
                actor=inp.actor,
                action="bill_adjusted",
                subject=f"total {before} → {bill.total}",
                reason=inp.adjustment.reason,
                request=inp,
                at=inp.at,
            )
            log.info(
                "bill adjusted", case_no=inp.case_no, before=str(before), total=str(bill.total)
            )
            return _summary(stored)

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
