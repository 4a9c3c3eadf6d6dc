"""TransferSaleFlow: a sale under a contract, from intake to the certificate in the buyer's hands.

Where housing takes part, it checks the register and the filed contract (网签备案) and shares
the result with tax and registration at once; the payers are billed and pay; registration
reviews, ends the sellers' title, opens the buyers' and prints; the buyer collects.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.enums import StepName
    from models.payloads import CaseInput, CaseProgress
    from workflows.ids import TRANSFER_SALE_WORKFLOW
    from workflows.kit.steps import KitSteps


@workflow.defn(name=TRANSFER_SALE_WORKFLOW)
class TransferSaleFlow(KitSteps):
    """买卖转移登记: sellers to buyers, for a price."""

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseProgress:
        return await self._run_case(self._steps)

    async def _steps(self) -> None:
        await self._intake()
        if self._track.runs(StepName.TRANSACTION_CHECK):  # housing checks the contract
            await self._transaction_check()
        await self._pay_record_and_deliver()
