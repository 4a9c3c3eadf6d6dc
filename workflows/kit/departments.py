"""The department steps: intake's pre-review and push, housing's check, registration."""

from __future__ import annotations

from typing import ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.case_steps import CaseStepActivities
    from activities.housing import HousingActivities
    from activities.intake import IntakeActivities
    from activities.registry import RegistryActivities
    from models import step_details
    from models.enums import Department, Stage, StepName
    from models.notices import StepNotice, ViewedStep
    from workflows.kit.flow import CaseFlow
    from workflows.kit.outcomes import CaseRefused
    from workflows.progress import ProgressTracker


class DepartmentSteps(CaseFlow):
    """Steps done by a department against its deadline (automatic activities today)."""

    # Who is told what registration printed is ready: the transferees and any lender
    # (its registration proof); an exchange: both sides.
    READY_TO: ClassVar[list[str]] = ["buyer", "lender"]

    async def _intake(self) -> None:
        if self.LEAN:
            await self._intake_at_once()
            return
        now = workflow.now()
        self._track.begin(StepName.PRE_REVIEW, now, None)
        await self._act(
            StepName.PRE_REVIEW,
            self._call(
                IntakeActivities.pre_review_materials,
                self._step_input(),
                "材料预审 pre-review",
            ),
        )
        self._track.finish(StepName.PRE_REVIEW, workflow.now())
        self._enter(Stage.INTAKE, Department.SERVICE_DESK)
        self._track.begin(StepName.PUSH_DOCUMENTS, workflow.now(), None)
        pushed = await self._act(
            StepName.PUSH_DOCUMENTS,
            self._call(
                IntakeActivities.push_documents,
                self._step_input(),
                "扫描件推送 push scans to the departments",
            ),
        )
        self._track.finish(StepName.PUSH_DOCUMENTS, workflow.now(), step_details.pushed(pushed))
        self._clock.start("overall", self._inp.accepted_at)
        self._clock.start("legal", self._inp.accepted_at)  # cases from before it: no such key
        self._refresh_dues()
        due = self._clock.due("overall")
        await self._sms("accepted", "accepted", {"due": self._fmt(due)})

    async def _intake_at_once(self) -> None:
        """Pre-review, push and the accepted SMS as one activity (a lean flow's intake)."""
        self._track.begin(StepName.PRE_REVIEW, workflow.now(), None)
        self._clock.start("overall", self._inp.accepted_at)
        self._clock.start("legal", self._inp.accepted_at)  # cases from before it: no such key
        due = self._clock.due("overall")
        now = workflow.now()

        def pushed_on(t: ProgressTracker) -> None:
            t.enter(Stage.INTAKE, Department.SERVICE_DESK)
            t.begin(StepName.PUSH_DOCUMENTS, now, None)
            t.finish(StepName.PUSH_DOCUMENTS, None)

        pushed = await self._act(
            StepName.PRE_REVIEW,
            self._call(
                CaseStepActivities.intake_case,
                StepNotice(
                    case_no=self._inp.case_no,
                    sms=[self._notice("accepted", "accepted", {"due": self._fmt(due)})],
                    view=self._plan_done(StepName.PRE_REVIEW, pushed_on),
                ),
                "收件 pre-review, push scans, tell the parties",
            ),
        )
        now = workflow.now()
        self._track.finish(StepName.PRE_REVIEW, now)
        # Published with the next stage: intake is over the moment it is entered.
        self._track.enter(Stage.INTAKE, Department.SERVICE_DESK)
        self._track.begin(StepName.PUSH_DOCUMENTS, now, None)
        self._track.finish(StepName.PUSH_DOCUMENTS, now, step_details.pushed(pushed))
        self._refresh_dues()

    async def _transaction_check(self) -> None:
        self._enter_for(Stage.TRANSACTION_CHECK, Department.HOUSING)
        if self.LEAN and self._manual(Department.HOUSING):
            await self._department_step(StepName.TRANSACTION_CHECK, self._check_by_hand())
            self._track.finish(StepName.TRANSACTION_CHECK, workflow.now())
            return
        check = (
            self._call(
                CaseStepActivities.check_and_notify,
                StepNotice(
                    case_no=self._inp.case_no,
                    sms=[self._notice("checked", "checked", {})],
                    view=self._plan_done(StepName.TRANSACTION_CHECK),
                    automatic=Department.HOUSING.value,
                ),
                "房产交易核查 transaction check; tell the parties",
            )
            if self.LEAN
            else self._call(
                HousingActivities.check_transaction,
                self._step_input(),
                "房产交易核查 transaction check",
            )
        )
        result = await self._department_step(StepName.TRANSACTION_CHECK, check)
        self._track.finish(StepName.TRANSACTION_CHECK, workflow.now(), step_details.checked(result))

    async def _check_by_hand(self) -> None:
        """Housing's clerk looks at what the check found and confirms it, or refuses the case
        in writing. Blocking findings have refused it already, in the check itself."""
        step = StepName.TRANSACTION_CHECK
        checked = await self._call(
            CaseStepActivities.check_for_review,
            StepNotice(case_no=self._inp.case_no, view=self._plan(lambda t: t.awaiting(step))),
            "房产交易核查 transaction check, for the housing clerk",
        )
        self._track.step(step).detail = step_details.checked(checked) or "无异常 nothing found"
        decided = await self._decision(Department.HOUSING)
        if not decided.approve:
            raise CaseRefused(
                step,
                f"房产交易核查不通过：{decided.reason}（依据：{decided.legal_basis}） "
                f"Transaction check refused: {decided.reason} ({decided.legal_basis})",
            )
        await self._call(
            CaseStepActivities.tell_parties,
            StepNotice(
                case_no=self._inp.case_no,
                sms=[self._notice("checked", "checked", {})],
                view=self._plan_done(step),
            ),
            "核查通过 tell the parties",
        )

    async def _registration(self) -> None:
        self._enter_for(Stage.REGISTRATION, Department.REGISTRATION)

        async def register() -> str:
            step = self._step_input()
            if self.LEAN and self._manual(Department.REGISTRATION):
                # The registrar reviews what the system found, then approves or refuses in
                # writing (不予登记, 条例 art. 22); recording and printing follow approval only.
                await self._call(
                    RegistryActivities.review_registration,
                    ViewedStep(
                        case_no=self._inp.case_no,
                        view=self._plan(lambda t: t.awaiting(StepName.REGISTRATION)),
                    ),
                    "审核 review",
                )
                decided = await self._decision(Department.REGISTRATION)
                if not decided.approve:
                    raise CaseRefused(
                        StepName.REGISTRATION,
                        f"不予登记：{decided.reason}（依据：{decided.legal_basis}） "
                        f"Registration refused: {decided.reason} ({decided.legal_basis})",
                    )
            if self.LEAN:
                ready = self._notice("certificate_ready", "certificate_ready", {}, self.READY_TO)
                told = self._notice("recorded", "recorded", {})
                recorded = await self._call(
                    CaseStepActivities.register_and_notify,
                    StepNotice(
                        case_no=self._inp.case_no,
                        sms=[ready],
                        unprinted=[told],
                        automatic=(
                            None
                            if self._manual(Department.REGISTRATION)
                            else Department.REGISTRATION.value
                        ),
                        view=self._plan_done(StepName.REGISTRATION, self._collection_begins),
                    ),
                    "审核、登簿、缮证 review, record, print; certificate ready",
                )
                return step_details.registered(recorded)
            # Patch "registration-one-activity": review, record and print in one activity
            # (fewer tasks and events per case). Deprecate once no case started before
            # 2026-11-28 is waiting for registration.
            if workflow.patched("registration-one-activity"):
                done = await self._call(
                    RegistryActivities.register, step, "审核、登簿、缮证 review, record, print"
                )
                return done.certificate_no
            review = ViewedStep(case_no=self._inp.case_no)
            await self._call(RegistryActivities.review_registration, review, "审核 review")
            await self._call(RegistryActivities.record_transfer, step, "登簿 record")
            printed = await self._call(RegistryActivities.print_certificate, step, "缮证 print")
            return printed.certificate_no

        numbers = await self._department_step(StepName.REGISTRATION, register())
        self._track.progress.certificate_no = numbers.split("、")[0] or None
        self._track.finish(StepName.REGISTRATION, workflow.now(), numbers or "登簿 recorded")
