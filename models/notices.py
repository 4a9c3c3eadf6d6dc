"""Inputs of the steps that tell the applicant themselves (no SMS activity of their own).

Each carries the step's own input and the messages the step causes; the activity writes
them to the outbox after the step's work and sends them (activities/case_steps.py).
"""

from __future__ import annotations

from pydantic import BaseModel

from models.payloads import (
    CloseCaseInput,
    CollectionRecordInput,
    HandoverRecordInput,
    PaymentRecordInput,
    ShipmentInput,
    SmsInput,
)


class StepNotice(BaseModel):
    """A department step of a case and the SMS it causes once done."""

    case_no: str
    sms: list[SmsInput] = []


class PaymentNotice(BaseModel):
    """The payment confirmed at the window, and the SMS that acknowledges it."""

    record: PaymentRecordInput
    sms: list[SmsInput] = []


class BillNotice(BaseModel):
    """The tax assessment; each payer with a share to pay is told it and the deadline."""

    case_no: str
    template: str = "pay_taxes"
    due: str  # the payment deadline as the applicant reads it


class DeliveryNotice(BaseModel):
    """The applicant's collection choice; by EMS the shipment too, then the SMS that says so."""

    choice: CollectionRecordInput
    shipment: ShipmentInput | None = None
    collectors: list[str] = ["buyer"]  # the roles told where the certificate is


class CloseNotice(BaseModel):
    """Closing a case, with the SMS that tells the parties why (refused, failed), and the
    handover at the window that completed it, stored with its audit row first."""

    close: CloseCaseInput
    sms: list[SmsInput] = []
    handover: HandoverRecordInput | None = None
