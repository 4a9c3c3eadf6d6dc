"""FirstRegistrationFlow: a unit nobody holds yet gets its first title (首次登记).

The desk checks that the unit has no open title; the tax bureau bills the deed tax on the
grant; registration opens the first title for the applicant and prints; they collect.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.payloads import CaseInput, CaseProgress
    from workflows.ids import FIRST_REGISTRATION_WORKFLOW
    from workflows.kit.steps import KitSteps


@workflow.defn(name=FIRST_REGISTRATION_WORKFLOW)
class FirstRegistrationFlow(KitSteps):
    """首次登记: no transferor, a first title."""

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseProgress:
        return await self._run_case(self._steps)

    async def _steps(self) -> None:
        await self._intake()  # the desk checked that the unit has no open title
        await self._pay_record_and_deliver()  # recording opens its first title
