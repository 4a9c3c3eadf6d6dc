"""Updates sent straight to a case (past the API) need an actor of the right role,
and each write lands in the audit with the actor behind it."""

from __future__ import annotations

import pytest
from sqlmodel import select
from temporalio.client import WorkflowUpdateFailedError
from temporalio.worker import Worker

from models.audit import CaseEvent
from models.collection import Collection
from models.enums import CollectionMethod, Stage
from models.payloads import CollectionInput, PaymentInput
from tests.actors import INTAKE_CLERK, TAX_CLERK, WINDOW_CLERK
from tests.workflows.test_timers import (
    TAX_TOTAL,
    TimeskipHall,
    collect_at_window,
    pay,
    reach_stage,
    start_case,
)
from workflows.ids import PROPERTY_CASE_WORKFLOW
from workflows.property_case import PropertyCaseWorkflow

pytestmark = pytest.mark.timeskip


async def test_payment_without_an_actor_or_by_another_role_is_refused(
    ts_hall: TimeskipHall, ts_worker: Worker
) -> None:
    _, handle = await start_case(ts_hall)
    await reach_stage(handle, Stage.AWAITING_PAYMENT)
    for actor, why in ((None, "needs an authenticated actor"), (WINDOW_CLERK, "role window")):
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(
                PropertyCaseWorkflow.confirm_payment,
                PaymentInput(amount=TAX_TOTAL, reference="TAX-ANON", actor=actor),
            )
        assert why in str(refused.value.cause)
    assert (await handle.query(PropertyCaseWorkflow.progress)).stage == Stage.AWAITING_PAYMENT
    # Finish the case: one left open would hold the shared time-skipping server's clock.
    await pay(handle, "TAX-BY-TAX")
    await reach_stage(handle, Stage.AWAITING_COLLECTION_CHOICE)
    assert (await collect_at_window(handle)).stage == Stage.COMPLETED


async def test_each_write_is_audited_with_its_actor(
    ts_hall: TimeskipHall, ts_worker: Worker
) -> None:
    case_no, handle = await start_case(ts_hall)
    await reach_stage(handle, Stage.AWAITING_PAYMENT)
    await pay(handle, "TAX-AUDIT-1")
    await reach_stage(handle, Stage.AWAITING_COLLECTION_CHOICE)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            PropertyCaseWorkflow.choose_collection,
            CollectionInput(method=CollectionMethod.EMS, actor=INTAKE_CLERK, phone="13800000002"),
        )
    assert "personal data never travels" in str(refused.value.cause)
    final = await collect_at_window(handle)
    assert final.stage == Stage.COMPLETED

    with ts_hall.db.session() as session:
        events = session.exec(
            select(CaseEvent).where(CaseEvent.case_no == case_no).order_by(CaseEvent.id)
        ).all()
        collection = session.get(Collection, case_no)
    # The catalog's flows keep each automatic decision as the system actor's approval.
    automatic = [e.subject for e in events if e.action == "approved"]
    lean = ts_hall.workflow_type != PROPERTY_CASE_WORKFLOW
    assert automatic == (["housing", "tax", "registration"] if lean else [])
    events = [e for e in events if e.action != "approved"]
    assert [(e.action, e.actor_id, e.actor_role) for e in events] == [
        ("accepted", "system", "system"),  # stored by the test as intake would, no token
        ("payment_confirmed", TAX_CLERK.staff_id, "tax"),
        ("collection_chosen", WINDOW_CLERK.staff_id, "window"),
        ("handed_over", WINDOW_CLERK.staff_id, "window"),
    ]
    assert all(e.request_hash and len(e.request_hash) == 64 for e in events)
    assert collection is not None and collection.method == "window"
    assert (collection.window, collection.clerk_id) == ("A3", WINDOW_CLERK.staff_id)
