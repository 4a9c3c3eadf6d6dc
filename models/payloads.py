"""Pydantic payloads shared by the API, the workflow and the activities (one per call).

Workflow history carries case numbers, codes, amounts and references; names, identity
numbers and scans stay in the database and the blob store and are looked up by activities.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from domain.calendar import OfficeHours, WorkingCalendar
from models.actor import Actor
from models.enums import CollectionMethod, Department, Stage, StepName, StepStatus


class CaseInput(BaseModel):
    """Start input of every case flow (workflows/flows) and the frozen `PropertyCaseWorkflow`."""

    case_no: str
    business_type: str
    hall: str
    accepted_at: datetime
    calendar: WorkingCalendar
    office_hours: OfficeHours
    deadlines: dict[str, int] = Field(description="working days per step, from the catalog")
    departments: list[str] = Field(description="departments that take part, from the catalog")
    manual: list[str] = Field(
        default=[],
        description="departments whose clerks decide by hand (configuration); the others "
        "decide automatically as the system actor",
    )
    billed: bool | None = Field(
        default=None,
        description="the case gets a bill (taxes, or the registration fee alone); None: cases "
        "started before fees, billed where tax takes part",
    )
    warn_share: float | None = Field(
        default=None,
        gt=0,
        lt=1,
        description="the share of each department step's working time after which its clerk "
        "is warned (configuration); None: no warnings (cases started before them)",
    )


class CalendarUpdateInput(BaseModel):
    """Update: the official working-day arrangement of whole years, for a running case.

    Replaces the provisional days the case was given at intake; `make calendar-publish`
    sends it once the State Council's notice (or a library release) is loaded.
    """

    calendar: WorkingCalendar
    reference: str = Field(min_length=1, max_length=200, description="the notice or release")
    actor: Actor | None = None


class DeadlineMove(BaseModel):
    """One pending deadline recomputed from its start moment on the updated calendar."""

    deadline: str
    before: datetime | None
    after: datetime | None


class CalendarUpdateResult(BaseModel):
    moved: list[DeadlineMove] = []
    provisional_years: list[int] = []


class StepInput(BaseModel):
    """Input of an activity that needs only the case (the rest is in the archive)."""

    case_no: str


class BlobRef(BaseModel):
    """A scan by reference: bytes never travel through workflow history."""

    key: str
    size: int
    sha256: str


class DocumentRef(BaseModel):
    material: str
    blob: BlobRef


class PreReviewOutcome(BaseModel):
    complete: bool
    missing: list[str] = []
    notice_zh: str = ""
    notice_en: str = ""
    documents: list[DocumentRef] = []


class PushResult(BaseModel):
    documents: int
    departments: list[str]


class TransactionCheckResult(BaseModel):
    unit_number: str
    # None where the business type has no filed contract (resettlement, exchange).
    contract_no: str | None = None
    mortgages: list[str] = []
    notes: list[str] = []
    # The register version of each unit the check read, so recording can tell a unit that
    # moved on since (an exchange's second unit has no other place to keep it).
    unit_versions: dict[str, int] = {}


class TaxAssessment(BaseModel):
    """The stored bill in short: what each payer owes, taxes and registration fees together."""

    total: Decimal
    buyer_total: Decimal
    seller_total: Decimal
    # Tax lines; the fee lines are counted in `fees`.
    lines: int
    referrals: list[str] = []
    # Defaults: assessments recorded before fees still deserialise.
    lender_total: Decimal = Decimal(0)
    fees: int = 0
    # The tax clerk's adjustment (TaxActivities.adjust_bill); the defaults are an unadjusted
    # bill's, so assessments recorded before adjustments still deserialise.
    adjusted: bool = False
    computed_total: Decimal | None = Field(
        default=None, description="the engine's total (equal to the estimate) before adjusting"
    )
    adjustment_reason: str | None = Field(
        default=None, description="the clerk's reason for the latest adjustment"
    )

    def shares(self) -> list[tuple[str, Decimal]]:
        """Each party role that owes something, with its share: each is told its own."""
        owed = (
            ("buyer", self.buyer_total),
            ("seller", self.seller_total),
            ("lender", self.lender_total),
        )
        return [(role, amount) for role, amount in owed if amount > 0]


class PaymentInput(BaseModel):
    """Update: the tax bureau confirms the payment (never the applicant)."""

    amount: Decimal = Field(gt=0)
    reference: str = Field(min_length=1, max_length=64)
    # Optional only so that histories recorded before actors existed still deserialize;
    # the update's validator refuses a confirmation without one.
    actor: Actor | None = None


class PaymentRecordInput(BaseModel):
    case_no: str
    amount: Decimal
    reference: str
    paid_at: datetime
    actor: Actor | None = None


class PaymentResult(BaseModel):
    case_no: str
    amount: Decimal
    reference: str
    paid_at: datetime


class RegistrationResult(BaseModel):
    # The case's first printed document: the title of its own unit, else (a mortgage) the
    # lender's registration proof; "" where nothing is printed (a mortgage cancellation).
    certificate_no: str = ""
    recorded_at: datetime
    # Every title certificate the case printed, the case's unit first (an exchange prints
    # two); empty in results recorded before exchanges.
    certificate_nos: list[str] = []
    # Every registration proof (不动产登记证明) printed for a lender's new lien; empty where
    # the case records none, and in results recorded before liens.
    proof_nos: list[str] = []
    # The liens the case released, by proof number (a cancellation, a 带押过户).
    released_nos: list[str] = []


class CollectionInput(BaseModel):
    """Update: the applicant chooses window pickup or EMS delivery (entered by staff).

    The EMS address travels by reference (`address_id`, a row the API stored); recipient,
    phone and address are kept only so histories recorded before that still deserialize.
    """

    method: CollectionMethod
    address_id: int | None = None
    actor: Actor | None = None
    recipient: str | None = None
    phone: str | None = None
    address: str | None = None


class CollectionRecordInput(BaseModel):
    case_no: str
    method: CollectionMethod
    address_id: int | None = None
    chosen_at: datetime
    actor: Actor | None = None


class HandoverRecordInput(BaseModel):
    case_no: str
    window: str
    clerk: str
    handed_over_at: datetime
    actor: Actor | None = None


class CollectionResult(BaseModel):
    method: CollectionMethod
    tracking_no: str | None = None


class ShipmentInput(BaseModel):
    """The consignment to book; the address by reference (the fields are for old histories)."""

    case_no: str
    address_id: int | None = None
    recipient: str = ""
    phone: str = ""
    address: str = ""


class ShipmentResult(BaseModel):
    tracking_no: str


class HandoverInput(BaseModel):
    """Update: the window clerk hands the certificate to the applicant."""

    window: str = Field(min_length=1, max_length=16)
    clerk: str = Field(min_length=1, max_length=64)
    actor: Actor | None = None


class HandoverResult(BaseModel):
    handed_over_at: datetime


class SmsInput(BaseModel):
    """Send one templated SMS to the case's parties; `step` makes the idempotency key."""

    case_no: str
    step: str
    template: str
    params: dict[str, str] = {}
    to_roles: list[str] = ["buyer", "seller"]


