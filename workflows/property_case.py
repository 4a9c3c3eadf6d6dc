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
from datetime import UTC, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.archive import ArchiveActivities
    from activities.delivery import DeliveryActivities
    from activities.errors import INVARIANT_BROKEN, NON_RETRYABLE
    from activities.housing import HousingActivities
    from activities.intake import IntakeActivities
    from activities.notify import NotifyActivities
    from activities.registry import RegistryActivities
    from activities.tax import TaxActivities
    from models.actor import SYSTEM_ACTOR, Role, refusal
    from models.enums import CollectionMethod, Department, SearchAttr, Stage, StepName, StepStatus
    from models.payloads import (
        CalendarUpdateInput,
        CalendarUpdateResult,
        CaseInput,
        CaseProgress,
        CloseCaseInput,
        CollectionInput,
        CollectionRecordInput,
        CollectionResult,
        DeadlineMove,
        EscalationInput,
        HandoverInput,
        HandoverRecordInput,
        HandoverResult,
        PaymentInput,
        PaymentRecordInput,
        PaymentResult,
        ShipmentInput,
        SmsInput,
        StepInput,
        TaxAssessment,
    )
    from workflows.deadline_clock import DeadlineClock, Due
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
# Who may send each update (the validator's role check; the API's role fence comes first).
PAYERS_CONFIRMED_BY = frozenset({Role.TAX})
COLLECTION_ENTERED_BY = frozenset({Role.WINDOW, Role.INTAKE})
HANDOVER_BY = frozenset({Role.WINDOW})
CALENDAR_BY = frozenset({Role.SYSTEM, Role.ADMIN})
COLLECTION_REMINDERS = 3
BUYERS = ["buyer"]
ALL_PARTIES = ["buyer", "seller"]
# The deadline each step runs against (keys of `CaseInput.deadlines`).
STEP_DEADLINE = {
    StepName.TRANSACTION_CHECK: "transaction_check",
    StepName.TAX_ASSESSMENT: "tax_assessment",
    StepName.PAYMENT: "payment",
    StepName.REGISTRATION: "registration",
    StepName.COLLECTION: "collection",
}


class CaseRefused(Exception):
    """Internal: a step refused the case with a reason the applicant can read."""

    def __init__(self, step: StepName, reason: str) -> None:
        super().__init__(reason)
        self.step = step
        self.reason = reason


