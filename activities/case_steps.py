"""The steps of the catalog's flows as one activity each, with the SMS they cause.

A routine case used to schedule an SMS activity after most steps, and intake as two
activities. Here each step is one activity: the department's work (the existing activity
bodies, each idempotent in its own transaction), then its messages written to the outbox
and sent. A fault anywhere retries the whole activity: the work finds itself done and the
outbox keys (`case:step:phone`) keep every message single. The frozen `PropertyCase` keeps
calling the separate activities its histories recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from temporalio import activity

from activities.archive import ArchiveActivities
from activities.delivery import DeliveryActivities
from activities.errors import invariants_are_final
from activities.housing import HousingActivities
from activities.intake import IntakeActivities
from activities.outbox import Outbox
from activities.refunds import RefundDue, record_refunds_due, refund_messages
from activities.registry import RegistryActivities
from activities.tax import TaxActivities
from models import step_details
from models.actor import SYSTEM_ACTOR
from models.audit import record_decision_once
from models.case_view import ViewPlan, with_result, write_view
from models.database import Database
from models.enums import CollectionMethod, StepName
from models.notices import BillNotice, CloseNotice, DeliveryNotice, PaymentNotice, StepNotice
from models.payloads import (
    CollectionResult,
    PaymentResult,
    PushResult,
    RegistrationResult,
    SmsInput,
    StepInput,
    TaxAssessment,
    TransactionCheckResult,
)


@dataclass(eq=False)  # hashed by identity, as every activity holder
class CaseStepActivities:
    """One activity per step of a flow; the department activities do the work."""

    db: Database
    outbox: Outbox
    intake: IntakeActivities
    housing: HousingActivities
    tax: TaxActivities
    registry: RegistryActivities
    delivery: DeliveryActivities
    archive: ArchiveActivities

    def _tell(
        self,
        case_no: str,
        messages: list[SmsInput],
        view: ViewPlan | None = None,
        automatic: str | None = None,
    ) -> None:
        """Queue the step's messages, write the case's view and keep an automatic approval
        (by the system actor) in one transaction after the work's own; send what is pending."""
        if messages or view is not None or automatic is not None:
            with self.db.session() as session:
                for sms in messages:
                    self.outbox.queue(session, sms)
                if view is not None:
                    write_view(session, view)
                if automatic is not None:
                    record_decision_once(session, case_no, SYSTEM_ACTOR, automatic)
        self.outbox.send_pending(self.db, case_no)

    @activity.defn(name="intake_case")
    @invariants_are_final
    def intake_case(self, inp: StepNotice) -> PushResult:
        """Pre-review the stored materials, push the scans, tell the parties it is accepted."""
        step = StepInput(case_no=inp.case_no)
        self.intake.pre_review_materials(step)
        pushed = self.intake.push_documents(step)
        detail = step_details.pushed(pushed)
        self._tell(inp.case_no, inp.sms, _result(inp.view, StepName.PUSH_DOCUMENTS, detail))
        return pushed

    @activity.defn(name="check_and_notify")
    @invariants_are_final
    def check_and_notify(self, inp: StepNotice) -> TransactionCheckResult:
        """Housing's transaction check; the parties learn it passed."""
        checked = self.housing.check_transaction(StepInput(case_no=inp.case_no))
        detail = step_details.checked(checked)
        view = _result(inp.view, StepName.TRANSACTION_CHECK, detail)
        self._tell(inp.case_no, inp.sms, view, inp.automatic)
        return checked

    @activity.defn(name="record_payment_and_notify")
    @invariants_are_final
    def record_payment_and_notify(self, inp: PaymentNotice) -> PaymentResult:
        """Record the confirmed payment (once); the parties get the receipt by SMS."""
        paid = self.tax.record_payment(inp.record)
        self._tell(inp.record.case_no, inp.sms, inp.view)
        return paid

    @activity.defn(name="assess_and_bill")
    @invariants_are_final
    def assess_and_bill(self, inp: BillNotice) -> TaxAssessment:
        """Assess the taxes and fees; each payer (buyer, seller, lender) learns their own share
        and the payment deadline."""
        bill = self.tax.assess_taxes(StepInput(case_no=inp.case_no))
        self._bill(inp, bill)
        return bill

    @activity.defn(name="bill_and_notify")
    @invariants_are_final
    def bill_and_notify(self, inp: BillNotice) -> TaxAssessment:
        """The bill a tax clerk confirmed (or adjusted) goes out: each payer learns their own
        share and the payment deadline, which starts now."""
        assert inp.bill is not None, "a clerk's bill travels with its notice"
        self._bill(inp, inp.bill)
        return inp.bill

    def _bill(self, inp: BillNotice, bill: TaxAssessment) -> None:
        messages = [
            SmsInput(
                case_no=inp.case_no,
                step=f"{inp.template}_{role}",
                template=inp.template,
                params={"total": str(amount), "due": inp.due},
                to_roles=[role],
            )
            for role, amount in bill.shares()
        ]
        view = _result(
            inp.view,
            StepName.TAX_ASSESSMENT,
            step_details.assessed(bill.total),
            tax_total=bill.total,
        )
        self._tell(inp.case_no, messages, view, inp.automatic)

    @activity.defn(name="assess_for_review")
    @invariants_are_final
    def assess_for_review(self, inp: StepNotice) -> TaxAssessment:
        """Assess the taxes and fees for a tax clerk to confirm or adjust: nobody is billed
        yet; the case waits on the tax queue with the computed total."""
        bill = self.tax.assess_taxes(StepInput(case_no=inp.case_no))
        detail = f"{step_details.assessed(bill.total)} — 待税务确认 awaiting the tax clerk"
        view = _result(inp.view, StepName.TAX_ASSESSMENT, detail, tax_total=bill.total)
        self._tell(inp.case_no, [], view)
        return bill

    @activity.defn(name="check_for_review")
    @invariants_are_final
    def check_for_review(self, inp: StepNotice) -> TransactionCheckResult:
        """Housing's check for a clerk to confirm: a blocking finding (a seizure, a seller who
        is not the owner) refuses the case here in any mode; the others (a mortgage, an
        advance notice, the contract) wait on the housing queue as the step's detail."""
        checked = self.housing.check_transaction(StepInput(case_no=inp.case_no))
        detail = step_details.checked(checked) or "无异常 nothing found"
        self._tell(inp.case_no, inp.sms, _result(inp.view, StepName.TRANSACTION_CHECK, detail))
        return checked

    @activity.defn(name="tell_parties")
    @invariants_are_final
    def tell_parties(self, inp: StepNotice) -> None:
        """A clerk's decision carried out: the parties' SMS and the case's view."""
        self._tell(inp.case_no, inp.sms, inp.view)

    @activity.defn(name="register_and_notify")
    @invariants_are_final
    def register_and_notify(self, inp: StepNotice) -> RegistrationResult:
        """Review, record and print; tell the transferees the certificate is ready (a
        cancellation prints nothing: its parties are told it is recorded instead)."""
        done = self.registry.register(StepInput(case_no=inp.case_no))
        numbers = step_details.registered(done)
        view = _result(
            inp.view,
            StepName.REGISTRATION,
            numbers or "登簿 recorded",
            certificate_no=numbers.split("、")[0] or None,
        )
        told = inp.sms if done.certificate_no else inp.unprinted
        self._tell(inp.case_no, told, view, inp.automatic)
        return done

    @activity.defn(name="deliver")
    @invariants_are_final
    def deliver(self, inp: DeliveryNotice) -> CollectionResult:
        """Store the collection choice; by EMS book the shipment; tell the buyers either way."""
        case_no = inp.choice.case_no
        self.delivery.record_collection_choice(inp.choice)
        if inp.choice.method == CollectionMethod.EMS:
            assert inp.shipment is not None, "an EMS choice comes with its shipment"
            shipped = self.delivery.ship_certificate(inp.shipment)
            params = {"tracking_no": shipped.tracking_no}
            view = _result(
                inp.view,
                StepName.COLLECTION,
                f"EMS {shipped.tracking_no}",
                tracking_no=shipped.tracking_no,
            )
            self._tell(
                case_no,
                [
                    SmsInput(
                        case_no=case_no,
                        step="shipped",
                        template="shipped",
                        params=params,
                        to_roles=inp.collectors,
                    )
                ],
                view,
            )
            return CollectionResult(method=CollectionMethod.EMS, tracking_no=shipped.tracking_no)
        ready = SmsInput(
            case_no=case_no,
            step="ready_at_window",
            template="ready_at_window",
            to_roles=inp.collectors,
        )
        self._tell(case_no, [ready], inp.view)
        return CollectionResult(method=CollectionMethod.WINDOW)

    @activity.defn(name="close_and_notify")
    @invariants_are_final
    def close_and_notify(self, inp: CloseNotice) -> list[RefundDue]:
        """Store the handover that completed the case, close it (its hold released), tell the
        parties why if it did not complete.

        A paid case that ends unregistered (refused, withdrawn, failed) owes each payer what
        they paid: the refunds are recorded once, each payer is told theirs, and they are
        the result, so the workflow's history shows them. A retry records and sends nothing
        twice and answers the same list.
        """
        if inp.handover is not None:
            self.delivery.record_handover(inp.handover)
        self.archive.close_case(inp.close)
        close = inp.close
        with self.db.session() as session:
            refunds = record_refunds_due(
                session, close.case_no, close.outcome, close.reason, datetime.now(UTC)
            )
        self._tell(close.case_no, [*inp.sms, *refund_messages(close.case_no, refunds)], inp.view)
        return refunds


def _result(
    view: ViewPlan | None, step: StepName, detail: str | None, **fields: object
) -> ViewPlan | None:
    return None if view is None else with_result(view, step, detail, **fields)
