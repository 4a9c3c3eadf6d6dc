"""Withdrawal (撤回): the applicant takes the application back before it is recorded.

The intake window sends the applicant's signed request (a stored scan, by reference). The
request is accepted at any time before recording (登簿). It takes effect where the steps
next wait for a person — a clerk's decision, the payers, the applicant's papers — so an
automatic step under way finishes its work first. The steps stop, the case closes
`withdrawn` (its hold on the unit released with it, any paid taxes owed back), and the
parties are told. If the step under way records the case first, the withdrawal is refused
then. The update answers once either has happened.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from models.actor import Role, refusal
    from models.enums import TERMINAL_STAGES, Stage, StepName, StepStatus
    from models.supplement import WithdrawalInput, WithdrawalResult
    from workflows.ids import UPDATE_WITHDRAW
    from workflows.kit.decisions import DecisionSteps
    from workflows.kit.outcomes import require

WITHDRAWAL_BY = frozenset({Role.INTAKE})
WITHDRAWAL_PENDING = "withdrawal: the case is already being withdrawn"


class WithdrawalSteps(DecisionSteps):
    """The `withdraw` update; `_run_case` stops the steps when it arrives."""

    @workflow.update(name=UPDATE_WITHDRAW)
    async def withdraw(self, inp: WithdrawalInput) -> WithdrawalResult:
        """Withdraw the case; answered once it has closed (withdrawn, unless it ended first)
        or, if the step under way recorded it first, refused."""
        assert inp.actor is not None
        if self._withdrawal_taken:
            # Requests accepted in one workflow task all passed the validator before any
            # was taken: the first is the withdrawal, the others are told.
            raise ApplicationError(WITHDRAWAL_PENDING, type="WithdrawalPending", non_retryable=True)
        self._withdrawal_taken = True
        await self._audit(inp.actor, "withdrawal_requested", inp.blob_key, inp.reason)
        self._withdrawal = inp
        await workflow.wait_condition(
            lambda: self._track.progress.stage in TERMINAL_STAGES or self._recorded()
        )
        stage = self._track.progress.stage
        if stage == Stage.WITHDRAWN:
            return WithdrawalResult(withdrawn=True, stage=stage.value)
        # The step under way ended the case or recorded it first: the audit says so.
        outcome = stage.value if stage in TERMINAL_STAGES else "recorded"
        await self._audit(inp.actor, "withdrawal_overtaken", outcome, inp.reason)
        if stage in TERMINAL_STAGES:
            return WithdrawalResult(withdrawn=False, stage=stage.value)
        self._withdrawal = None
        self._withdrawal_taken = False
        raise ApplicationError(
            "withdrawal: the case was recorded (登簿) by the step under way before the "
            "withdrawal could take effect, and cannot be withdrawn",
            type="WithdrawalTooLate",
            non_retryable=True,
        )

    @withdraw.validator
    def _validate_withdrawal(self, inp: WithdrawalInput) -> None:
        require(refusal(inp.actor, WITHDRAWAL_BY, "withdraw a case"))
        stage = self._track.progress.stage
        if not self._withdrawable:
            raise ValueError(
                "withdrawal: this case was started before withdrawals were taken by the "
                "system; withdraw it at the registration bureau's desk"
            )
        if self._withdrawal_taken:
            raise ValueError(WITHDRAWAL_PENDING)
        if stage in TERMINAL_STAGES:
            raise ValueError(f"withdrawal: the case is closed ({stage.value})")
        if self._recorded():
            raise ValueError("withdrawal: the case is recorded (登簿) and cannot be withdrawn")

    def _recorded(self) -> bool:
        return self._track.step(StepName.REGISTRATION).status == StepStatus.DONE
