"""KitSteps: every step the kit offers, for a flow module to pick from in its `_steps`."""

from __future__ import annotations

from typing import ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.enums import Stage, StepName
    from models.payloads import CaseInput
    from workflows.kit.collection import CollectionSteps
    from workflows.kit.departments import DepartmentSteps
    from workflows.kit.payment import PaymentSteps
    from workflows.kit.supplement import SupplementSteps
    from workflows.kit.withdrawal import WithdrawalSteps


class KitSteps(DepartmentSteps, PaymentSteps, CollectionSteps, SupplementSteps, WithdrawalSteps):
    """The base of the catalog's flows (workflows/flows): steps, updates and the query.

    Flows built on it are lean (`CaseFlow.LEAN`): one activity per step with the SMS it
    causes, search attributes upserted only on change, no patch markers; departments
    in manual mode wait for a clerk's claim and decision (DecisionSteps), and may return
    the case for papers (SupplementSteps).
    """

    LEAN: ClassVar[bool] = True
    PARTIES: ClassVar[list[str]] = ["buyer", "seller", "lender"]

    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        super().__init__(inp)

    async def _pay_record_and_deliver(self) -> None:
        """The end every flow shares: the taxes paid in time (where tax takes part), then
        registration, collection and the completed case; an unpaid bill lapses the case."""
        if self._track.runs(StepName.TAX_ASSESSMENT) and not await self._taxes():
            await self._close(Stage.LAPSED, "逾期未缴税 / taxes not paid in time")
            return
        await self._registration()
        await self._collect()
        await self._close(Stage.COMPLETED)
