"""AdvanceNoticeFlow: a purchase secured by an advance notice becomes the transfer (预告转本登记).

Housing checks that the advance notice on the unit is the buyer's own (anyone else's still
refuses the case) and that the contract behind it is filed; the tax bureau bills; recording
opens the buyer's title and spends the notice in the same transaction; the buyer collects.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.enums import StepName
    from models.payloads import CaseInput, CaseProgress
    from workflows.ids import ADVANCE_NOTICE_WORKFLOW
    from workflows.kit.steps import KitSteps


@workflow.defn(name=ADVANCE_NOTICE_WORKFLOW)
class AdvanceNoticeFlow(KitSteps):
    """预告登记转本登记: the buyer's own notice becomes their title."""

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseProgress:
        return await self._run_case(self._steps)

    async def _steps(self) -> None:
        await self._intake()
        if self._track.runs(StepName.TRANSACTION_CHECK):  # the notice is the buyer's own
            await self._transaction_check()
        await self._pay_record_and_deliver()  # recording spends the notice
