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

    Flows built on it publish search attributes only when they change: their histories
    have no upserts that repeat the last one (the frozen `PropertyCase` keeps its own).
    """

    LEAN_ATTRIBUTES: ClassVar[bool] = True
