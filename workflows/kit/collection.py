"""Collection: the applicant's choice (window or EMS), reminders, shipping, the handover."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.case_steps import CaseStepActivities
    from activities.delivery import DeliveryActivities
    from models.actor import Role, refusal
    from models.enums import CollectionMethod, Department, Stage, StepName, StepStatus
    from models.notices import DeliveryNotice
    from models.payloads import (
        CollectionInput,
        CollectionRecordInput,
        CollectionResult,
        HandoverInput,
        HandoverRecordInput,
        HandoverResult,
        ShipmentInput,
    )
    from workflows.kit.flow import BUYERS, CaseFlow
    from workflows.kit.outcomes import require

COLLECTION_ENTERED_BY = frozenset({Role.WINDOW, Role.INTAKE})
HANDOVER_BY = frozenset({Role.WINDOW})
COLLECTION_REMINDERS = 3


class CollectionSteps(CaseFlow):
    """The `choose_collection` and `record_handover` updates and the collection step."""

    @workflow.update
    async def choose_collection(self, inp: CollectionInput) -> CollectionResult:
        """The applicant chooses window pickup or EMS; answers once the choice is carried out."""
        self._collection = inp
        await workflow.wait_condition(lambda: self._collection_result is not None)
        assert self._collection_result is not None
        return self._collection_result

    @choose_collection.validator
    def _validate_collection(self, inp: CollectionInput) -> None:
        require(refusal(inp.actor, COLLECTION_ENTERED_BY, "enter the collection choice"))
        if inp.recipient or inp.phone or inp.address:
            raise ValueError("ems: personal data never travels in an update; send address_id")
        if self._collection is not None:
            raise ValueError("the collection method is already chosen")
        if self._track.progress.stage != Stage.AWAITING_COLLECTION_CHOICE:
            raise ValueError(f"the certificate is not ready (stage {self._track.progress.stage})")
        if inp.method == CollectionMethod.EMS and inp.address_id is None:
            raise ValueError("ems: address_id (the stored recipient, phone and address) required")

    @workflow.update
    async def record_handover(self, inp: HandoverInput) -> HandoverResult:
        """The window clerk hands the certificate over; a repeat is answered with the first."""
        if self._handover is None:
            self._handover_input = inp
            self._handover = HandoverResult(handed_over_at=workflow.now())
        return self._handover

    @record_handover.validator
    def _validate_handover(self, inp: HandoverInput) -> None:
        require(refusal(inp.actor, HANDOVER_BY, "hand over a certificate"))
        first = self._handover_input
        if first is not None:
            if first != inp:
                raise ValueError(
                    f"the certificate was already handed over at window {first.window} "
                    f"by {first.clerk}"
                )
            return
        if self._track.progress.stage != Stage.AWAITING_PICKUP:
            raise ValueError(f"nothing to hand over in stage {self._track.progress.stage.value}")

    async def _collect(self) -> None:
        due = self._clock.start("collection", workflow.now())
        self._track.begin(StepName.COLLECTION, workflow.now(), None, StepStatus.WAITING)
        self._refresh_dues()
        self._enter(Stage.AWAITING_COLLECTION_CHOICE, Department.APPLICANT, due)
        if not self.LEAN:  # a lean flow's registration told them
            await self._sms("certificate_ready", "certificate_ready", {}, BUYERS)
        chosen = lambda: self._collection is not None  # noqa: E731
        for reminder in range(1, COLLECTION_REMINDERS + 1):
            if await self._wait_until_due(chosen, "collection", f"领证提醒 reminder {reminder}"):
                break
            await self._sms(
                "collection_reminder", f"collection_reminder_{reminder}", {}, self.COLLECTORS
            )
            self._clock.start("collection", workflow.now())
            self._refresh_dues()
        await workflow.wait_condition(chosen)
        assert self._collection is not None
        if self.LEAN:
            await self._deliver()
            return
        # Patch "collection-audit": the choice and the handover are stored with their audit
        # rows by activities of their own. Deprecate once no case started before 2026-11-28
        # is waiting for collection.
        audited = self._patched("collection-audit")
        if audited:
            await self._call(
                DeliveryActivities.record_collection_choice,
                CollectionRecordInput(
                    case_no=self._inp.case_no,
                    method=self._collection.method,
                    address_id=self._collection.address_id,
                    chosen_at=workflow.now(),
                    actor=self._collection.actor,
                ),
                "记录领证方式 record the collection choice",
            )
        self._track.progress.collection = self._collection.method
        if self._collection.method == CollectionMethod.EMS:
            self._enter(Stage.SHIPPING, Department.REGISTRATION)
            shipped = await self._call(
                DeliveryActivities.ship_certificate,
                ShipmentInput(
                    case_no=self._inp.case_no,
                    address_id=self._collection.address_id,
                    recipient=self._collection.recipient or "",
                    phone=self._collection.phone or "",
                    address=self._collection.address or "",
                ),
                "EMS 寄递 ship certificate",
            )
            self._track.progress.tracking_no = shipped.tracking_no
            result = CollectionResult(method=CollectionMethod.EMS, tracking_no=shipped.tracking_no)
            # Patch "ems-answer-after-sms": the update answers once the buyer has been told the
            # tracking number. Deprecate once no case started before 2026-11-28 is open.
            answer_after_sms = self._patched("ems-answer-after-sms")
            if not answer_after_sms:
                self._collection_result = result
            await self._sms("shipped", "shipped", {"tracking_no": shipped.tracking_no}, BUYERS)
            self._collection_result = result
            self._track.finish(StepName.COLLECTION, workflow.now(), f"EMS {shipped.tracking_no}")
        else:
            self._enter(Stage.AWAITING_PICKUP, Department.REGISTRATION)
            self._collection_result = CollectionResult(method=CollectionMethod.WINDOW)
            await self._sms("ready_at_window", "ready_at_window", {}, BUYERS)
            await workflow.wait_condition(lambda: self._handover is not None)
            handover = self._handover_input
            if audited and handover is not None and self._handover is not None:
                await self._call(
                    DeliveryActivities.record_handover,
                    HandoverRecordInput(
                        case_no=self._inp.case_no,
                        window=handover.window,
                        clerk=handover.clerk,
                        handed_over_at=self._handover.handed_over_at,
                        actor=handover.actor,
                    ),
                    "记录交付 record the handover",
                )
            self._track.finish(StepName.COLLECTION, workflow.now(), "handed over at the window")

    async def _deliver(self) -> None:
        """A lean flow's delivery: the choice stored, shipped by EMS or kept for the window,
        and the buyers told, as one activity; then the handover at the window."""
        assert self._collection is not None
        choice = self._collection
        ems = choice.method == CollectionMethod.EMS
        self._track.progress.collection = choice.method
        if ems:
            self._enter(Stage.SHIPPING, Department.REGISTRATION)
        result = await self._call(
            CaseStepActivities.deliver,
            DeliveryNotice(
                choice=CollectionRecordInput(
                    case_no=self._inp.case_no,
                    method=choice.method,
                    address_id=choice.address_id,
                    chosen_at=workflow.now(),
                    actor=choice.actor,
                ),
                shipment=(
                    ShipmentInput(case_no=self._inp.case_no, address_id=choice.address_id)
                    if ems
                    else None
                ),
                collectors=self.COLLECTORS,
                view=self._plan(
                    (lambda t: t.finish(StepName.COLLECTION, None))
                    if ems
                    else (lambda t: t.enter(Stage.AWAITING_PICKUP, Department.REGISTRATION))
                ),
            ),
            "EMS 寄递 ship certificate" if ems else "窗口领证 keep for the window",
        )
        self._track.progress.tracking_no = result.tracking_no
        if ems:
            self._collection_result = result
            self._track.finish(StepName.COLLECTION, workflow.now(), f"EMS {result.tracking_no}")
            return
        self._enter(Stage.AWAITING_PICKUP, Department.REGISTRATION)
        self._collection_result = result
        await workflow.wait_condition(lambda: self._handover is not None)
        handover = self._handover_input
        assert handover is not None and self._handover is not None
        # Stored with its audit row by the activity that closes the case (one activity less).
        self._handover_record = HandoverRecordInput(
            case_no=self._inp.case_no,
            window=handover.window,
            clerk=handover.clerk,
            handed_over_at=self._handover.handed_over_at,
            actor=handover.actor,
        )
        self._track.finish(StepName.COLLECTION, workflow.now(), "handed over at the window")
