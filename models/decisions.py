"""Claims and decisions: a clerk takes a department's step of a case, then decides it.

Workflow update payloads. The actor comes from the clerk's token (the API sets it); the
workflow's validators check the role, the stage and that the actor holds the claim.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, model_validator

from models.actor import Actor
from models.case_view import ViewPlan
from models.enums import Department
from models.tax_adjustment import BillAdjustment


class ClaimInput(BaseModel):
    """Take a department's step (or, by a supervisor, give it to `assignee`)."""

    department: Department
    actor: Actor | None = None
    assignee: Actor | None = Field(
        default=None, description="a supervisor's reassignment: the clerk who takes it over"
    )


class ReleaseInput(BaseModel):
    """Give a claimed step back to the queue (its holder, or a supervisor)."""

    department: Department
    actor: Actor | None = None


class ClaimResult(BaseModel):
    department: Department
    holder: Actor | None


class DecisionInput(BaseModel):
    """A department's decision on its step: approve, or refuse in writing with the reason
    and the legal basis (不予登记, 不动产登记暂行条例 art. 22)."""

    department: Department
    approve: bool
    reason: str | None = Field(default=None, max_length=500)
    legal_basis: str | None = Field(default=None, max_length=200)
    adjustment: BillAdjustment | None = Field(
        default=None, description="tax only: the bill as the clerk corrects it, with why"
    )
    actor: Actor | None = None

    @model_validator(mode="after")
    def _refusal_says_why(self) -> DecisionInput:
        if not self.approve and not (self.reason and self.legal_basis):
            raise ValueError("reason and legal_basis: required to refuse")
        if self.adjustment is not None and self.department != Department.TAX:
            raise ValueError("adjustment: only the tax department adjusts a bill")
        if self.department == Department.TAX and not self.approve:
            raise ValueError("approve: tax confirms or adjusts the bill; it refuses no case")
        return self


class DecisionResult(BaseModel):
    department: Department
    approved: bool
    by: Actor


class AuditInput(BaseModel):
    """A write made in the workflow (a claim, a decision), kept in the case's audit."""

    case_no: str
    actor: Actor
    action: str
    at: datetime  # the workflow's time of the write: with the action and actor, its key
    subject: str | None = None
    reason: str | None = None
    view: ViewPlan | None = None  # the case as the write leaves it (holder, decided step)
