"""MortgageFlow: a lender's lien recorded on a unit, or cancelled on the lender's release.

No housing check and no tax: the desk checks that the owners hold the unit (and, for a
cancellation, that the lien is the lender's); the lender pays the registration fee (a
cancellation is free); registration records the lien and prints the lender's registration
proof (不动产登记证明), or releases it; the lender collects the proof.
"""

from __future__ import annotations

from typing import ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.enums import Stage, StepName
    from models.payloads import CaseInput, CaseProgress
    from workflows.ids import MORTGAGE_WORKFLOW
    from workflows.kit.steps import KitSteps


@workflow.defn(name=MORTGAGE_WORKFLOW)
class MortgageFlow(KitSteps):
    """抵押权首次登记、注销登记: the owner stays, the lender's lien comes or goes."""

    READY_TO: ClassVar[list[str]] = ["lender"]
    COLLECTORS: ClassVar[list[str]] = ["lender"]

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseProgress:
        return await self._run_case(self._steps)

    async def _steps(self) -> None:
        await self._intake()
        if self._track.runs(StepName.TAX_ASSESSMENT) and not await self._taxes():  # the fee
            await self._close(Stage.LAPSED, "逾期未缴费 / the fee was not paid in time")
            return
        await self._registration()
        if self._track.progress.certificate_no:  # a cancellation prints nothing to collect
            await self._collect()
        else:
            self._track.finish(StepName.COLLECTION, workflow.now(), "抵押权已注销 lien released")
        await self._close(Stage.COMPLETED)
