"""PropertyCaseWorkflow: a second-hand sale from intake to the certificate in the buyer's hands.

Orchestration only, built from the flow kit (workflows/kit). Steps: pre-review and document
push (service desk) → transaction check (housing, result shared with tax and registry at
once) → tax assessment and an SMS to pay → wait for the payment (reminder, then lapse) →
registration (review, record, print) once both the check and the payment are in → SMS that
the certificate is ready → window pickup or EMS. Each department step runs against a
working-day deadline; a missed one is escalated once. Recorded histories of this workflow
replay in tests/replay: its steps and their order are frozen.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.enums import Stage, StepName
    from models.payloads import CaseInput, CaseProgress
    from workflows.ids import PROPERTY_CASE_WORKFLOW
    from workflows.kit.collection import CollectionSteps
    from workflows.kit.departments import DepartmentSteps
    from workflows.kit.payment import PaymentSteps


@workflow.defn(name=PROPERTY_CASE_WORKFLOW)
class PropertyCaseWorkflow(DepartmentSteps, PaymentSteps, CollectionSteps):
    """One property application; supervisors follow it in the Temporal UI."""

    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        super().__init__(inp)

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseProgress:
        return await self._run_case(self._steps)

    async def _steps(self) -> None:
        await self._intake()
        if self._track.runs(StepName.TRANSACTION_CHECK):
            await self._transaction_check()
        if self._track.runs(StepName.TAX_ASSESSMENT) and not await self._taxes():
            await self._close(Stage.LAPSED, "逾期未缴税 / taxes not paid in time")
            return
        await self._registration()
        await self._collect()
        await self._close(Stage.COMPLETED)
