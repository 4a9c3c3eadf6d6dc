"""ExchangeFlow: two units change hands at once (互换).

Housing checks both units, each against its owner, and the exchange contract; the tax bureau
bills the deed tax on the price difference and stamp duty on both sides; registration
records both transfers in one transaction and prints a certificate for each new holder.
"""

from __future__ import annotations

from typing import ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.enums import StepName
    from models.payloads import CaseInput, CaseProgress
    from workflows.ids import EXCHANGE_WORKFLOW
    from workflows.kit.steps import KitSteps


@workflow.defn(name=EXCHANGE_WORKFLOW)
class ExchangeFlow(KitSteps):
    """互换转移登记: each party's unit to the other."""

    READY_TO: ClassVar[list[str]] = ["buyer", "seller"]  # each side gets a certificate

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseProgress:
        return await self._run_case(self._steps)

    async def _steps(self) -> None:
        await self._intake()
        if self._track.runs(StepName.TRANSACTION_CHECK):  # housing checks both units
            await self._transaction_check()
        await self._pay_record_and_deliver()  # both transfers recorded at once
