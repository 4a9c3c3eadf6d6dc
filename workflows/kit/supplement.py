"""Supplement (补正): a department returns the case for papers, the applicant brings them in.

The clerk deciding a step by hand may return the case with one complete notice of what is
missing or faulty, in the pre-review notice's format (不动产登记暂行条例 art. 17). The
applicant is told by SMS; the case's clock stands still while they supplement, and the pause
is added to every deadline started before it (workflows/deadline_clock.py). Each paper the
intake window stores for the case is handed in by `supplement_received`; once all are in,
the step waits for the clerk's decision again. Papers not brought in within the configured
working days (`CaseInput.deadlines["supplement"]`) close the case as lapsed.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.case_steps import CaseStepActivities
    from models.actor import Role, refusal
    from models.enums import Department, Stage
    from models.notices import StepNotice
    from models.supplement import SupplementReceived, SupplementRequest, SupplementState
    from workflows.ids import UPDATE_REQUEST_SUPPLEMENT, UPDATE_SUPPLEMENT
    from workflows.kit.decisions import DECIDING_ROLE, STEP_OF, DecisionSteps, _label
    from workflows.kit.flow import STEP_DEADLINE
    from workflows.kit.outcomes import CaseClosed, require

SUPPLEMENT_BY = frozenset({Role.INTAKE})
STAGE_OF = {
    Department.HOUSING: Stage.TRANSACTION_CHECK,
    Department.TAX: Stage.TAX_ASSESSMENT,
    Department.REGISTRATION: Stage.REGISTRATION,
}


class SupplementSteps(DecisionSteps):
    """The `request_supplement` and `supplement_received` updates, and the wait between."""

    @workflow.update(name=UPDATE_REQUEST_SUPPLEMENT)
    async def request_supplement(self, inp: SupplementRequest) -> SupplementState:
        """The holder of the step returns the case for the papers listed, all at once."""
        assert inp.actor is not None
        if self._asked is not None or inp.department in self._decisions:
            # Accepted in the same workflow task as another request or a decision, which
            # passed the validator too and was taken first.
            raise ApplicationError(
                "supplement: the step was decided or returned for papers a moment ago",
                type="StepMoved",
                non_retryable=True,
            )
        self._asked = inp
        self._outstanding = {item.code: None for item in inp.items}
        # The case waits for the applicant from this moment: a paper stored at once is
        # handed in (the wait itself begins when the step's coroutine next runs).
        self._track.enter(Stage.AWAITING_SUPPLEMENT, Department.APPLICANT)
        codes = "、".join(self._outstanding)
        reasons = "；".join(f"{item.code}: {item.reason}" for item in inp.items)
        await self._audit(inp.actor, "supplement_requested", codes, reasons)
        return self._supplement_state()

    @request_supplement.validator
    def _validate_request(self, inp: SupplementRequest) -> None:
        require(refusal(inp.actor, frozenset({DECIDING_ROLE[inp.department]}), "ask for papers"))
        self._require_waiting(inp.department)
        holder = self._holders.get(inp.department)
        assert inp.actor is not None
        if holder is None or holder.staff_id != inp.actor.staff_id:
            held = f"it is held by {_label(holder)}" if holder else "nobody holds it"
            raise ValueError(f"supplement: claim the step first ({held})")
        if self._asked is not None:
            raise ValueError("supplement: the case already waits for papers")

    @workflow.update(name=UPDATE_SUPPLEMENT)
    async def supplement_received(self, inp: SupplementReceived) -> SupplementState:
        """A paper the case asked for is stored at the intake window."""
        self._outstanding[inp.material] = inp.sha256
        return self._supplement_state()

    @supplement_received.validator
    def _validate_received(self, inp: SupplementReceived) -> None:
        require(refusal(inp.actor, SUPPLEMENT_BY, "hand in papers"))
        self._require_open()
        if self._asked is None:
            raise ValueError(
                f"supplement: the case asks for no papers (stage {self._track.progress.stage})"
            )
        if inp.material not in self._outstanding:
            asked = ", ".join(self._outstanding)
            raise ValueError(f"material: {inp.material} was not asked for (asked: {asked})")

    def _supplement_state(self) -> SupplementState:
        waiting = [code for code, sha in self._outstanding.items() if sha is None]
        return SupplementState(
            asked_by=self._asked.department if self._asked else None,
            waiting_for=waiting,
            resumed=self._asked is not None and not waiting,
        )

    async def _supplement(self, department: Department) -> None:
        """Pause the clock, tell the applicant what to bring, wait; lapse the case if the
        papers do not come in time, else go back to the clerk with the clock running."""
        assert self._asked is not None
        step = STEP_OF[department]
        self._clock.pause(workflow.now())
        self._clock.start("supplement", workflow.now())
        due = self._clock.due("supplement")
        self._enter(Stage.AWAITING_SUPPLEMENT, Department.APPLICANT, due)
        items = "；".join(f"{item.name_zh}（{item.reason}）" for item in self._asked.items)
        await self._tell_about_papers(
            "supplement_requested",
            {"items": items, "due": self._fmt(due)},
            f"supplement_requested_{len(self._supplements)}",
        )
        brought = await self._wait_until_due(
            lambda: all(self._outstanding.values()), "supplement", "补正期限 supplement deadline"
        )
        self._clock.resume(workflow.now())
        if not brought:
            raise CaseClosed(
                Stage.LAPSED,
                "逾期未补正材料 / the missing papers were not brought in time",
                "supplement_lapsed",
            )
        self._supplements.append(self._asked)
        self._asked = None
        self._outstanding = {}
        self._track.enter(STAGE_OF[department], department)
        self._track.awaiting(step)
        self._refresh_dues()
        self._publish(self._clock.due(STEP_DEADLINE[step]))
        await self._tell_about_papers(
            "supplement_received", {}, f"supplement_received_{len(self._supplements)}"
        )

    async def _tell_about_papers(self, template: str, params: dict[str, str], key: str) -> None:
        """The parties' SMS about the papers, with the case's view as it now stands."""
        await self._call(
            CaseStepActivities.tell_parties,
            StepNotice(
                case_no=self._inp.case_no,
                sms=[self._notice(template, key, params)],
                view=self._plan(),
            ),
            f"短信 SMS {template}",
        )