class SmsResult(BaseModel):
    sent: int
    already_sent: int


class EscalationInput(BaseModel):
    """A case raised to the supervisors: a missed deadline, or a case stopped as failed."""

    case_no: str
    step: str
    department: Department
    due_at: datetime
    kind: Literal["deadline", "failed", "warning"] = "deadline"
    reason: str | None = None


class CloseCaseInput(BaseModel):
    case_no: str
    outcome: Stage
    reason: str | None = None


class StepProgress(BaseModel):
    name: StepName
    status: StepStatus = StepStatus.PENDING
    department: Department
    started_at: datetime | None = None
    finished_at: datetime | None = None
    due_at: datetime | None = None
    due_provisional: bool = Field(
        default=False, description="due_at rests on a provisional year (预计)"
    )
    escalated: bool = False
    warn_at: datetime | None = Field(
        default=None, description="when the step's clerk is warned that its time runs short"
    )
    warned: bool = Field(default=False, description="the warning was given (queue flag)")
    detail: str | None = None
    holder: str | None = Field(
        default=None, description="the clerk who holds the step's decision (name and staff id)"
    )


class CaseProgress(BaseModel):
    """What the clerk, the applicant's progress page and `GET /cases/{no}` show."""

    case_no: str
    business_type: str
    stage: Stage
    stage_zh: str
    stage_en: str
    department: Department
    accepted_at: datetime
    steps: list[StepProgress]
    reason: str | None = None
    tax_total: Decimal | None = None
    payment_due_at: datetime | None = None
    payment_due_provisional: bool = False
    completion_due_at: datetime | None = Field(
        default=None, description="the promised completion, as told at acceptance"
    )
    completion_due_provisional: bool = False
    legal_due_at: datetime | None = Field(
        default=None,
        description="the statutory limit: 30 working days from acceptance "
        "(不动产登记暂行条例 art. 20)",
    )
    calendar_updates: list[str] = Field(
        default=[], description="official calendars handed in while the case ran"
    )
    certificate_no: str | None = None
    collection: CollectionMethod | None = None
    tracking_no: str | None = None
    finished_at: datetime | None = None
    read_from: Literal["workflow", "database"] | None = Field(
        default=None,
        description="where `GET /cases/{case_no}` read this: the case's running workflow, or "
        "the database's read side (no worker answered, or the history has expired)",
    )
