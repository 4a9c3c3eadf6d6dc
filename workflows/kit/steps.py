"""KitSteps: every step the kit offers, for a flow module to pick from in its `_steps`."""

from __future__ import annotations

from typing import ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.kit.collection import CollectionSteps
    from workflows.kit.departments import DepartmentSteps
    from workflows.kit.payment import PaymentSteps


class KitSteps(DepartmentSteps, PaymentSteps, CollectionSteps):
    """The base of the catalog's flows (workflows/flows): steps, updates and the query.

    Flows built on it are lean (`CaseFlow.LEAN`): one activity per step with the SMS it
    causes, search attributes upserted only on change, no patch markers.
    """

    LEAN: ClassVar[bool] = True
