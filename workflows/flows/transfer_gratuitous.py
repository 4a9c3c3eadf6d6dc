"""TransferGratuitousFlow: a transfer by gift, inheritance, division or a court's decision.

No sales contract and no housing check: the desk checks seizure and ownership at intake,
the registrar again at review (a court's own order passes its seizure). The tax bureau
bills what the transfer owes (a gift to a close relative only deed tax and stamp duty),
registration records and prints, the transferee collects.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.payloads import CaseInput, CaseProgress
    from workflows.ids import TRANSFER_GRATUITOUS_WORKFLOW
    from workflows.kit.steps import KitSteps


@workflow.defn(name=TRANSFER_GRATUITOUS_WORKFLOW)
class TransferGratuitousFlow(KitSteps):
    """非买卖转移登记: gift, inheritance, division, judgment, award, contribution, settlement."""

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseProgress:
        return await self._run_case(self._steps)

    async def _steps(self) -> None:
        await self._intake()  # the desk checked seizure and ownership; the registrar will again
        await self._pay_record_and_deliver()
