"""PropertyCaseWorkflow: one application from intake to the certificate in the applicant's hands.

Orchestration only. Steps: pre-review and document push (service desk) → transaction check
(housing, result shared with tax and registry at once) → tax assessment and an SMS to pay →
wait for the payment (reminder, then lapse) → registration (review, record, print) once both
the check and the payment are in → SMS that the certificate is ready → window pickup or EMS.
Each department step runs against a working-day deadline; a missed one is escalated once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.archive import ArchiveActivities
    from activities.delivery import DeliveryActivities
    from activities.errors import NON_RETRYABLE
    from activities.housing import HousingActivities
    from activities.intake import IntakeActivities
    from activities.notify import NotifyActivities
    from activities.registry import RegistryActivities
    from activities.tax import TaxActivities
    from domain.calendar import CalendarNotCovered, working_days_deadline
    from models.enums import CollectionMethod, Department, SearchAttr, Stage, StepName, StepStatus
    from models.payloads import (
        CaseInput,
        CaseProgress,
        CloseCaseInput,
        CollectionInput,
        CollectionResult,
        EscalationInput,
        HandoverInput,
        HandoverResult,
        PaymentInput,
        PaymentRecordInput,
        PaymentResult,
        ShipmentInput,
        SmsInput,
        StepInput,
        TaxAssessment,
    )
    from workflows.ids import PROPERTY_CASE_WORKFLOW
    from workflows.progress import ProgressTracker, initial_progress

T = TypeVar("T")
A = TypeVar("A")

# Technical faults (database busy, gateway down) are retried without limit: a case must
# never be lost to an outage. Business refusals are non-retryable and end the case.
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=NON_RETRYABLE,
)
# Every activity here is a database write or one gateway call; a worker that dies
# mid-step gets its attempt retried elsewhere after this long.
STEP_TIMEOUT = timedelta(seconds=15)
COLLECTION_REMINDERS = 3
BUYERS = ["buyer"]
ALL_PARTIES = ["buyer", "seller"]


class CaseRefused(Exception):
    """Internal: a step refused the case with a reason the applicant can read."""

    def __init__(self, step: StepName, reason: str) -> None:
        super().__init__(reason)
        self.step = step
        self.reason = reason


@workflow.defn(name=PROPERTY_CASE_WORKFLOW)
class PropertyCaseWorkflow:
    """One property application; supervisors follow it in the Temporal UI."""

    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        self._inp = inp
        self._track = ProgressTracker(initial_progress(inp))
        self._tax: TaxAssessment | None = None
        self._payment: PaymentResult | None = None
        self._collection: CollectionInput | None = None
        self._collection_result: CollectionResult | None = None
        self._handover: HandoverResult | None = None
        self._lock = asyncio.Lock()
        # A confirmation accepted before the deadline counts even if recording it ends after;
        # none is accepted once the deadline has passed.
        self._payment_accepted = False
        self._payment_window_closed = False

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseProgress:
        self._publish()
        try:
            await self._intake()
            if self._track.runs(StepName.TRANSACTION_CHECK):
                await self._transaction_check()
            if self._track.runs(StepName.TAX_ASSESSMENT):
                paid = await self._taxes()
                if not paid:
                    await self._close(Stage.LAPSED, "逾期未缴税 / taxes not paid in time")
                    return await self._finish()
            await self._registration()
            await self._collect()
            await self._close(Stage.COMPLETED)
        except CaseRefused as refusal:
            await self._sms("refused", "refused", {"reason": refusal.reason})
            await self._close(Stage.REFUSED, refusal.reason)
        return await self._finish()

    # --- queries and updates -------------------------------------------------------------

    @workflow.query
    def progress(self) -> CaseProgress:
        """Stage and every step with its status and times."""
        return self._track.progress

    @workflow.update
    async def confirm_payment(self, inp: PaymentInput) -> PaymentResult:
        """The tax bureau confirms the applicant paid the assessed total."""
        self._payment_accepted = True
        async with self._lock:
            if self._payment is None:
                self._payment = await self._call(
                    TaxActivities.record_payment,
                    PaymentRecordInput(
                        case_no=self._inp.case_no,
                        amount=inp.amount,
                        reference=inp.reference,
                        paid_at=workflow.now(),
                    ),
                    "记录缴税 record payment",
                )
            return self._payment

    @confirm_payment.validator
    def _validate_payment(self, inp: PaymentInput) -> None:
        if self._payment is not None:
            if inp.reference == self._payment.reference:
                return  # a repeated confirmation of the same payment is answered, not refused
            raise ValueError("taxes are already paid for this case")
        if self._payment_window_closed:
            raise ValueError("the payment deadline has passed; the case is closed as lapsed")
        if self._track.progress.stage != Stage.AWAITING_PAYMENT or self._tax is None:
            raise ValueError(f"no payment is due in stage {self._track.progress.stage.value}")
        if inp.amount != self._tax.total:
            raise ValueError(f"amount: must equal the assessed total {self._tax.total}")

    @workflow.update
    async def choose_collection(self, inp: CollectionInput) -> CollectionResult:
        """The applicant chooses window pickup or EMS; answers once the choice is carried out."""
        self._collection = inp
        await workflow.wait_condition(lambda: self._collection_result is not None)
        assert self._collection_result is not None
        return self._collection_result

    @choose_collection.validator
    def _validate_collection(self, inp: CollectionInput) -> None:
        if self._collection is not None:
            raise ValueError("the collection method is already chosen")
        if self._track.progress.stage != Stage.AWAITING_COLLECTION_CHOICE:
            raise ValueError(f"the certificate is not ready (stage {self._track.progress.stage})")
        if inp.method == CollectionMethod.EMS and not (inp.recipient and inp.phone and inp.address):
            raise ValueError("ems: recipient, phone and address are required")

    @workflow.update
    async def record_handover(self, inp: HandoverInput) -> HandoverResult:
        """The window clerk hands the certificate over."""
        self._handover = HandoverResult(handed_over_at=workflow.now())
        return self._handover

    @record_handover.validator
    def _validate_handover(self, inp: HandoverInput) -> None:
        if self._track.progress.stage != Stage.AWAITING_PICKUP:
            raise ValueError(f"nothing to hand over in stage {self._track.progress.stage.value}")

    # --- steps ---------------------------------------------------------------------------

    async def _intake(self) -> None:
        now = workflow.now()
        self._track.begin(StepName.PRE_REVIEW, now, None)
        await self._act(
            StepName.PRE_REVIEW,
            self._call(
                IntakeActivities.pre_review_materials,
                self._step_input(),
                "材料预审 pre-review",
            ),
        )
        self._track.finish(StepName.PRE_REVIEW, workflow.now())
        self._enter(Stage.INTAKE, Department.SERVICE_DESK)
        self._track.begin(StepName.PUSH_DOCUMENTS, workflow.now(), None)
        pushed = await self._act(
            StepName.PUSH_DOCUMENTS,
            self._call(
                IntakeActivities.push_documents,
                self._step_input(),
                "扫描件推送 push scans to the departments",
            ),
        )
        self._track.finish(
            StepName.PUSH_DOCUMENTS,
            workflow.now(),
            f"{pushed.documents} documents → {', '.join(pushed.departments)}",
        )
        due = self._due("overall")
        await self._sms("accepted", "accepted", {"due": _fmt(due, self._inp.office_hours.zone)})

    async def _transaction_check(self) -> None:
        self._enter(Stage.TRANSACTION_CHECK, Department.HOUSING)
        result = await self._department_step(
            StepName.TRANSACTION_CHECK,
            Department.HOUSING,
            "transaction_check",
            self._call(
                HousingActivities.check_transaction,
                self._step_input(),
                "房产交易核查 transaction check",
            ),
        )
        notes = [f"contract {result.contract_no}", *result.mortgages, *result.notes]
        self._track.finish(StepName.TRANSACTION_CHECK, workflow.now(), "; ".join(notes))

    async def _taxes(self) -> bool:
        """Assess, ask the applicant to pay, wait; False if the payment window lapsed."""
        self._enter(Stage.TAX_ASSESSMENT, Department.TAX)
        self._tax = await self._department_step(
            StepName.TAX_ASSESSMENT,
            Department.TAX,
            "tax_assessment",
            self._call(
                TaxActivities.assess_taxes,
                self._step_input(),
                "核税 tax assessment",
            ),
        )
        self._track.progress.tax_total = self._tax.total
        self._track.finish(StepName.TAX_ASSESSMENT, workflow.now(), f"total ¥{self._tax.total}")
        if self._tax.total == 0:
            self._track.finish(StepName.PAYMENT, workflow.now(), "nothing to pay")
            await self._record_zero_payment()
            return True

        due = self._due("payment")
        self._track.progress.payment_due_at = due
        self._track.begin(StepName.PAYMENT, workflow.now(), due, StepStatus.WAITING)
        self._enter(Stage.AWAITING_PAYMENT, Department.APPLICANT, due)
        await self._tell_payers("pay_taxes", due)
        # Patch "payment-accepted-before-deadline": wait for the accepted confirmation, not for
        # its recording, so one accepted just before the deadline is never lapsed. Deprecate
        # once no case started before 2026-11-28 is waiting for payment.
        if workflow.patched("payment-accepted-before-deadline"):
            accepted = lambda: self._payment_accepted  # noqa: E731
        else:
            accepted = lambda: self._payment is not None  # noqa: E731
        if due is None:
            await workflow.wait_condition(accepted)
        else:
            halfway = (due - workflow.now()) / 2
            if not await self._wait_for(accepted, halfway, "缴税提醒 payment reminder"):
                await self._tell_payers("payment_reminder", due)
                remaining = due - workflow.now()
                if not await self._wait_for(accepted, remaining, "缴税期限 payment deadline"):
                    self._payment_window_closed = True
                    await self._sms("payment_lapsed", "payment_lapsed", {})
                    return False
        await workflow.wait_condition(lambda: self._payment is not None)
        assert self._payment is not None
        self._track.finish(StepName.PAYMENT, workflow.now(), f"paid {self._payment.reference}")
        return True

    async def _record_zero_payment(self) -> None:
        # Exempt cases still push a "paid" status so registration's review sees it.
        self._payment = await self._call(
            TaxActivities.record_payment,
            PaymentRecordInput(
                case_no=self._inp.case_no,
                amount=Decimal(0),
                reference="EXEMPT",
                paid_at=workflow.now(),
            ),
            "免税 nothing to pay",
        )

    async def _registration(self) -> None:
        self._enter(Stage.REGISTRATION, Department.REGISTRATION)

        async def register() -> str:
            step = self._step_input()
            await self._call(RegistryActivities.review_registration, step, "审核 review")
            await self._call(RegistryActivities.record_transfer, step, "登簿 record")
            printed = await self._call(RegistryActivities.print_certificate, step, "缮证 print")
            return printed.certificate_no

        number = await self._department_step(
            StepName.REGISTRATION, Department.REGISTRATION, "registration", register()
        )
        self._track.progress.certificate_no = number
        self._track.finish(StepName.REGISTRATION, workflow.now(), number)

    async def _collect(self) -> None:
        due = self._due("collection")
        self._track.begin(StepName.COLLECTION, workflow.now(), due, StepStatus.WAITING)
        self._enter(Stage.AWAITING_COLLECTION_CHOICE, Department.APPLICANT, due)
        await self._sms("certificate_ready", "certificate_ready", {}, BUYERS)
        chosen = lambda: self._collection is not None  # noqa: E731
        for reminder in range(1, COLLECTION_REMINDERS + 1):
            wait = (due - workflow.now()) if due else None
            if wait is None or await self._wait_for(chosen, wait, f"领证提醒 reminder {reminder}"):
                break
            await self._sms("collection_reminder", f"collection_reminder_{reminder}", {}, BUYERS)
            due = self._due("collection")
        await workflow.wait_condition(chosen)
        assert self._collection is not None
        self._track.progress.collection = self._collection.method
        if self._collection.method == CollectionMethod.EMS:
            self._enter(Stage.SHIPPING, Department.REGISTRATION)
            shipped = await self._call(
                DeliveryActivities.ship_certificate,
                ShipmentInput(
                    case_no=self._inp.case_no,
                    recipient=self._collection.recipient or "",
                    phone=self._collection.phone or "",
                    address=self._collection.address or "",
                ),
                "EMS 寄递 ship certificate",
            )
            self._track.progress.tracking_no = shipped.tracking_no
            result = CollectionResult(method=CollectionMethod.EMS, tracking_no=shipped.tracking_no)
            # Patch "ems-answer-after-sms": the update answers once the buyer has been told the
            # tracking number. Deprecate once no case started before 2026-11-28 is open.
            answer_after_sms = workflow.patched("ems-answer-after-sms")
            if not answer_after_sms:
                self._collection_result = result
            await self._sms("shipped", "shipped", {"tracking_no": shipped.tracking_no}, BUYERS)
            self._collection_result = result
            self._track.finish(StepName.COLLECTION, workflow.now(), f"EMS {shipped.tracking_no}")
        else:
            self._enter(Stage.AWAITING_PICKUP, Department.REGISTRATION)
            self._collection_result = CollectionResult(method=CollectionMethod.WINDOW)
            await self._sms("ready_at_window", "ready_at_window", {}, BUYERS)
            await workflow.wait_condition(lambda: self._handover is not None)
            self._track.finish(StepName.COLLECTION, workflow.now(), "handed over at the window")

    # --- helpers -------------------------------------------------------------------------

    async def _department_step(
        self, name: StepName, department: Department, deadline_key: str, work: Awaitable[T]
    ) -> T:
        """Run a department's work against its deadline; escalate once if the deadline passes."""
        due = self._due(deadline_key)
        self._track.begin(name, workflow.now(), due)
        self._publish(due)
        task = asyncio.ensure_future(self._act(name, work))
        if due is not None:
            timer = asyncio.ensure_future(
                workflow.sleep(
                    max(due - workflow.now(), timedelta(seconds=1)),
                    summary=f"时限 deadline {name.value}",
                )
            )
            await workflow.wait([task, timer], return_when=asyncio.FIRST_COMPLETED)
            if not task.done():
                self._track.escalated(name)
                self._publish(due)
                await self._call(
                    ArchiveActivities.escalate_deadline,
                    EscalationInput(
                        case_no=self._inp.case_no,
                        step=name.value,
                        department=department,
                        due_at=due,
                    ),
                    f"超时督办 escalate {name.value}",
                )
            else:
                timer.cancel()
        return await task

    async def _call(self, method: Callable[[Any, A], T], arg: A, summary: str) -> T:
        """Schedule one activity with the shared timeout and retry policy."""
        result: T = await workflow.execute_activity_method(
            method, arg, start_to_close_timeout=STEP_TIMEOUT, retry_policy=RETRY, summary=summary
        )
        return result

    async def _act(self, name: StepName, work: Awaitable[T]) -> T:
        """Await an activity; turn a business refusal into `CaseRefused`."""
        try:
            return await work
        except ActivityError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type in NON_RETRYABLE:
                raise CaseRefused(name, cause.message) from err
            raise

    async def _wait_for(
        self, condition: Callable[[], bool], timeout: timedelta, summary: str
    ) -> bool:
        """Wait for a condition with a named timer; False if the timer fired first."""
        if timeout <= timedelta(0):
            return condition()
        try:
            await workflow.wait_condition(condition, timeout=timeout, timeout_summary=summary)
        except TimeoutError:
            return False
        return True

    async def _tell_payers(self, template: str, due: datetime | None) -> None:
        """Each side learns its own share: the buyer the deed tax, the seller VAT and PIT."""
        assert self._tax is not None
        shares = (("buyer", self._tax.buyer_total), ("seller", self._tax.seller_total))
        for role, amount in shares:
            if amount > 0:
                params = {"total": str(amount), "due": _fmt(due, self._inp.office_hours.zone)}
                await self._sms(template, f"{template}_{role}", params, [role])

    async def _sms(
        self, template: str, step: str, params: dict[str, str], roles: list[str] | None = None
    ) -> None:
        await self._call(
            NotifyActivities.send_sms,
            SmsInput(
                case_no=self._inp.case_no,
                step=step,
                template=template,
                params=params,
                to_roles=roles or ALL_PARTIES,
            ),
            f"短信 SMS {template}",
        )

    async def _close(self, stage: Stage, reason: str | None = None) -> None:
        # Archive first, so a client that sees the final stage also finds the closed record.
        await self._call(
            ArchiveActivities.close_case,
            CloseCaseInput(case_no=self._inp.case_no, outcome=stage, reason=reason),
            f"归档 archive ({stage.value})",
        )
        self._track.close(stage, workflow.now(), reason)
        self._publish()

    async def _finish(self) -> CaseProgress:
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._track.progress

    def _due(self, key: str) -> datetime | None:
        """Deadline `deadlines[key]` working days from now; None if the calendar runs out.

        An unknown deadline sets no timer rather than a guessed one; the progress says so.
        """
        days = self._inp.deadlines.get(key)
        if days is None:
            return None
        try:
            return working_days_deadline(
                self._inp.calendar, self._inp.office_hours, workflow.now(), days
            )
        except CalendarNotCovered as err:
            workflow.logger.warning("deadline unknown: %s", err)
            return None

    def _enter(self, stage: Stage, department: Department, due: datetime | None = None) -> None:
        self._track.enter(stage, department)
        self._publish(due)

    def _publish(self, due: datetime | None = None) -> None:
        """Upsert the search attributes and the UI's current details after every change."""
        p = self._track.progress
        workflow.upsert_search_attributes(
            [
                SearchAttr.STAGE.value_set(p.stage.value),
                SearchAttr.DEPARTMENT.value_set(p.department.value),
                SearchAttr.BUSINESS_TYPE.value_set(p.business_type),
                SearchAttr.HALL.value_set(self._inp.hall),
                SearchAttr.DUE_AT.value_set(due) if due else SearchAttr.DUE_AT.value_unset(),
            ]
        )
        workflow.set_current_details(self._track.details())

    def _step_input(self) -> StepInput:
        return StepInput(case_no=self._inp.case_no)


def _fmt(moment: datetime | None, zone: tzinfo) -> str:
    """A deadline as the applicant reads it: hall-local time, or "TBD" if unknown."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "待定/TBD"
