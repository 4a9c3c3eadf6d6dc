"""Tax assessment and payment: the bill, the SMS to each payer, the reminder and the lapse."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.case_steps import CaseStepActivities
    from activities.tax import TaxActivities
    from models import step_details
    from models.actor import SYSTEM_ACTOR, Role, refusal
    from models.enums import Department, Stage, StepName, StepStatus
    from models.notices import BillNotice, PaymentNotice, StepNotice
    from models.payloads import PaymentInput, PaymentRecordInput, PaymentResult, TaxAssessment
    from workflows.deadline_clock import Due
    from workflows.kit.flow import CaseFlow
    from workflows.kit.outcomes import any_of, require
    from workflows.progress import ProgressTracker

# Payment confirmation is the bill's department's (the tax bureau's, or registration's
# for a fee billed alone), never the applicant's.
CONFIRMED_BY = {
    Department.TAX: frozenset({Role.TAX}),
    Department.REGISTRATION: frozenset({Role.REGISTRATION}),
}


class PaymentSteps(CaseFlow):
    """The `confirm_payment` update and the steps that wait for it."""

    @workflow.update
    async def confirm_payment(self, inp: PaymentInput) -> PaymentResult:
        """The tax bureau confirms the applicant paid the assessed total."""
        self._payment_accepted = True
        async with self._lock:
            if self._payment is None:
                record = PaymentRecordInput(
                    case_no=self._inp.case_no,
                    amount=inp.amount,
                    reference=inp.reference,
                    paid_at=workflow.now(),
                    actor=inp.actor,
                )
                if self.LEAN:
                    receipt = {"amount": str(inp.amount), "reference": inp.reference}
                    paid = f"paid {inp.reference}"
                    self._payment = await self._call(
                        CaseStepActivities.record_payment_and_notify,
                        PaymentNotice(
                            record=record,
                            sms=[self._notice("paid", "paid", receipt)],
                            view=self._plan(lambda t: t.finish(StepName.PAYMENT, None, paid)),
                        ),
                        "记录缴款 record payment; receipt by SMS",
                    )
                else:
                    self._payment = await self._call(
                        TaxActivities.record_payment, record, "记录缴税 record payment"
                    )
            if (inp.reference, inp.amount) != (self._payment.reference, self._payment.amount):
                # Two different confirmations sent at once both pass the validator before
                # either is recorded: the one that lost the lock is refused here.
                raise ApplicationError(
                    f"taxes are already paid for this case (reference {self._payment.reference})",
                    type="PaymentConflict",
                    non_retryable=True,
                )
            return self._payment

    @confirm_payment.validator
    def _validate_payment(self, inp: PaymentInput) -> None:
        billed_by = self._track.step(StepName.TAX_ASSESSMENT).department
        require(refusal(inp.actor, CONFIRMED_BY[billed_by], "confirm a payment"))
        if self._payment is not None:
            if inp.reference != self._payment.reference:
                raise ValueError("taxes are already paid for this case")
            if inp.amount != self._payment.amount:
                raise ValueError(
                    f"amount: payment {inp.reference} is already recorded with "
                    f"{self._payment.amount}, not {inp.amount}"
                )
            return  # a repeated confirmation of the same payment is answered, not refused
        self._require_open()
        if self._payment_window_closed:
            raise ValueError("the payment deadline has passed; the case is closed as lapsed")
        if self._track.progress.stage != Stage.AWAITING_PAYMENT or self._tax is None:
            raise ValueError(f"no payment is due in stage {self._track.progress.stage.value}")
        if inp.amount != self._tax.total:
            raise ValueError(f"amount: must equal the assessed total {self._tax.total}")

    async def _taxes(self) -> bool:
        """Assess, ask the applicant to pay, wait; False if the payment window lapsed."""
        self._enter_for(Stage.TAX_ASSESSMENT, self._track.step(StepName.TAX_ASSESSMENT).department)
        self._tax = await self._department_step(StepName.TAX_ASSESSMENT, self._assess())
        self._track.progress.tax_total = self._tax.total
        self._track.finish(
            StepName.TAX_ASSESSMENT, workflow.now(), step_details.assessed(self._tax.total)
        )
        if self._tax.total == 0:
            self._track.finish(StepName.PAYMENT, workflow.now(), "nothing to pay")
            await self._record_zero_payment()
            return True

        if self.LEAN:
            due = self._clock.due("payment")  # started with the assessment, which told payers
        else:
            due = self._clock.start("payment", workflow.now())
        self._track.begin(StepName.PAYMENT, workflow.now(), None, StepStatus.WAITING)
        self._refresh_dues()
        self._enter(Stage.AWAITING_PAYMENT, Department.APPLICANT, due)
        if not self.LEAN:
            await self._tell_payers("pay_taxes", due)
        # Patch "payment-accepted-before-deadline": wait for the accepted confirmation, not for
        # its recording, so one accepted just before the deadline is never lapsed. Deprecate
        # once no case started before 2026-11-28 is waiting for payment.
        accepted: Callable[[], bool]
        if self._patched("payment-accepted-before-deadline"):
            accepted = lambda: self._payment_accepted  # noqa: E731
        else:
            accepted = lambda: self._payment is not None  # noqa: E731
        # The reminder at half the payment window, then the lapse at its end; both follow a
        # calendar update (the window is measured from when the payment step began).
        reminded = False
        while True:
            version = self._clock.version
            due = self._clock.due("payment")
            woken = any_of(accepted, self._calendar_moved(version))
            if due is None:
                await workflow.wait_condition(woken)
            elif not reminded:
                start = self._track.step(StepName.PAYMENT).started_at or workflow.now()
                halfway = start + (due.at - start) / 2 - workflow.now()
                if not await self._wait_for(woken, halfway, "缴税提醒 payment reminder"):
                    await self._tell_payers("payment_reminder", due)
                    reminded = True
            elif not await self._wait_for(
                woken, due.at - workflow.now(), "缴税期限 payment deadline"
            ):
                self._payment_window_closed = True
                await self._sms("payment_lapsed", "payment_lapsed", {})
                return False
            if accepted():
                break
        await workflow.wait_condition(lambda: self._payment is not None)
        assert self._payment is not None
        self._track.finish(StepName.PAYMENT, workflow.now(), f"paid {self._payment.reference}")
        return True

    async def _assess(self) -> TaxAssessment:
        """The assessment; a lean flow's also tells each payer their share and the deadline.

        There the payment window starts as the (automatic) assessment is scheduled, so the
        deadline can travel in the SMS the assessment sends.
        """
        if not self.LEAN:
            return await self._call(
                TaxActivities.assess_taxes, self._step_input(), "核税 tax assessment"
            )
        if self._manual(Department.TAX):
            return await self._assess_by_hand()
        due = self._clock.start("payment", workflow.now())
        return await self._call(
            CaseStepActivities.assess_and_bill,
            BillNotice(
                case_no=self._inp.case_no,
                due=self._fmt(due),
                view=self._plan_done(StepName.TAX_ASSESSMENT, self._payment_waits(due)),
                automatic=self._track.step(StepName.TAX_ASSESSMENT).department.value,
            ),
            "核税 tax assessment; tell each payer",
        )

    async def _assess_by_hand(self) -> TaxAssessment:
        """The tax clerk confirms the computed bill or adjusts it with a reason; only then
        are the payers billed, and the payment window starts."""
        step = StepName.TAX_ASSESSMENT
        computed = await self._call(
            CaseStepActivities.assess_for_review,
            StepNotice(case_no=self._inp.case_no, view=self._plan(lambda t: t.awaiting(step))),
            "核税 tax assessment, for the tax clerk",
        )
        self._track.progress.tax_total = computed.total
        self._track.step(step).detail = step_details.assessed(computed.total)
        await self._decision(Department.TAX)
        bill = self._adjusted or computed  # the decision stored any adjustment
        due = self._clock.start("payment", workflow.now())
        return await self._call(
            CaseStepActivities.bill_and_notify,
            BillNotice(
                case_no=self._inp.case_no,
                due=self._fmt(due),
                bill=bill,
                view=self._plan_done(step, self._payment_waits(due)),
            ),
            "开单 bill each payer",
        )

    def _payment_waits(self, due: Due | None) -> Callable[[ProgressTracker], None]:
        """What follows the bill at once: the payment step waits for the payers."""

        def change(t: ProgressTracker) -> None:
            t.begin(StepName.PAYMENT, None, due.at if due else None, StepStatus.WAITING)
            t.progress.payment_due_at = due.at if due else None
            t.progress.payment_due_provisional = bool(due and due.provisional)
            t.enter(Stage.AWAITING_PAYMENT, Department.APPLICANT)

        return change

    async def _record_zero_payment(self) -> None:
        # Exempt cases still push a "paid" status so registration's review sees it.
        self._payment = await self._call(
            TaxActivities.record_payment,
            PaymentRecordInput(
                case_no=self._inp.case_no,
                amount=Decimal(0),
                reference="EXEMPT",
                paid_at=workflow.now(),
                actor=SYSTEM_ACTOR,
            ),
            "免税 nothing to pay",
        )
