"""Withdrawal (撤回): the applicant takes the application back before it is recorded.

The intake window sends the applicant's signed request (a stored scan, by reference). The
case must be waiting for a person — a clerk's decision, the payers, the applicant's papers —
not running an automatic step; once recorded (登簿) it cannot be withdrawn. The steps stop,
the case closes `withdrawn` (its hold on the unit released with it, any paid taxes owed
back), and the parties are told. The update answers once the case has closed.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.actor import Role, refusal
    from models.enums import TERMINAL_STAGES, Stage, StepName, StepStatus
    from models.supplement import WithdrawalInput, WithdrawalResult
    from workflows.ids import UPDATE_WITHDRAW
    from workflows.kit.decisions import DecisionSteps
    from workflows.kit.outcomes import require

WITHDRAWAL_BY = frozenset({Role.INTAKE})
# Where nothing automatic runs: the case waits for the payers or the applicant's papers.
WAITING_STAGES = frozenset({Stage.AWAITING_PAYMENT, Stage.AWAITING_SUPPLEMENT})


class WithdrawalSteps(DecisionSteps):
    """The `withdraw` update; `_run_case` stops the steps when it arrives."""

    @workflow.update(name=UPDATE_WITHDRAW)
    async def withdraw(self, inp: WithdrawalInput) -> WithdrawalResult:
        """Withdraw the case; answered once it has closed (withdrawn, unless it ended first)."""
        assert inp.actor is not None
        await self._audit(inp.actor, "withdrawal_requested", inp.blob_key, inp.reason)
        self._withdrawal = inp
        await workflow.wait_condition(lambda: self._track.progress.stage in TERMINAL_STAGES)
        stage = self._track.progress.stage
        return WithdrawalResult(withdrawn=stage == Stage.WITHDRAWN, stage=stage.value)

    @withdraw.validator
    def _validate_withdrawal(self, inp: WithdrawalInput) -> None:
        require(refusal(inp.actor, WITHDRAWAL_BY, "withdraw a case"))
        stage = self._track.progress.stage
        if self._withdrawal is not None:
            raise ValueError("withdrawal: the case is already being withdrawn")
        if stage in TERMINAL_STAGES:
            raise ValueError(f"withdrawal: the case is closed ({stage.value})")
        if self._track.step(StepName.REGISTRATION).status == StepStatus.DONE:
            raise ValueError("withdrawal: the case is recorded (登簿) and cannot be withdrawn")
        if stage not in WAITING_STAGES and self._awaiting is None:
            raise ValueError(
                f"withdrawal: an automatic step is running (stage {stage.value}); "
                "try again in a moment"
            )