class CaseFailed(Exception):
    """Internal: an activity found broken data that no retry can mend (`InvariantBroken`)."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(reason)
        self.where = where
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
        self._handover_input: HandoverInput | None = None
        self._clock = DeadlineClock(inp.calendar, inp.office_hours, inp.deadlines)
        # Cases started before the calendar rebase publish the calendar attributes only once
        # they are handed an official year; their histories have no such upserts.
        self._calendar_attributes = False
        self._lock = asyncio.Lock()
        # A confirmation accepted before the deadline counts even if recording it ends after;
        # none is accepted once the deadline has passed.
        self._payment_accepted = False
        self._payment_window_closed = False

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseProgress:
        # Patch "calendar-rebase": the case publishes CaseProvisionalYears and
        # CaseCalendarThrough. Deprecate once no case started before 2026-11-28 is open.
        self._calendar_attributes = workflow.patched("calendar-rebase")
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
        except CaseFailed as failure:
            await self._fail(failure)
        except ActivityError as err:
            broken = _invariant_broken(err)
            if broken is None:
                raise
            await self._fail(broken)
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
                        actor=inp.actor,
                    ),
                    "记录缴税 record payment",
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
        _require(refusal(inp.actor, PAYERS_CONFIRMED_BY, "confirm a payment"))
        if self._payment is not None:
            if inp.reference != self._payment.reference:
                raise ValueError("taxes are already paid for this case")
            if inp.amount != self._payment.amount:
                raise ValueError(
                    f"amount: payment {inp.reference} is already recorded with "
                    f"{self._payment.amount}, not {inp.amount}"
                )
            return  # a repeated confirmation of the same payment is answered, not refused
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
        _require(refusal(inp.actor, COLLECTION_ENTERED_BY, "enter the collection choice"))
        if inp.recipient or inp.phone or inp.address:
            raise ValueError("ems: personal data never travels in an update; send address_id")
        if self._collection is not None:
            raise ValueError("the collection method is already chosen")
        if self._track.progress.stage != Stage.AWAITING_COLLECTION_CHOICE:
            raise ValueError(f"the certificate is not ready (stage {self._track.progress.stage})")
        if inp.method == CollectionMethod.EMS and inp.address_id is None:
            raise ValueError("ems: address_id (the stored recipient, phone and address) required")

    @workflow.update
    async def record_handover(self, inp: HandoverInput) -> HandoverResult:
        """The window clerk hands the certificate over; a repeat is answered with the first."""
        if self._handover is None:
            self._handover_input = inp
            self._handover = HandoverResult(handed_over_at=workflow.now())
        return self._handover

    @record_handover.validator
    def _validate_handover(self, inp: HandoverInput) -> None:
        _require(refusal(inp.actor, HANDOVER_BY, "hand over a certificate"))
        first = self._handover_input
        if first is not None:
            if first != inp:
                raise ValueError(
                    f"the certificate was already handed over at window {first.window} "
                    f"by {first.clerk}"
                )
            return
        if self._track.progress.stage != Stage.AWAITING_PICKUP:
            raise ValueError(f"nothing to hand over in stage {self._track.progress.stage.value}")

    @workflow.update(name="rebase_calendar")
    async def rebase_calendar(self, inp: CalendarUpdateInput) -> CalendarUpdateResult:
        """日历更新 calendar updated: take in an official year, recompute pending deadlines.

        Each pending deadline is recomputed from the moment its step began; whatever waits
        on it sets its timer anew (a deadline moved into the past fires at once). A payer
        whose payment deadline moved is told the new date by SMS.
        """
        moves = self._clock.rebase(inp.calendar)
        self._calendar_attributes = True
        p = self._track.progress
        p.calendar_updates.append(inp.reference)
        moved: list[DeadlineMove] = []
        for key, (before, after) in moves.items():
            if (before and before.at) != (after and after.at):
                moved.append(
                    DeadlineMove(
                        deadline=key,
                        before=before.at if before else None,
                        after=after.at if after else None,
                    )
                )
        self._refresh_dues()
        running = self._track.running_step()
        self._publish(
            self._clock.due(STEP_DEADLINE[running.name])
            if running is not None and running.name in STEP_DEADLINE
            else None
        )
        payment_moved = any(m.deadline == "payment" for m in moved)
        waiting = self._track.step(StepName.PAYMENT).status == StepStatus.WAITING
        if payment_moved and waiting and self._tax is not None:
            await self._tell_payers(
                "payment_due_changed", self._clock.due("payment"), f"_{self._clock.version}"
            )
        return CalendarUpdateResult(
            moved=moved, provisional_years=sorted(self._clock.calendar.provisional_years)
        )

    @rebase_calendar.validator
    def _validate_rebase(self, inp: CalendarUpdateInput) -> None:
        _require(refusal(inp.actor, CALENDAR_BY, "update the calendar"))
        problems = self._clock.contradictions(inp.calendar)
        if problems:
            raise ValueError(f"calendar: {'; '.join(problems[:5])}")

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
        self._clock.start("overall", self._inp.accepted_at)
        self._refresh_dues()
        due = self._clock.due("overall")
        await self._sms("accepted", "accepted", {"due": self._fmt(due)})

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

        due = self._clock.start("payment", workflow.now())
        self._track.begin(StepName.PAYMENT, workflow.now(), None, StepStatus.WAITING)
        self._refresh_dues()
        self._enter(Stage.AWAITING_PAYMENT, Department.APPLICANT, due)
        await self._tell_payers("pay_taxes", due)
        # Patch "payment-accepted-before-deadline": wait for the accepted confirmation, not for
        # its recording, so one accepted just before the deadline is never lapsed. Deprecate
        # once no case started before 2026-11-28 is waiting for payment.
        accepted: Callable[[], bool]
        if workflow.patched("payment-accepted-before-deadline"):
            accepted = lambda: self._payment_accepted  # noqa: E731
        else:
            accepted = lambda: self._payment is not None  # noqa: E731
        # The reminder at half the payment window, then the lapse at its end; both follow a
        # calendar update (the window is measured from when the payment step began).
        reminded = False
        while True:
            version = self._clock.version
            due = self._clock.due("payment")
            woken = _any_of(accepted, self._calendar_moved(version))
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
        due = self._clock.start("collection", workflow.now())
        self._track.begin(StepName.COLLECTION, workflow.now(), None, StepStatus.WAITING)
        self._refresh_dues()
        self._enter(Stage.AWAITING_COLLECTION_CHOICE, Department.APPLICANT, due)
        await self._sms("certificate_ready", "certificate_ready", {}, BUYERS)
        chosen = lambda: self._collection is not None  # noqa: E731
        for reminder in range(1, COLLECTION_REMINDERS + 1):
            if await self._wait_until_due(chosen, "collection", f"领证提醒 reminder {reminder}"):
                break
            await self._sms("collection_reminder", f"collection_reminder_{reminder}", {}, BUYERS)
            self._clock.start("collection", workflow.now())
            self._refresh_dues()
        await workflow.wait_condition(chosen)
        assert self._collection is not None
        # Patch "collection-audit": the choice and the handover are stored with their audit
        # rows by activities of their own. Deprecate once no case started before 2026-11-28
        # is waiting for collection.
        audited = workflow.patched("collection-audit")
        if audited:
            await self._call(
                DeliveryActivities.record_collection_choice,
                CollectionRecordInput(
                    case_no=self._inp.case_no,
                    method=self._collection.method,
                    address_id=self._collection.address_id,
                    chosen_at=workflow.now(),
                    actor=self._collection.actor,
                ),
                "记录领证方式 record the collection choice",
            )
        self._track.progress.collection = self._collection.method
        if self._collection.method == CollectionMethod.EMS:
            self._enter(Stage.SHIPPING, Department.REGISTRATION)
            shipped = await self._call(
                DeliveryActivities.ship_certificate,
                ShipmentInput(
                    case_no=self._inp.case_no,
                    address_id=self._collection.address_id,
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
            handover = self._handover_input
            if audited and handover is not None and self._handover is not None:
                await self._call(
                    DeliveryActivities.record_handover,
                    HandoverRecordInput(
                        case_no=self._inp.case_no,
                        window=handover.window,
                        clerk=handover.clerk,
                        handed_over_at=self._handover.handed_over_at,
                        actor=handover.actor,
                    ),
                    "记录交付 record the handover",
                )
            self._track.finish(StepName.COLLECTION, workflow.now(), "handed over at the window")

    # --- helpers -------------------------------------------------------------------------

    async def _department_step(
        self, name: StepName, department: Department, deadline_key: str, work: Awaitable[T]
    ) -> T:
        """Run a department's work against its deadline; escalate once if the deadline passes.

        A calendar update re-sets the deadline timer; a step already escalated stays so.
        """
        due = self._clock.start(deadline_key, workflow.now())
        self._track.begin(name, workflow.now(), None)
        self._refresh_dues()
        self._publish(due)
        task = asyncio.ensure_future(self._act(name, work))
        while not task.done():
            version = self._clock.version
            changed = asyncio.ensure_future(workflow.wait_condition(self._calendar_moved(version)))
            waits: list[asyncio.Future[Any]] = [task, changed]
            due = self._clock.due(deadline_key)
            if due is not None:
                waits.append(
                    asyncio.ensure_future(
                        workflow.sleep(
                            max(due.at - workflow.now(), timedelta(seconds=1)),
                            summary=f"时限 deadline {name.value}",
                        )
                    )
                )
            await workflow.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for waiting in waits[1:]:
                waiting.cancel()
            if task.done() or changed.done():
                continue
            assert due is not None
            self._track.escalated(name)
            self._publish(due)
            await self._call(
                ArchiveActivities.escalate_deadline,
                EscalationInput(
                    case_no=self._inp.case_no,
                    step=name.value,
                    department=department,
                    due_at=due.at,
                ),
                f"超时督办 escalate {name.value}",
            )
            break
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
            failure = _invariant_broken(err)
            if failure is not None:
                raise failure from err
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

    async def _wait_until_due(self, condition: Callable[[], bool], key: str, summary: str) -> bool:
        """Wait for a condition until deadline `key`, following calendar updates.

        True if the condition came first, False once the deadline passed.
        """
        while True:
            version = self._clock.version
            woken = _any_of(condition, self._calendar_moved(version))
            due = self._clock.due(key)
            if due is None:
                await workflow.wait_condition(woken)
            elif not await self._wait_for(woken, due.at - workflow.now(), summary):
                return False
            if condition():
                return True

    async def _tell_payers(self, template: str, due: Due | None, suffix: str = "") -> None:
        """Each side learns its own share: the buyer the deed tax, the seller VAT and PIT."""
        assert self._tax is not None
        shares = (("buyer", self._tax.buyer_total), ("seller", self._tax.seller_total))
        for role, amount in shares:
            if amount > 0:
                params = {"total": str(amount), "due": self._fmt(due)}
                await self._sms(template, f"{template}_{role}{suffix}", params, [role])

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

    async def _fail(self, failure: CaseFailed) -> None:
        """Stop the case visibly: stage `failed`, a supervisor's escalation, the hold released."""
        running = self._track.running_step()
        step = running.name.value if running is not None else failure.where
        await self._call(
            ArchiveActivities.escalate_deadline,
            EscalationInput(
                case_no=self._inp.case_no,
                step=step,
                department=self._track.progress.department,
                due_at=workflow.now(),
                kind="failed",
                reason=failure.reason,
            ),
            f"转人工 failed at {step}",
        )
        await self._sms("failed", "failed", {})
        await self._close(Stage.FAILED, failure.reason)

    async def _finish(self) -> CaseProgress:
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._track.progress

    def _calendar_moved(self, since: int) -> Callable[[], bool]:
        """A condition that turns true once a calendar update arrives after version `since`."""
        return lambda: self._clock.version != since

    def _refresh_dues(self) -> None:
        """Write every started deadline, as the clock now computes it, into the progress."""
        p = self._track.progress
        overall = self._clock.due("overall")
        p.completion_due_at = overall.at if overall else None
        p.completion_due_provisional = bool(overall and overall.provisional)
        for name, key in STEP_DEADLINE.items():
            step = self._track.step(name)
            if step.status not in (StepStatus.RUNNING, StepStatus.WAITING):
                continue
            due = self._clock.due(key)
            step.due_at = due.at if due else None
            step.due_provisional = bool(due and due.provisional)
            if name == StepName.PAYMENT:
                p.payment_due_at = step.due_at
                p.payment_due_provisional = step.due_provisional

    def _fmt(self, due: Due | None) -> str:
        """A deadline as the applicant reads it: hall-local time, marked if provisional."""
        return _fmt(due.at if due else None, self._inp.office_hours.zone) + (
            "（预计/provisional）" if due and due.provisional else ""
        )

    def _enter(self, stage: Stage, department: Department, due: Due | None = None) -> None:
        self._track.enter(stage, department)
        self._publish(due)

    def _publish(self, due: Due | None = None) -> None:
        """Upsert the search attributes and the UI's current details after every change."""
        p = self._track.progress
        attributes: list[SearchAttributeUpdate[Any]] = [
            SearchAttr.STAGE.value_set(p.stage.value),
            SearchAttr.DEPARTMENT.value_set(p.department.value),
            SearchAttr.BUSINESS_TYPE.value_set(p.business_type),
            SearchAttr.HALL.value_set(self._inp.hall),
            SearchAttr.DUE_AT.value_set(due.at) if due else SearchAttr.DUE_AT.value_unset(),
        ]
        if self._calendar_attributes:
            calendar = self._clock.calendar
            years = [str(y) for y in sorted(calendar.provisional_years)]
            attributes += [
                SearchAttr.PROVISIONAL_YEARS.value_set(years)
                if years
                else SearchAttr.PROVISIONAL_YEARS.value_unset(),
                SearchAttr.CALENDAR_THROUGH.value_set(
                    datetime.combine(calendar.last_day, time(), tzinfo=UTC)
                ),
            ]
        workflow.upsert_search_attributes(attributes)
        workflow.set_current_details(self._track.details())

    def _step_input(self) -> StepInput:
        return StepInput(case_no=self._inp.case_no)


def _require(refused: str | None) -> None:
    """Raise a validator's refusal, if there is one."""
    if refused is not None:
        raise ValueError(refused)


def _invariant_broken(err: ActivityError) -> CaseFailed | None:
    """The CaseFailed an activity's `InvariantBroken` error stands for, else None."""
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type == INVARIANT_BROKEN:
        return CaseFailed(err.activity_type or "activity", cause.message)
    return None


def _any_of(*conditions: Callable[[], bool]) -> Callable[[], bool]:
    return lambda: any(condition() for condition in conditions)


def _fmt(moment: datetime | None, zone: tzinfo) -> str:
    """A deadline as the applicant reads it: hall-local time, or "TBD" if unknown."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "待定/TBD"
