"""CaseFlow: the state and the machinery every case flow shares.

A flow subclasses it (with the step mixins it needs) and writes `run` as the list of its
steps inside `self._run_case(...)`, which turns a refusal, a broken invariant or the end
of the list into the case's final stage. Here: the progress query, the calendar rebase
update, deadlines with escalation, activity calls with the shared retry policy, SMS,
search attributes and details, closing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any, ClassVar, Literal, TypeVar

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.archive import ArchiveActivities
    from activities.case_steps import CaseStepActivities
    from activities.notify import NotifyActivities
    from models.actor import Actor, Role, refusal
    from models.case_view import ViewPlan
    from models.decisions import DecisionInput
    from models.enums import Department, SearchAttr, Stage, StepName, StepStatus
    from models.notices import CloseNotice, EscalationNotice, StepNotice
    from models.payloads import (
        CalendarUpdateInput,
        CalendarUpdateResult,
        CaseInput,
        CaseProgress,
        CloseCaseInput,
        CollectionInput,
        CollectionResult,
        DeadlineMove,
        HandoverInput,
        HandoverRecordInput,
        HandoverResult,
        PaymentResult,
        SmsInput,
        StepInput,
        TaxAssessment,
    )
    from models.supplement import SupplementRequest, WithdrawalInput
    from workflows.deadline_clock import DeadlineClock, Due
    from workflows.kit.outcomes import (
        RETRY,
        STEP_TIMEOUT,
        CaseClosed,
        CaseFailed,
        CaseRefused,
        any_of,
        applicant_time,
        invariant_broken,
        refusal_of,
        require,
    )
    from workflows.progress import ProgressTracker, initial_progress

T = TypeVar("T")
A = TypeVar("A")

CALENDAR_BY = frozenset({Role.SYSTEM, Role.ADMIN})
BUYERS = ["buyer"]
ALL_PARTIES = ["buyer", "seller"]
# The steps a department decides, by who decides them: their clerk (where one decides) is
# warned before the deadline; an automatic step takes seconds, and its deadline still
# escalates. A fee billed alone is registration's to hold but nobody's to decide.
DECIDED_BY = {
    StepName.TRANSACTION_CHECK: Department.HOUSING,
    StepName.TAX_ASSESSMENT: Department.TAX,
    StepName.REGISTRATION: Department.REGISTRATION,
}
# The deadline each step runs against (keys of `CaseInput.deadlines`).
STEP_DEADLINE = {
    StepName.TRANSACTION_CHECK: "transaction_check",
    StepName.TAX_ASSESSMENT: "tax_assessment",
    StepName.PAYMENT: "payment",
    StepName.REGISTRATION: "registration",
    StepName.COLLECTION: "collection",
}


class CaseFlow:
    """What every flow's workflow class inherits (its `run` is the flow's own)."""

    # A lean flow (the catalog's flows) costs each case fewer history events: one activity
    # per step with the SMS it causes (activities/case_steps.py), search attributes
    # upserted only when a value changes, no patch markers (it has no histories from before
    # the patches). False for the frozen PropertyCase: replay needs the commands it recorded.
    LEAN: ClassVar[bool] = False
    # Who collects what registration printed: the transferees (a mortgage: the lender).
    COLLECTORS: ClassVar[list[str]] = BUYERS
    # Who hears of the whole case (accepted, checked, paid, refused): every party named.
    PARTIES: ClassVar[list[str]] = ALL_PARTIES

    def __init__(self, inp: CaseInput) -> None:
        self._inp = inp
        # The values as last upserted, what a lean flow compares with. Empty at first: the
        # first upsert (one event either way) carries them all, whoever started the case.
        self._published: dict[str, Any] = {}
        self._track = ProgressTracker(initial_progress(inp))
        self._tax: TaxAssessment | None = None
        self._payment: PaymentResult | None = None
        self._collection: CollectionInput | None = None
        self._collection_result: CollectionResult | None = None
        self._handover: HandoverResult | None = None
        self._handover_input: HandoverInput | None = None
        # Claims and decisions of departments deciding by hand (workflows/kit/decisions.py).
        self._holders: dict[Department, Actor] = {}
        self._decisions: dict[Department, DecisionInput] = {}
        self._deciding: set[Department] = set()  # a decision whose adjustment is being stored
        self._adjusted: TaxAssessment | None = None  # the bill as the tax clerk adjusted it
        self._awaiting: Department | None = None
        # A department's request for papers and the materials still outstanding (补正), and
        # the applicant's withdrawal (撤回): workflows/kit/supplement.py, withdrawal.py.
        self._asked: SupplementRequest | None = None
        self._outstanding: dict[str, str | None] = {}  # material -> sha256 once brought in
        self._withdrawal: WithdrawalInput | None = None
        self._withdrawal_taken = False  # a request is being audited or waits to take effect
        self._withdrawable = False  # cases started before withdrawals stop at no request
        self._closing: Stage | None = None  # set as the close activity is scheduled
        self._supplements: list[SupplementRequest] = []  # requests met, in order
        # A lean flow's handover, stored when the case closes (see `_close`).
        self._handover_record: HandoverRecordInput | None = None
        self._clock = DeadlineClock(inp.calendar, inp.office_hours, inp.deadlines)
        # Cases started before the calendar rebase publish the calendar attributes only once
        # they are handed an official year; their histories have no such upserts.
        self._calendar_attributes = False
        self._lock = asyncio.Lock()
        # A confirmation accepted before the deadline counts even if recording it ends after;
        # none is accepted once the deadline has passed.
        self._payment_accepted = False
        self._payment_window_closed = False
        # How many views this case has planned for the read side (models/case_view.py).
        self._view_seq = 0

    async def _run_case(self, steps: Callable[[], Awaitable[None]]) -> CaseProgress:
        """Run the flow's steps; a refusal or broken data ends the case visibly instead."""
        # Patch "calendar-rebase": the case publishes CaseProvisionalYears and
        # CaseCalendarThrough. Deprecate once no case started before 2026-11-28 is open.
        self._calendar_attributes = self._patched("calendar-rebase")
        self._publish()
        try:
            # Patch "withdrawal": the steps run as a task that a withdrawal stops. Deprecate
            # once no case started before 2026-11-28 is open.
            if self.LEAN and workflow.patched("withdrawal"):
                self._withdrawable = True
                await self._steps_until_withdrawn(steps)
            else:
                await steps()
        except CaseRefused as refused:
            told = self._notice("refused", "refused", {"reason": refused.reason})
            if not self.LEAN:
                await self._call(NotifyActivities.send_sms, told, "短信 SMS refused")
            await self._close(Stage.REFUSED, refused.reason, told)
        except CaseClosed as closed:
            told = self._notice(closed.template, closed.template, {"reason": closed.reason})
            await self._close(closed.stage, closed.reason, told)
        except CaseFailed as failure:
            await self._fail(failure)
        except ActivityError as err:
            broken = invariant_broken(err)
            if broken is None:
                raise
            await self._fail(broken)
        return await self._finish()

    async def _steps_until_withdrawn(self, steps: Callable[[], Awaitable[None]]) -> None:
        """Run the steps; if the applicant withdraws (kit/withdrawal.py), stop them where
        they next wait for a person and end the case as withdrawn."""
        task = asyncio.ensure_future(steps())
        withdrawn = asyncio.ensure_future(
            workflow.wait_condition(
                lambda: self._withdrawal is not None and self._waiting_for_a_person()
            )
        )
        await workflow.wait([task, withdrawn], return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            withdrawn.cancel()
            await task  # its refusal, lapse or failure ends the case as before
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        assert self._withdrawal is not None
        reason = self._withdrawal.reason
        raise CaseClosed(
            Stage.WITHDRAWN,
            f"申请人撤回：{reason} / withdrawn by the applicant: {reason}",
            "withdrawn",
        )

    def _waiting_for_a_person(self) -> bool:
        """Whether the steps rest where nothing automatic is under way: a clerk's decision,
        the payers (no confirmation being recorded), the applicant's papers. A withdrawal
        takes effect only there, so it never cuts a step's work in two (a payment being
        recorded, a title being written)."""
        if self._awaiting is not None:
            return True
        stage = self._track.progress.stage
        if stage == Stage.AWAITING_PAYMENT:
            return not self._payment_accepted
        return stage == Stage.AWAITING_SUPPLEMENT

    def _require_open(self) -> None:
        """Refuse a clerk's update once the case is closing: its outcome is being archived
        (a payment or a paper taken then would be lost with the case)."""
        if self._closing is not None:
            raise ValueError(f"the case is closing ({self._closing.value})")

    # --- the query and the update every flow answers ---------------------------------------

    @workflow.query
    def progress(self) -> CaseProgress:
        """Stage and every step with its status and times."""
        return self._track.progress

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
        # Patch "rebase-view": the read side shows the moved deadlines at once (queues sort
        # by them). Deprecate once no case started before 2026-11-28 is open.
        if moved and self.LEAN and workflow.patched("rebase-view"):
            await self._call(
                CaseStepActivities.tell_parties,
                StepNotice(case_no=self._inp.case_no, view=self._plan()),
                "日历更新 the case's view",
            )
        return CalendarUpdateResult(
            moved=moved, provisional_years=sorted(self._clock.calendar.provisional_years)
        )

    @rebase_calendar.validator
    def _validate_rebase(self, inp: CalendarUpdateInput) -> None:
        require(refusal(inp.actor, CALENDAR_BY, "update the calendar"))
        problems = self._clock.contradictions(inp.calendar)
        if problems:
            raise ValueError(f"calendar: {'; '.join(problems[:5])}")

    # --- machinery ---------------------------------------------------------------------------

    async def _department_step(self, name: StepName, work: Awaitable[T]) -> T:
        """Run a department's work against its deadline; escalate once if the deadline passes.

        The department and the deadline come from the step (domain.departments, STEP_DEADLINE).
        A calendar update re-sets the deadline timer; a step already escalated stays so.
        """
        department = self._track.step(name).department
        deadline_key = STEP_DEADLINE[name]
        due = self._clock.start(deadline_key, workflow.now())
        self._track.begin(name, workflow.now(), None)
        self._refresh_dues()
        self._publish(due)
        task = asyncio.ensure_future(self._act(name, work))
        step = self._track.step(name)
        while not task.done():
            version = self._clock.version
            changed = asyncio.ensure_future(workflow.wait_condition(self._calendar_moved(version)))
            waits: list[asyncio.Future[Any]] = [task, changed]
            # While the applicant supplements papers the clock stands still: no timer.
            due = None if self._clock.paused_since else self._clock.due(deadline_key)
            if due is not None:
                waits.append(
                    asyncio.ensure_future(
                        workflow.sleep(
                            max(due.at - workflow.now(), timedelta(seconds=1)),
                            summary=f"时限 deadline {name.value}",
                        )
                    )
                )
            # The clerk's warning at a share of the step's working time, where a clerk decides
            # the step (set by `_refresh_dues` for cases started with `warn_share`; the others'
            # histories have no such timer).
            warning: asyncio.Future[Any] | None = None
            if due is not None and step.warn_at is not None and not step.warned:
                warning = asyncio.ensure_future(
                    workflow.sleep(
                        max(step.warn_at - workflow.now(), timedelta(seconds=1)),
                        summary=f"预警 warning {name.value}",
                    )
                )
                waits.append(warning)
            await workflow.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for waiting in waits[1:]:
                if not waiting.done():
                    waiting.cancel()
            if task.done() or changed.done():
                continue
            assert due is not None
            if warning is not None and warning.done() and not waits[2].done():
                step.warned = True
                await self._raise(name, department, due, "warning")
                continue
            self._track.escalated(name)
            self._publish(due)
            await self._raise(name, department, due, "deadline")
            break
        return await task

    async def _raise(
        self, name: StepName, department: Department, due: Due, kind: Literal["deadline", "warning"]
    ) -> None:
        """Record the step's warning or its escalation once, with the view that shows it."""
        holder = self._holders.get(department)
        await self._call(
            ArchiveActivities.escalate_deadline,
            EscalationNotice(
                case_no=self._inp.case_no,
                step=name.value,
                department=department,
                due_at=due.at,
                kind=kind,
                reason=(f"held by {holder.name} ({holder.staff_id})" if holder else None)
                if kind == "warning"
                else None,
                view=self._plan(),
            ),
            f"预警 warn {name.value}" if kind == "warning" else f"超时督办 escalate {name.value}",
        )

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
            failure = invariant_broken(err)
            if failure is not None:
                raise failure from err
            refused = refusal_of(err)
            if refused is not None:
                raise CaseRefused(name, refused.message) from err
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
            woken = any_of(condition, self._calendar_moved(version))
            due = self._clock.due(key)
            if due is None:
                await workflow.wait_condition(woken)
            elif not await self._wait_for(woken, due.at - workflow.now(), summary):
                return False
            if condition():
                return True

    async def _tell_payers(self, template: str, due: Due | None, suffix: str = "") -> None:
        """Each side learns its own share: the buyer the deed tax and fee, the seller VAT and
        PIT, a lender its mortgage fee (none before fees: the frozen flow's cases)."""
        assert self._tax is not None
        for role, amount in self._tax.shares():
            params = {"total": str(amount), "due": self._fmt(due)}
            await self._sms(template, f"{template}_{role}{suffix}", params, [role])

    def _manual(self, department: Department) -> bool:
        """Whether the department's clerks decide this case by hand (configuration)."""
        return department.value in self._inp.manual

    async def _decision(self, department: Department) -> DecisionInput:
        """Wait for a person's decision; flows built on the kit's DecisionSteps can."""
        raise NotImplementedError(f"{type(self).__name__} decides {department} automatically")

    def _patched(self, patch_id: str) -> bool:
        """The patches of the frozen flow, which a lean flow has from its start. Only for
        those ids: a new change to any flow goes behind `workflow.patched` itself."""
        return True if self.LEAN else workflow.patched(patch_id)

    def _notice(
        self, template: str, step: str, params: dict[str, str], roles: list[str] | None = None
    ) -> SmsInput:
        """An SMS of this case (`step` makes its idempotency key)."""
        return SmsInput(
            case_no=self._inp.case_no,
            step=step,
            template=template,
            params=params,
            to_roles=roles or self.PARTIES,
        )

    async def _sms(
        self, template: str, step: str, params: dict[str, str], roles: list[str] | None = None
    ) -> None:
        await self._call(
            NotifyActivities.send_sms,
            self._notice(template, step, params, roles),
            f"短信 SMS {template}",
        )

    async def _close(
        self, stage: Stage, reason: str | None = None, told: SmsInput | None = None
    ) -> None:
        """Archive the case; a lean flow sends `told` with it (the frozen one sent it before)."""
        self._closing = stage  # the validators take nothing more from here on
        # Archive first, so a client that sees the final stage also finds the closed record.
        close = CloseCaseInput(case_no=self._inp.case_no, outcome=stage, reason=reason)
        if self.LEAN and told is None and self._handover_record is not None:
            window = {"window": self._handover_record.window}
            told = self._notice("handed_over", "handed_over", window, self.COLLECTORS)
        if self.LEAN:
            now = workflow.now()
            await self._call(
                CaseStepActivities.close_and_notify,
                CloseNotice(
                    close=close,
                    sms=[told] if told else [],
                    handover=self._handover_record,
                    view=self._plan(lambda t: t.close(stage, now, reason)),
                ),
                f"归档 archive ({stage.value})",
            )
        else:
            await self._call(ArchiveActivities.close_case, close, f"归档 archive ({stage.value})")
        self._track.close(stage, workflow.now(), reason)
        self._publish()

    async def _fail(self, failure: CaseFailed) -> None:
        """Stop the case visibly: stage `failed`, a supervisor's escalation, the hold released."""
        running = self._track.running_step()
        step = running.name.value if running is not None else failure.where
        await self._call(
            ArchiveActivities.escalate_deadline,
            EscalationNotice(
                case_no=self._inp.case_no,
                step=step,
                department=self._track.progress.department,
                due_at=workflow.now(),
                kind="failed",
                reason=failure.reason,
                view=self._plan(),
            ),
            f"转人工 failed at {step}",
        )
        told = self._notice("failed", "failed", {})
        if not self.LEAN:
            await self._call(NotifyActivities.send_sms, told, "短信 SMS failed")
        await self._close(Stage.FAILED, failure.reason, told)

    async def _finish(self) -> CaseProgress:
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._track.progress

    def _calendar_moved(self, since: int) -> Callable[[], bool]:
        """A condition that turns true once a calendar update arrives after version `since`."""
        return lambda: self._clock.version != since

    def _refresh_dues(self, track: ProgressTracker | None = None) -> None:
        """Write every started deadline, as the clock now computes it, into the progress
        (or into a planned view's)."""
        track = track or self._track
        p = track.progress
        legal = self._clock.due("legal")
        p.legal_due_at = legal.at if legal else None
        overall = self._clock.due("overall")
        p.completion_due_at = overall.at if overall else None
        p.completion_due_provisional = bool(overall and overall.provisional)
        for name, key in STEP_DEADLINE.items():
            step = track.step(name)
            if step.status not in (StepStatus.RUNNING, StepStatus.WAITING):
                continue
            due = self._clock.due(key)
            step.due_at = due.at if due else None
            step.due_provisional = bool(due and due.provisional)
            share = self._inp.warn_share
            if share is not None and name in DECIDED_BY and self._manual(DECIDED_BY[name]):
                step.warn_at = self._clock.warning(key, share)
            if name == StepName.PAYMENT:
                p.payment_due_at = step.due_at
                p.payment_due_provisional = step.due_provisional

    def _fmt(self, due: Due | None) -> str:
        """A deadline as the applicant reads it: hall-local time, marked if provisional."""
        return applicant_time(due.at if due else None, self._inp.office_hours.zone) + (
            "（预计/provisional）" if due and due.provisional else ""
        )

    def _enter(self, stage: Stage, department: Department, due: Due | None = None) -> None:
        self._track.enter(stage, department)
        self._publish(due)

    def _enter_for(self, stage: Stage, department: Department) -> None:
        """Enter the stage of a department step: a lean flow publishes it with the step's
        deadline (`_department_step`), one upsert instead of two."""
        if self.LEAN:
            self._track.enter(stage, department)
        else:
            self._enter(stage, department)

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
        if self.LEAN:
            attributes = [a for a in attributes if self._published.get(a.key.name, a) != a.value]
            self._published.update((a.key.name, a.value) for a in attributes)
        if attributes:
            workflow.upsert_search_attributes(attributes)
        workflow.set_current_details(self._track.details())

    def _plan(self, change: Callable[[ProgressTracker], None] | None = None) -> ViewPlan | None:
        """The view the activity about to run writes once its work is done (a lean flow's
        read side): the progress as it stands, changed as the step's end will change it.

        Only deterministic state goes in; what the work finds (a total, a number) the
        activity adds, and times the workflow cannot know are stamped by the writer.
        """
        if not self.LEAN:
            return None
        planned = ProgressTracker(self._track.progress.model_copy(deep=True))
        if change is not None:
            change(planned)
        self._view_seq += 1
        step = planned.running_step()
        return ViewPlan(
            seq=self._view_seq,
            hall=self._inp.hall,
            progress=planned.progress,
            holder=self._holders.get(step.department) if step is not None else None,
        )

    def _plan_done(
        self, name: StepName, then: Callable[[ProgressTracker], None] | None = None
    ) -> ViewPlan | None:
        """The plan of a department step's activity: the step done (started now, if it has
        not begun yet in this workflow task), then whatever follows at once."""
        now = workflow.now()

        def change(t: ProgressTracker) -> None:
            if t.step(name).status == StepStatus.PENDING:
                t.begin(name, now, None)
            t.finish(name, None)
            self._refresh_dues(t)
            if then is not None:
                then(t)

        return self._plan(change)

    def _collection_begins(self, t: ProgressTracker) -> None:
        """What follows registration at once: collection waits for the applicant's choice."""
        due = self._clock.preview("collection", workflow.now())
        t.begin(StepName.COLLECTION, None, due.at if due else None, StepStatus.WAITING)
        t.enter(Stage.AWAITING_COLLECTION_CHOICE, Department.APPLICANT)

    def _step_input(self) -> StepInput:
        return StepInput(case_no=self._inp.case_no)
