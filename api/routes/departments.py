"""Departments at work: a clerk claims a case's step, releases it, and decides it.

Each is a workflow update, so the case's own validators decide at once whether it took (409
if not, naming why): the actor's role for that department, that the case is waiting for
that department, and that the actor holds the claim (a second claim is told who holds it).
A supervisor may reassign or release. The route's fence admits every deciding role; which
department a clerk may act for is the validator's rule.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from api.auth.fence import fence
from api.deps import CatalogDep, DatabaseDep, SettingsDep, TemporalClientDep
from api.errors import FieldError, responses
from api.routes.cases import UPDATE_ANSWERS, CaseNo, case_handle, run_update
from api.schemas import MaybeCleanText
from domain.materials import Material
from domain.prereview import MISSING, MaterialIssue
from models.actor import Actor, Role
from models.decisions import ClaimInput, ClaimResult, DecisionInput, DecisionResult, ReleaseInput
from models.enums import Department
from models.supplement import SupplementRequest, SupplementState
from models.tax_adjustment import BillAdjustment
from workflows.ids import UPDATE_CLAIM, UPDATE_DECIDE, UPDATE_RELEASE, UPDATE_REQUEST_SUPPLEMENT

router = APIRouter(tags=["departments"], responses=responses(401, 403, 422, 503))


class DecidingDepartment(StrEnum):
    """The departments whose clerks decide a step of a case."""

    HOUSING = "housing"
    TAX = "tax"
    REGISTRATION = "registration"


ROLE_OF = {
    DecidingDepartment.HOUSING: Role.HOUSING,
    DecidingDepartment.TAX: Role.TAX,
    DecidingDepartment.REGISTRATION: Role.REGISTRATION,
}
CLERKS = (Role.HOUSING, Role.TAX, Role.REGISTRATION)


class ClaimIn(BaseModel):
    """Empty for a clerk taking the step; a supervisor names the clerk who takes it over."""

    assignee_staff_id: MaybeCleanText = Field(default=None, min_length=1, max_length=64)
    assignee_name: MaybeCleanText = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _both_or_neither(self) -> ClaimIn:
        if (self.assignee_staff_id is None) != (self.assignee_name is None):
            raise ValueError("assignee_staff_id and assignee_name: give both or neither")
        return self


class DecisionIn(BaseModel):
    """Approve, or refuse in writing with the reason and its legal basis."""

    approve: bool
    reason: MaybeCleanText = Field(default=None, min_length=1, max_length=500)
    legal_basis: MaybeCleanText = Field(
        default=None, min_length=1, max_length=200, examples=["《不动产登记暂行条例》第二十二条"]
    )
    adjustment: BillAdjustment | None = Field(
        default=None,
        description="tax only: the lines the clerk corrects and why; omit to confirm the "
        "computed bill",
    )

    @model_validator(mode="after")
    def _refusal_says_why(self) -> DecisionIn:
        if not self.approve and not (self.reason and self.legal_basis):
            raise ValueError("reason and legal_basis: required to refuse (条例 art. 22)")
        return self


TASK = "/departments/{department}/tasks/{case_no}"


@router.post(f"{TASK}/claim", response_model=ClaimResult, responses=UPDATE_ANSWERS)
async def claim(
    department: DecidingDepartment,
    case_no: CaseNo,
    db: DatabaseDep,
    client: TemporalClientDep,
    settings: SettingsDep,
    actor: Annotated[Actor, fence(*CLERKS, Role.SUPERVISOR)],
    body: ClaimIn | None = None,
) -> ClaimResult:
    """Take the case's step for yourself; a supervisor gives it to the clerk named."""
    assignee = None
    if body is not None and body.assignee_staff_id and body.assignee_name:
        assignee = Actor(
            staff_id=body.assignee_staff_id, name=body.assignee_name, role=ROLE_OF[department]
        )
    handle = await case_handle(db, client, case_no)
    result: ClaimResult = await run_update(
        handle,
        UPDATE_CLAIM,
        ClaimInput(department=Department(department.value), actor=actor, assignee=assignee),
        ClaimIn,
        ClaimResult,
        wait=settings.UPDATE_ANSWER_SECONDS,
    )
    return result


