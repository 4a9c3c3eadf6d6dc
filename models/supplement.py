"""Supplement (补正) and withdrawal (撤回): workflow update payloads.

A department deciding by hand may return the case for papers that are missing or faulty,
with one complete notice in the pre-review notice's format (不动产登记暂行条例 art. 17); the
step's clock pauses until the applicant brings them in at the intake window. An applicant
may withdraw the application before it is recorded, with a signed request (scanned).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.prereview import MaterialIssue
from models.actor import Actor
from models.enums import Department


class SupplementRequest(BaseModel):
    """Update: the department's clerk returns the case for the listed papers."""

    department: Department
    items: list[MaterialIssue] = Field(min_length=1, max_length=30)
    actor: Actor | None = None


class SupplementReceived(BaseModel):
    """Update: the intake window stored a paper the case asked for (by reference)."""

    material: str
    blob_key: str
    sha256: str
    actor: Actor | None = None


class SupplementState(BaseModel):
    """What the case still waits for after a request or a received paper."""

    asked_by: Department | None
    waiting_for: list[str] = Field(description="material codes still missing or faulty")
    resumed: bool = Field(description="every paper is in: the step that asked goes on")


class WithdrawalInput(BaseModel):
    """Update: the applicant withdraws; the signed request is a stored scan."""

    reason: str = Field(min_length=1, max_length=500)
    blob_key: str
    sha256: str
    actor: Actor | None = None


class WithdrawalResult(BaseModel):
    withdrawn: bool
    stage: str
