"""Inputs of the steps that tell the applicant themselves (no SMS activity of their own).

Each carries the step's own input and the messages the step causes; the activity writes
them to the outbox after the step's work and sends them (activities/case_steps.py). Each also
carries the view the workflow planned for the moment the work is done (`models.case_view`),
written with the messages: the read side follows the case without an activity of its own.
"""

from __future__ import annotations

from pydantic import BaseModel

from models.case_view import ViewPlan
from models.payloads import (
    CloseCaseInput,
    CollectionRecordInput,
    EscalationInput,
    HandoverRecordInput,
    PaymentRecordInput,
    ShipmentInput,
    SmsInput,
    StepInput,
    TaxAssessment,
)


class StepNotice(BaseModel):
    """A department step of a case and the SMS it causes once done."""

    case_no: str
    sms: list[SmsInput] = []
    view: ViewPlan | None = None
    # Sent instead of `sms` where the step prints nothing (a mortgage cancellation: the
    # parties hear it is recorded, not that a certificate waits).
    unprinted: list[SmsInput] = []
    # The department whose step decides automatically here: the system actor's approval is
    # kept in the audit with the step's messages.
    automatic: str | None = None


class ViewedStep(StepInput):
    """A department activity's input with the view to write once its work is done (a
    registrar's review leaves the case waiting for the registrar)."""

    view: ViewPlan | None = None


class EscalationNotice(EscalationInput):
    """A warning or an escalation, with the view that shows it (flag, escalated step)."""

    view: ViewPlan | None = None


class PaymentNotice(BaseModel):
    """The payment confirmed at the window, and the SMS that acknowledges it."""

    record: PaymentRecordInput
    sms: list[SmsInput] = []
    view: ViewPlan | None = None


class BillNotice(BaseModel):
    """The tax assessment; each payer with a share to pay is told it and the deadline."""

    case_no: str
    template: str = "pay_taxes"
    due: str  # the payment deadline as the applicant reads it
    view: ViewPlan | None = None
    bill: TaxAssessment | None = None  # the bill a tax clerk confirmed or adjusted
    automatic: str | None = None  # the department that approved the bill automatically


class DeliveryNotice(BaseModel):
    """The applicant's collection choice; by EMS the shipment too, then the SMS that says so."""

    choice: CollectionRecordInput
    shipment: ShipmentInput | None = None
    collectors: list[str] = ["buyer"]  # the roles told where the certificate is
    view: ViewPlan | None = None


class CloseNotice(BaseModel):
    """Closing a case, with the SMS that tells the parties why (refused, failed), and the
    handover at the window that completed it, stored with its audit row first."""

    close: CloseCaseInput
    sms: list[SmsInput] = []
    handover: HandoverRecordInput | None = None
    view: ViewPlan | None = None