@router.post(f"{TASK}/release", response_model=ClaimResult, responses=UPDATE_ANSWERS)
async def release(
    department: DecidingDepartment,
    case_no: CaseNo,
    db: DatabaseDep,
    client: TemporalClientDep,
    settings: SettingsDep,
    actor: Annotated[Actor, fence(*CLERKS, Role.SUPERVISOR)],
) -> ClaimResult:
    """Give the step back to the department's queue (its holder, or a supervisor)."""
    handle = await case_handle(db, client, case_no)
    result: ClaimResult = await run_update(
        handle,
        UPDATE_RELEASE,
        ReleaseInput(department=Department(department.value), actor=actor),
        ClaimIn,
        ClaimResult,
        wait=settings.UPDATE_ANSWER_SECONDS,
    )
    return result


@router.post(
    "/cases/{case_no}/decisions/{department}",
    response_model=DecisionResult,
    responses=UPDATE_ANSWERS,
)
async def decide(
    department: DecidingDepartment,
    case_no: CaseNo,
    body: DecisionIn,
    db: DatabaseDep,
    client: TemporalClientDep,
    settings: SettingsDep,
    actor: Annotated[Actor, fence(*CLERKS)],
) -> DecisionResult:
    """The holder of the step decides: approve, or refuse with the reason and legal basis;
    the tax clerk confirms the computed bill, or adjusts it with a reason."""
    if body.adjustment is not None and department != DecidingDepartment.TAX:
        raise FieldError(("body", "adjustment"), "only the tax department adjusts a bill")
    if department == DecidingDepartment.TAX and not body.approve:
        raise FieldError(
            ("body", "approve"),
            "tax confirms or adjusts the bill (approve: true); it refuses no case",
        )
    handle = await case_handle(db, client, case_no)
    result: DecisionResult = await run_update(
        handle,
        UPDATE_DECIDE,
        DecisionInput(
            department=Department(department.value),
            approve=body.approve,
            reason=body.reason,
            legal_basis=body.legal_basis,
            adjustment=body.adjustment,
            actor=actor,
        ),
        DecisionIn,
        DecisionResult,
        wait=settings.UPDATE_ANSWER_SECONDS,
    )
    return result


class PaperProblem(BaseModel):
    """One paper the clerk asks for: missing, or handed in but faulty (with what is wrong)."""

    material: str = Field(min_length=1, max_length=64, examples=["sales_contract"])
    problem: Literal["missing", "faulty"]
    note: MaybeCleanText = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _faulty_says_how(self) -> PaperProblem:
        if self.problem == "faulty" and not self.note:
            raise ValueError("note: say what is wrong with a faulty paper")
        return self


class SupplementIn(BaseModel):
    """Everything the case lacks, at once (一次性告知): one notice, not one paper at a time."""

    items: list[PaperProblem] = Field(min_length=1, max_length=30)


@router.post(
    "/cases/{case_no}/supplements/{department}",
    response_model=SupplementState,
    responses=UPDATE_ANSWERS,
)
async def request_supplement(
    department: DecidingDepartment,
    case_no: CaseNo,
    body: SupplementIn,
    db: DatabaseDep,
    client: TemporalClientDep,
    settings: SettingsDep,
    catalog: CatalogDep,
    actor: Annotated[Actor, fence(*CLERKS)],
) -> SupplementState:
    """The holder of the step returns the case for papers (补正): the applicant is told the
    whole list by SMS, and the case's clock stands still until they are in."""
    codes = [item.material for item in body.items]
    if len(set(codes)) != len(codes):
        raise FieldError(("body", "items"), "each material once")
    known = set(catalog.materials)
    for index, code in enumerate(codes):
        if code not in known:
            raise FieldError(("body", "items", index, "material"), f"unknown material {code!r}")
    items = [_issue(catalog.material(item.material), item) for item in body.items]
    handle = await case_handle(db, client, case_no)
    result: SupplementState = await run_update(
        handle,
        UPDATE_REQUEST_SUPPLEMENT,
        SupplementRequest(department=Department(department.value), items=items, actor=actor),
        SupplementIn,
        SupplementState,
        wait=settings.UPDATE_ANSWER_SECONDS,
    )
    return result


def _issue(material: Material, item: PaperProblem) -> MaterialIssue:
    """The pre-review notice's item for one paper asked for."""
    faulty = item.problem == "faulty"
    return MaterialIssue(
        code=material.code,
        name_zh=material.name_zh,
        name_en=material.name_en,
        reason=f"faulty: {item.note}" if faulty else MISSING,
        note_zh=item.note,
    )
