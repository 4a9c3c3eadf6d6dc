"""Claims and decisions: a department's clerk takes its step of a case and decides it.

A department in manual mode (`CaseInput.manual`) waits, after its automatic work, for a
decision made by a person: the clerk claims the step (one holder at a time; a supervisor can
reassign), then approves or refuses it in writing. Each is a workflow update whose validator
checks the actor's role, that the step is waiting for that department, and that the actor
holds the claim, so the clerk sees at once whether it took. Every claim and decision is kept
in the case's audit. A department in automatic mode never waits: nothing changes in its
history.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.archive import ArchiveActivities
    from activities.tax import BILL_NOT_ADJUSTABLE, TaxActivities
    from models.actor import Actor, Role, refusal
    from models.case_view import ViewPlan
    from models.decisions import (
        AuditInput,
        ClaimInput,
        ClaimResult,
        DecisionInput,
        DecisionResult,
        ReleaseInput,
    )
    from models.enums import Department
    from models.payloads import TaxAssessment
    from models.tax_adjustment import AdjustBillInput
    from workflows.ids import UPDATE_CLAIM, UPDATE_DECIDE, UPDATE_RELEASE
    from workflows.kit.flow import DECIDED_BY, CaseFlow
    from workflows.kit.outcomes import require

DECIDING_ROLE = {
    Department.HOUSING: Role.HOUSING,
    Department.TAX: Role.TAX,
    Department.REGISTRATION: Role.REGISTRATION,
}
STEP_OF = {department: step for step, department in DECIDED_BY.items()}


def _label(actor: Actor) -> str:
    return f"{actor.name} ({actor.staff_id})"


class DecisionSteps(CaseFlow):
    """The `claim`, `release` and `decide` updates, and the wait for a decision."""

    async def _decision(self, department: Department) -> DecisionInput:
        """Wait for the department's decision on its step (its deadline keeps running). A
        clerk may return the case for papers first (补正, kit/supplement.py): the step waits
        for the applicant with its clock paused, then for the clerk's decision again."""
        self._awaiting = department
        while True:
            self._track.awaiting(STEP_OF[department])
            await workflow.wait_condition(
                lambda: department in self._decisions or self._asked is not None
            )
            if department in self._decisions:
                break
            await self._supplement(department)  # claims and decisions wait meanwhile
        self._awaiting = None
        self._track.resumed(STEP_OF[department])
        return self._decisions[department]

    async def _supplement(self, department: Department) -> None:
        """Wait for the papers the department asked for (flows with SupplementSteps)."""
        raise NotImplementedError(f"{type(self).__name__} takes no supplements")

    async def _audit(
        self,
        actor: Actor,
        action: str,
        subject: str,
        reason: str | None,
        view: ViewPlan | None = None,
    ) -> None:
        """Keep the write in the audit; the case's view (holder, decision) goes with it."""
        await self._call(
            ArchiveActivities.audit_case_event,
            AuditInput(
                case_no=self._inp.case_no,
                actor=actor,
                action=action,
                at=workflow.now(),
                subject=subject,
                reason=reason,
                view=view or self._plan(),
            ),
            f"审计 audit {action}",
        )

    def _show_holder(self, department: Department) -> None:
        holder = self._holders.get(department)
        self._track.step(STEP_OF[department]).holder = _label(holder) if holder else None

    # --- claims ------------------------------------------------------------------------

    @workflow.update(name=UPDATE_CLAIM)
    async def claim(self, inp: ClaimInput) -> ClaimResult:
        """Take the step (a supervisor: give it to `assignee`); one holder at a time."""
        assert inp.actor is not None
        holder = inp.assignee or inp.actor
        current = self._holders.get(inp.department)
        if inp.assignee is None and current is not None and current.staff_id != holder.staff_id:
            # Two claims accepted in one workflow task both passed the validator before
            # either took the step: the one that comes second is told who holds it.
            raise ApplicationError(
                f"claim: the step is held by {_label(current)}",
                type="StepHeld",
                non_retryable=True,
            )
        self._holders[inp.department] = holder
        self._show_holder(inp.department)
        action = "reassigned" if inp.assignee else "claimed"
        await self._audit(inp.actor, action, f"{inp.department.value}:{holder.staff_id}", None)
        return ClaimResult(department=inp.department, holder=holder)

    @claim.validator
    def _validate_claim(self, inp: ClaimInput) -> None:
        self._require_waiting(inp.department)
        if inp.assignee is not None:
            require(refusal(inp.actor, frozenset({Role.SUPERVISOR}), "reassign a step"))
            require(refusal(inp.assignee, frozenset({DECIDING_ROLE[inp.department]}), "hold it"))
            return
        require(refusal(inp.actor, frozenset({DECIDING_ROLE[inp.department]}), "claim it"))
        holder = self._holders.get(inp.department)
        assert inp.actor is not None
        if holder is not None and holder.staff_id != inp.actor.staff_id:
            raise ValueError(f"claim: the step is held by {_label(holder)}")

    @workflow.update(name=UPDATE_RELEASE)
    async def release(self, inp: ReleaseInput) -> ClaimResult:
        """Give the step back to the department's queue."""
        assert inp.actor is not None
        self._holders.pop(inp.department, None)
        self._show_holder(inp.department)
        await self._audit(inp.actor, "released", inp.department.value, None)
        return ClaimResult(department=inp.department, holder=None)

    @release.validator
    def _validate_release(self, inp: ReleaseInput) -> None:
        self._require_waiting(inp.department)
        allowed = frozenset({DECIDING_ROLE[inp.department], Role.SUPERVISOR})
        require(refusal(inp.actor, allowed, "release a step"))
        holder = self._holders.get(inp.department)
        assert inp.actor is not None
        if holder is None:
            raise ValueError("release: nobody holds the step")
        if inp.actor.role != Role.SUPERVISOR and holder.staff_id != inp.actor.staff_id:
            raise ValueError(f"release: the step is held by {_label(holder)}")

    # --- decisions ---------------------------------------------------------------------

    @workflow.update(name=UPDATE_DECIDE)
    async def decide(self, inp: DecisionInput) -> DecisionResult:
        """Approve, or refuse with the reason and the legal basis; the step goes on at once."""
        assert inp.actor is not None
        if inp.department in self._decisions or inp.department in self._deciding:
            # A second decision accepted in the same task as the first.
            raise ApplicationError(
                "decision: the step is already decided", type="AlreadyDecided", non_retryable=True
            )
        if self._asked is not None:
            # Accepted in the same task as a request for papers, which was taken first.
            raise ApplicationError(
                "decision: the step was returned for papers a moment ago",
                type="StepMoved",
                non_retryable=True,
            )
        if inp.adjustment is not None:
            self._deciding.add(inp.department)
            try:
                self._adjusted = await self._adjust(inp)
            finally:
                self._deciding.discard(inp.department)
        self._decisions[inp.department] = inp
        action = "approved" if inp.approve else "refused"
        reason = None if inp.approve else f"{inp.reason}（{inp.legal_basis}）"
        step = STEP_OF[inp.department]
        view = self._plan(lambda t: t.resumed(step))
        await self._audit(inp.actor, action, inp.department.value, reason, view)
        return DecisionResult(department=inp.department, approved=inp.approve, by=inp.actor)

    @decide.validator
    def _validate_decision(self, inp: DecisionInput) -> None:
        require(refusal(inp.actor, frozenset({DECIDING_ROLE[inp.department]}), "decide it"))
        self._require_waiting(inp.department)
        holder = self._holders.get(inp.department)
        assert inp.actor is not None
        if holder is None or holder.staff_id != inp.actor.staff_id:
            held = f"it is held by {_label(holder)}" if holder else "nobody holds it"
            raise ValueError(f"decision: claim the step first ({held})")
        if inp.department in self._decisions or inp.department in self._deciding:
            raise ValueError("decision: the step is already decided")

    async def _adjust(self, inp: DecisionInput) -> TaxAssessment:
        """Store the tax clerk's adjusted bill before the decision counts, so an adjustment
        the stored bill cannot take (a fee line it lacks, no change at all) is refused to
        the clerk at once and the step keeps waiting for a decision."""
        assert inp.actor is not None and inp.adjustment is not None
        try:
            return await self._call(
                TaxActivities.adjust_bill,
                AdjustBillInput(
                    case_no=self._inp.case_no,
                    adjustment=inp.adjustment,
                    actor=inp.actor,
                    at=workflow.now(),
                ),
                "核定调整 adjust the bill",
            )
        except ActivityError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == BILL_NOT_ADJUSTABLE:
                raise ApplicationError(
                    f"adjustment: {cause.message}", type=BILL_NOT_ADJUSTABLE, non_retryable=True
                ) from err
            raise

    def _require_waiting(self, department: Department) -> None:
        if department not in DECIDING_ROLE:
            raise ValueError(f"department: {department.value} makes no decisions")
        self._require_open()
        if self._awaiting != department:
            waiting = self._awaiting.value if self._awaiting else "no department"
            raise ValueError(
                f"department: the case is not waiting for {department.value}'s decision "
                f"(stage {self._track.progress.stage.value}; waiting for {waiting})"
            )
        if self._asked is not None:
            missing = ", ".join(code for code, sha in self._outstanding.items() if sha is None)
            raise ValueError(
                f"department: the case waits for the applicant's papers ({missing or 'none'})"
            )
