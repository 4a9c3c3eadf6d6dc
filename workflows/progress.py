"""The case's progress as the workflow keeps it: pure state changes, no Temporal calls.

Kept out of the workflow module (and imported through the sandbox's pass-through) so the
workflow file stays small and this logic is unit-testable on its own.
"""

from __future__ import annotations

from datetime import datetime

from domain.departments import STEP_DEPARTMENTS, step_runs
from models.enums import STAGE_LABELS, Department, Stage, StepName, StepStatus
from models.payloads import CaseInput, CaseProgress, StepProgress


def initial_progress(inp: CaseInput) -> CaseProgress:
    """All the steps this business type runs, pending; steps of absent departments are skipped."""
    steps = [
        StepProgress(
            name=name,
            department=_holder(name, inp),
            status=StepStatus.PENDING if _runs(name, inp) else StepStatus.SKIPPED,
        )
        for name in STEP_DEPARTMENTS
    ]
    zh, en = STAGE_LABELS[Stage.PRE_REVIEW]
    return CaseProgress(
        case_no=inp.case_no,
        business_type=inp.business_type,
        stage=Stage.PRE_REVIEW,
        stage_zh=zh,
        stage_en=en,
        department=Department.SERVICE_DESK,
        accepted_at=inp.accepted_at,
        steps=steps,
    )


BILLING = (StepName.TAX_ASSESSMENT, StepName.PAYMENT)


def _runs(name: StepName, inp: CaseInput) -> bool:
    """A step runs where its department takes part; the billing steps where there is a bill."""
    if name in BILLING and inp.billed is not None:
        return inp.billed
    return step_runs(name, inp.departments)


def _holder(name: StepName, inp: CaseInput) -> Department:
    """Who holds the case during the step: a bill without tax (the fee alone) is the
    registration bureau's."""
    if name is StepName.TAX_ASSESSMENT and Department.TAX.value not in inp.departments:
        return Department.REGISTRATION
    return STEP_DEPARTMENTS[name].holder


class ProgressTracker:
    """Applies stage and step transitions to a `CaseProgress`."""

    def __init__(self, progress: CaseProgress) -> None:
        self.progress = progress

    def step(self, name: StepName) -> StepProgress:
        return next(s for s in self.progress.steps if s.name == name)

    def runs(self, name: StepName) -> bool:
        return self.step(name).status != StepStatus.SKIPPED

    def enter(self, stage: Stage, department: Department) -> None:
        zh, en = STAGE_LABELS[stage]
        self.progress.stage = stage
        self.progress.stage_zh = zh
        self.progress.stage_en = en
        self.progress.department = department

    def begin(
        self,
        name: StepName,
        now: datetime | None,
        due_at: datetime | None,
        status: StepStatus = StepStatus.RUNNING,
    ) -> None:
        step = self.step(name)
        step.status = status
        step.started_at = now
        step.due_at = due_at

    def finish(self, name: StepName, now: datetime | None, detail: str | None = None) -> None:
        """`now` None: in a planned view, the moment the activity's work ends (the writer
        stamps it)."""
        step = self.step(name)
        step.status = StepStatus.DONE
        step.finished_at = now
        if detail:
            step.detail = detail

    def fail(self, name: StepName, now: datetime, detail: str) -> None:
        step = self.step(name)
        step.status = StepStatus.FAILED
        step.finished_at = now
        step.detail = detail

    def awaiting(self, name: StepName) -> None:
        """The step waits for a clerk's decision (its queue lists it)."""
        self.step(name).status = StepStatus.WAITING

    def resumed(self, name: StepName) -> None:
        """The clerk decided: the step's work goes on."""
        self.step(name).status = StepStatus.RUNNING

    def escalated(self, name: StepName) -> None:
        self.step(name).escalated = True

    def running_step(self) -> StepProgress | None:
        return next(
            (
                s
                for s in self.progress.steps
                if s.status in (StepStatus.RUNNING, StepStatus.WAITING)
            ),
            None,
        )

    def close(self, stage: Stage, now: datetime, reason: str | None = None) -> None:
        running = self.running_step()
        if running is not None and stage != Stage.COMPLETED:
            self.fail(running.name, now, reason or stage.value)
        self.enter(stage, Department.NONE)
        self.progress.reason = reason
        self.progress.finished_at = now

    def details(self) -> str:
        """The Temporal UI's current details: where the case stands, in Chinese and English."""
        p = self.progress
        lines = [f"**{p.stage_zh}** / {p.stage_en}", f"案件 case `{p.case_no}` · {p.business_type}"]
        current = self.running_step()
        if current is not None and current.due_at is not None:
            mark = "（预计 provisional）" if current.due_provisional else ""
            lines.append(f"时限 due: {current.due_at.isoformat(timespec='minutes')}{mark}")
        if p.completion_due_at is not None:
            mark = "（预计 provisional）" if p.completion_due_provisional else ""
            promised = p.completion_due_at.isoformat(timespec="minutes")
            lines.append(f"承诺办结 promised: {promised}{mark}")
        if p.legal_due_at is not None and p.finished_at is None:
            lines.append(f"法定时限 legal limit: {p.legal_due_at.isoformat(timespec='minutes')}")
        if p.calendar_updates:
            lines.append(f"日历已更新 calendar updated: {p.calendar_updates[-1]}")
        if p.tax_total is not None:
            lines.append(f"税款 taxes: ¥{p.tax_total}")
        if p.certificate_no:
            lines.append(f"证书 certificate: {p.certificate_no}")
        if p.tracking_no:
            lines.append(f"EMS: {p.tracking_no}")
        if p.reason:
            lines.append(f"原因 reason: {p.reason}")
        return "\n".join(lines)
